import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PasswordPolicy } from '../config/config';

export const LOCAL_POOL_NAME = 'cognito-graphql-auth';
const CALL_TIMEOUT_MS = 10_000;

export interface LocalPool {
  userPoolId: string;
  clientId: string;
  /**
   * Whether "Alice" and "alice" are two users. Pools we create are not (as most pools created
   * today); a pool created by a version before that is, and stays so, as on AWS, where the
   * setting cannot change after creation.
   */
  caseSensitive: boolean;
}

/**
 * Finds this project's pool and app client in the emulator, creating them on first run, so that
 * users registered in an earlier run are still there.
 */
export async function ensureLocalPool(endpoint: string, policy: PasswordPolicy): Promise<LocalPool> {
  const options = () => ({ abortSignal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  // The emulator accepts any credentials; admin calls need some to be signed.
  const admin = new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { UserPools = [] } = await admin.send(new ListUserPoolsCommand({ MaxResults: 60 }), options());
    let userPoolId = UserPools.find((pool) => pool.Name === LOCAL_POOL_NAME)?.Id;
    if (!userPoolId) {
      const created = await admin.send(
        new CreateUserPoolCommand({
          PoolName: LOCAL_POOL_NAME,
          AutoVerifiedAttributes: ['email'],
          // Honoured by emulator-fidelity.js: cognito-local stores it but matches names exactly.
          UsernameConfiguration: { CaseSensitive: false },
          Policies: {
            PasswordPolicy: {
              MinimumLength: policy.minimumLength,
              RequireLowercase: policy.requireLowercase,
              RequireUppercase: policy.requireUppercase,
              RequireNumbers: policy.requireNumbers,
              RequireSymbols: policy.requireSymbols,
            },
          },
        }),
        options(),
      );
      userPoolId = created.UserPool!.Id!;
    }
    const { UserPool } = await admin.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }), options());
    const caseSensitive = UserPool?.UsernameConfiguration?.CaseSensitive !== false;
    // Optional TOTP MFA, as a real pool would offer it (also for pools of earlier runs).
    await admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
      options(),
    );

    const { UserPoolClients = [] } = await admin.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
      options(),
    );
    let clientId = UserPoolClients.find((client) => client.ClientName === LOCAL_POOL_NAME)?.ClientId;
    if (!clientId) {
      const created = await admin.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: LOCAL_POOL_NAME,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
        options(),
      );
      clientId = created.UserPoolClient!.ClientId!;
    }
    return { userPoolId, clientId, caseSensitive };
  } finally {
    admin.destroy();
  }
}

import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { COGNITO_POOL } from '../../src/cognito/cognito.constants';
import { CognitoPool } from '../../src/cognito/cognito-pool';
import { TestServer } from './test-server';

/** Administrator calls on the server's embedded emulator, for what users cannot do themselves. */
export class PoolAdmin {
  private readonly sdk: CognitoIdentityProviderClient;
  private readonly pool: CognitoPool;

  constructor(server: TestServer) {
    this.pool = server.app.get<CognitoPool>(COGNITO_POOL);
    this.sdk = new CognitoIdentityProviderClient({
      endpoint: this.pool.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  async addToGroup(username: string, group: string): Promise<void> {
    await this.sdk.send(new CreateGroupCommand({ UserPoolId: this.pool.userPoolId, GroupName: group })).catch(() => {
      // exists already
    });
    await this.sdk.send(
      new AdminAddUserToGroupCommand({ UserPoolId: this.pool.userPoolId, Username: username, GroupName: group }),
    );
  }

  /** A user created by an administrator: their first sign-in must set a new password. */
  async createUser(username: string, temporaryPassword: string): Promise<void> {
    await this.sdk.send(
      new AdminCreateUserCommand({
        UserPoolId: this.pool.userPoolId,
        Username: username,
        TemporaryPassword: temporaryPassword,
        UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
        MessageAction: 'SUPPRESS',
      }),
    );
  }

  close(): void {
    this.sdk.destroy();
  }
}

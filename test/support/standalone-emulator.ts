import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emulator } from '../../src/local-cognito/emulator';
import { CapturingLogger } from './capturing-logger';
import { freePort } from './free-port';

/** cognito-local on its own, for tests that point the server at a pool the way a user would. */
export class StandaloneEmulator {
  private readonly admin: CognitoIdentityProviderClient;

  private constructor(
    private emulator: Emulator,
    private readonly port: number,
    private readonly dataDir: string,
    /** The codes the emulator "sent", as `Code for user "<name>" …: <code>` lines. */
    readonly codes: CapturingLogger,
  ) {
    this.admin = new CognitoIdentityProviderClient({
      endpoint: emulator.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  static async start(): Promise<StandaloneEmulator> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cognito-local-'));
    const codes = new CapturingLogger();
    const port = await freePort();
    return new StandaloneEmulator(await StandaloneEmulator.run(port, dataDir, codes), port, dataDir, codes);
  }

  private static run(port: number, dataDir: string, codes: CapturingLogger): Promise<Emulator> {
    return Emulator.start({
      port,
      dataDir,
      onCode: ({ username, code }) => codes.log(`Code for user "${username}" (test): ${code}`),
      onError: (message) => codes.error(message),
    });
  }

  /** Stops the emulator process, keeping its users, as an outage would. */
  async crash(): Promise<void> {
    await this.emulator.stop();
  }

  /** Starts it again, on the same port with the same users. */
  async recover(): Promise<void> {
    this.emulator = await StandaloneEmulator.run(this.port, this.dataDir, this.codes);
  }

  get endpoint(): string {
    return this.emulator.endpoint;
  }

  /** A pool with plain usernames, email codes and optional MFA, and an app client (with a secret if asked). */
  async createPool(name: string, withSecret = false) {
    const { UserPool } = await this.admin.send(
      new CreateUserPoolCommand({ PoolName: name, AutoVerifiedAttributes: ['email'], MfaConfiguration: 'OPTIONAL' }),
    );
    const { UserPoolClient } = await this.admin.send(
      new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: name, GenerateSecret: withSecret }),
    );
    return {
      userPoolId: UserPool!.Id!,
      clientId: UserPoolClient!.ClientId!,
      clientSecret: UserPoolClient!.ClientSecret,
    };
  }

  async addClient(userPoolId: string, name: string): Promise<string> {
    const { UserPoolClient } = await this.admin.send(
      new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: name }),
    );
    return UserPoolClient!.ClientId!;
  }

  async stop(): Promise<void> {
    this.admin.destroy();
    await this.emulator.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

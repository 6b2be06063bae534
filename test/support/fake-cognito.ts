import { createHmac, randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';

export interface RecordedCall {
  target: string;
  body: Record<string, any>;
}

type Reply = { status: number; body: unknown } | 'hang';

/** The app client the fake serves, as the server under test is configured. */
export interface FakeAppClient {
  clientId: string;
  /** When set, every user call must carry a right SECRET_HASH, as Cognito demands. */
  clientSecret?: string;
}

/** Operations whose request names the app client (`ClientId`). */
const CLIENT_CALLS = new Set([
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'RevokeToken',
]);
/** Where each user call carries its SECRET_HASH. */
const SECRET_HASH_OF: Record<string, (body: Record<string, any>) => unknown> = {
  SignUp: (body) => body.SecretHash,
  ConfirmSignUp: (body) => body.SecretHash,
  ResendConfirmationCode: (body) => body.SecretHash,
  ForgotPassword: (body) => body.SecretHash,
  ConfirmForgotPassword: (body) => body.SecretHash,
  InitiateAuth: (body) => body.AuthParameters?.SECRET_HASH,
  RespondToAuthChallenge: (body) => body.ChallengeResponses?.SECRET_HASH,
};

/**
 * A stand-in for Cognito's HTTP API, for what the emulator cannot do (MFA challenges, throttling,
 * server errors, hangs). It answers each operation (X-Amz-Target) as told and records what it was
 * sent. Before answering it checks what a real user pool checks, and refuses as Cognito does:
 * the `ClientId` is the app client's, `SECRET_HASH` (or RevokeToken's `ClientSecret`) is right when
 * the client has a secret, a challenge `Session` is one it issued (to that user), and a refresh
 * token is one it issued. What it issued is what its replies carried (`Session`,
 * `AuthenticationResult.RefreshToken`), or what `session()` and `refreshToken()` hand out.
 *
 * Call `reset()` before each test: it forgets the replies, calls, sessions and refresh tokens of
 * the test before (the JWKS, a GET reply, is the pool's and stays).
 */
export class FakeCognito {
  readonly calls: RecordedCall[] = [];
  /** Paths of the GET requests (JWKS fetches), in order. */
  readonly gets: string[] = [];
  url = '';
  private readonly replies = new Map<string, Reply>();
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();
  /** Session → the username it was issued to. */
  private readonly sessions = new Map<string, string>();
  /** Refresh token → the username it was issued to. */
  private readonly refreshTokens = new Map<string, string>();

  constructor(private readonly client: FakeAppClient) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.url;
  }

  /** Forgets everything a test set up or caused, but the GET replies (the pool's JWKS). */
  reset(): void {
    this.calls.splice(0);
    this.gets.splice(0);
    for (const key of [...this.replies.keys()]) if (!key.startsWith('GET ')) this.replies.delete(key);
    this.sessions.clear();
    this.refreshTokens.clear();
  }

  reply(target: string, reply: Reply): void {
    this.replies.set(target, reply);
  }

  /** Cognito's error shape: `{ __type, message }`, HTTP 400 (500 for a server fault). */
  error(target: string, type: string, message = `${type} (from the fake)`, status = 400): void {
    this.reply(target, { status, body: { __type: type, message } });
  }

  /** A challenge session this fake issued to `username`, as a challenge would carry it. */
  session(username: string): string {
    const session = `fake-session-${randomBytes(12).toString('base64url')}`;
    this.sessions.set(session, username);
    return session;
  }

  /** A refresh token this fake issued to `username`: opaque, shaped as AWS's (a five-part JWE). */
  refreshToken(username: string): string {
    const part = () => randomBytes(24).toString('base64url');
    const token = [part(), part(), part(), part(), part()].join('.');
    this.refreshTokens.set(token, username);
    return token;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const target =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    const body = req.method === 'POST' && raw ? (JSON.parse(raw) as Record<string, any>) : {};
    if (req.method === 'POST') this.calls.push({ target, body });
    else this.gets.push(req.url ?? '');
    const reply = (req.method === 'POST' ? this.refusal(target, body) : undefined) ??
      this.replies.get(req.method === 'GET' ? `GET ${req.url}` : target) ?? {
        status: 404,
        body: { __type: 'ResourceNotFoundException', message: 'not set up in the fake' },
      };
    if (reply === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (req.method === 'POST' && reply.status === 200) this.remember(target, body, reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(reply.body));
  }

  /** Cognito's refusal of a request it would not take, or undefined. */
  private refusal(target: string, body: Record<string, any>): Reply | undefined {
    const { clientId, clientSecret } = this.client;
    const refuse = (type: string, message: string): Reply => ({ status: 400, body: { __type: type, message } });
    if (CLIENT_CALLS.has(target) && body.ClientId !== clientId) {
      return refuse('ResourceNotFoundException', `User pool client ${body.ClientId} does not exist.`);
    }
    const owner = this.ownerOf(target, body);
    if (owner === null) {
      return target === 'InitiateAuth'
        ? refuse('NotAuthorizedException', 'Invalid Refresh Token')
        : refuse('NotAuthorizedException', 'Invalid session for the user.');
    }
    if (!clientSecret) return undefined;
    if (target === 'RevokeToken') {
      return body.ClientSecret === clientSecret ? undefined : refuse('NotAuthorizedException', 'Invalid client secret');
    }
    const hashOf = SECRET_HASH_OF[target];
    if (!hashOf) return undefined;
    const hash = hashOf(body);
    if (hash === undefined) {
      return refuse(
        'NotAuthorizedException',
        `Client ${clientId} is configured for secret but secret was not received`,
      );
    }
    // Over the user the call is about: a refresh token's owner, else the username it names.
    const username = owner ?? body.Username ?? body.AuthParameters?.USERNAME ?? body.ChallengeResponses?.USERNAME;
    if (hash !== secretHash(clientSecret, String(username), clientId)) {
      return refuse('NotAuthorizedException', `Unable to verify secret hash for client ${clientId}`);
    }
    return undefined;
  }

  /**
   * Whose session or refresh token the request carries: a username; undefined when it carries
   * neither; null when it carries one this fake did not issue (or issued to someone else).
   */
  private ownerOf(target: string, body: Record<string, any>): string | null | undefined {
    if (target === 'InitiateAuth' && body.AuthFlow === 'REFRESH_TOKEN_AUTH') {
      return this.refreshTokens.get(body.AuthParameters?.REFRESH_TOKEN) ?? null;
    }
    const carriesSession =
      target === 'RespondToAuthChallenge' ||
      ((target === 'AssociateSoftwareToken' || target === 'VerifySoftwareToken') && body.AccessToken === undefined);
    if (!carriesSession) return undefined;
    const owner = this.sessions.get(body.Session);
    if (owner === undefined) return null;
    const claimed = body.ChallengeResponses?.USERNAME;
    return claimed === undefined || claimed === owner ? owner : null;
  }

  /** Sessions and refresh tokens in a reply are issued to the user the request was about. */
  private remember(target: string, request: Record<string, any>, reply: unknown): void {
    const answer = (reply ?? {}) as { Session?: string; AuthenticationResult?: { RefreshToken?: string } };
    const username =
      request.AuthParameters?.USERNAME ??
      request.ChallengeResponses?.USERNAME ??
      this.sessions.get(request.Session) ??
      this.refreshTokens.get(request.AuthParameters?.REFRESH_TOKEN);
    if (username === undefined) return;
    if (answer.Session) this.sessions.set(answer.Session, username);
    const refreshToken = answer.AuthenticationResult?.RefreshToken;
    if (refreshToken && target !== 'RevokeToken') this.refreshTokens.set(refreshToken, username);
  }
}

/** Cognito's SECRET_HASH, computed here independently of src/. */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

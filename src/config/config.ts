import { resolve } from 'node:path';

/** Mirrors Cognito's PasswordPolicy: we enforce it ourselves because the emulator does not. */
export interface PasswordPolicy {
  minimumLength: number;
  requireLowercase: boolean;
  requireUppercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
}

/** A user pool named by the environment: real AWS, or any Cognito-compatible endpoint. */
export interface PoolSettings {
  kind: 'pool';
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  region: string;
  endpoint?: string;
  issuer?: string;
}

/** No pool named: we start cognito-local ourselves. */
export interface EmbeddedSettings {
  kind: 'embedded';
  port: number;
  dataDir: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export interface LogSettings {
  level: (typeof LOG_LEVELS)[number];
  /** JSON lines for machines (production), or readable lines for a person at a terminal (development). */
  format: 'json' | 'pretty';
}

/** Bounds on what a client holds of the HTTP server: time and connections. */
export interface HttpSettings {
  /** Time for a whole request (headers and body) to arrive; past it the client gets 408 and is cut off. */
  requestTimeoutMs: number;
  /** Time for a request's headers to arrive (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** How long an idle connection is kept open between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; past it a new connection is closed at once. */
  maxConnections: number;
  /**
   * Open connections of one client address (an IPv6 /64) at most, so that one client cannot take
   * them all; 0: no such bound. Not applied behind TRUST_PROXY, where every connection is a proxy's.
   */
  maxConnectionsPerClient: number;
}

/** Where state shared by every instance lives (sign-outs, rate limits): one Redis, or a Redis Cluster. */
export interface RedisSettings {
  /** One node (REDIS_URL), or the seed nodes of a cluster (REDIS_CLUSTER_NODES). */
  nodes: { host: string; port: number }[];
  cluster: boolean;
  username?: string;
  password?: string;
  /** rediss:// */
  tls: boolean;
  /** The database index (the URL's path); always 0 on a cluster. */
  db: number;
  /** Put before every key we write, so that several deployments can share one Redis. */
  keyPrefix: string;
  /** The longest any Redis call may take, connecting included. */
  timeoutMs: number;
}

// Each feature's settings are declared here, beside the one parse of the environment: features
// import them from config, never config from a feature (config imported rate-limit, which imported config).

/** Per-IP and per-account limits of the limited mutations (rate-limit/). */
export interface RateLimits {
  /** Calls of limited mutations from one client IP, per window (a burst limit). */
  ipMax: number;
  ipWindowSeconds: number;
  /** Failed attempts (wrong password or code) on one account, per window (OWASP ASVS: at most 100 an hour). */
  accountFailuresMax: number;
  /** Codes sent to one account or address (sign-up, reset, resend, email change), per window. */
  accountSendsMax: number;
  accountWindowSeconds: number;
}

/** Bounds on one GraphQL request (graphql/limits.ts). */
export interface QueryLimits {
  /** Bytes of the query text. */
  maxQueryBytes: number;
  /** Nesting of selections (`{ me { id } }` is 2). */
  maxDepth: number;
  /** Fields in the whole operation, fragments expanded: a bound on the work one request asks for. */
  maxFields: number;
  /** Aliased fields: each alias of a mutation runs it again (rate limits count each). */
  maxAliases: number;
}

export interface AppConfig {
  host: string;
  port: number;
  production: boolean;
  cognito: PoolSettings | EmbeddedSettings;
  cognitoTimeoutMs: number;
  passwordPolicy: PasswordPolicy;
  /** The name authenticator apps show beside a TOTP code. */
  totpIssuer: string;
  /**
   * Which X-Forwarded-For hops to trust for the client IP: false (none), a number of proxies in
   * front of the server, or their addresses (comma-separated IPs or CIDRs).
   */
  trustProxy: false | number | string;
  rateLimits: RateLimits;
  logging: LogSettings;
  http: HttpSettings;
  /** How long SIGTERM waits for the requests in flight before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** How long a sign-out is remembered: at least the app client's refresh-token lifetime. */
  signOutRetentionDays: number;
  /** Verified tokens kept to skip the RSA check when they come again (0: none). */
  tokenCacheSize: number;
  /** Shared state in Redis; absent: each process keeps its own, in memory. */
  redis?: RedisSettings;
  graphql: {
    limits: QueryLimits;
    /** Largest request body Fastify reads. */
    bodyLimitBytes: number;
    /** Schema introspection; on only with the developer defaults (below) unless asked for. */
    introspection: boolean;
    /** The browser IDE at GET /graphql; on only with the developer defaults unless asked for. */
    ide: boolean;
    /** "Did you mean …?" in error messages, which spell the schema out: only with the developer defaults. */
    suggestions: boolean;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const ANY_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
// The pattern aws-jwt-verify's Cognito verifier accepts.
const AWS_POOL_ID = /^(?:eusc-[a-z]{2}|[a-z]{2})-(?:gov-)?[a-z]+-\d_[a-zA-Z0-9]+$/;
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const POOL_ONLY_VARIABLES = ['COGNITO_CLIENT_ID', 'COGNITO_CLIENT_SECRET', 'COGNITO_ENDPOINT', 'COGNITO_ISSUER'];

/**
 * Reads the whole configuration once, at start-up. Every problem is collected, so a person fixes
 * them in one go; each names the variable and says what is expected.
 */
export function parseConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const nodeEnv = read.optional('NODE_ENV');
  const production = nodeEnv === 'production';
  // What a stranger may learn of the schema (IDE, introspection, suggestions). A pool gets the
  // production-safe defaults unless NODE_ENV=development says otherwise: a forgotten or misspelt
  // NODE_ENV ("prod", "staging") must not open them. The embedded emulator (no pool named) is
  // development by nature.
  const developerDefaults = nodeEnv === 'development' || (!production && !read.optional('COGNITO_USER_POOL_ID'));
  const trustProxy = readTrustProxy(read);
  const config: AppConfig = {
    host: read.string('HOST', '127.0.0.1'),
    port: read.integer('PORT', 3000, 0, 65535),
    production,
    cognito: readCognito(read, problems, nodeEnv),
    cognitoTimeoutMs: read.integer('COGNITO_TIMEOUT_MS', 5000, 100, 60000),
    passwordPolicy: {
      minimumLength: read.integer('PASSWORD_MIN_LENGTH', 8, 6, 99),
      requireLowercase: read.boolean('PASSWORD_REQUIRE_LOWERCASE', true),
      requireUppercase: read.boolean('PASSWORD_REQUIRE_UPPERCASE', true),
      requireNumbers: read.boolean('PASSWORD_REQUIRE_NUMBERS', true),
      requireSymbols: read.boolean('PASSWORD_REQUIRE_SYMBOLS', true),
    },
    totpIssuer: read.string('TOTP_ISSUER', 'Cognito GraphQL Auth'),
    trustProxy,
    rateLimits: {
      ipMax: read.integer('RATE_LIMIT_IP_MAX', 30, 1, 1_000_000),
      ipWindowSeconds: read.integer('RATE_LIMIT_IP_WINDOW_SECONDS', 60, 1, 86400),
      accountFailuresMax: read.integer('RATE_LIMIT_ACCOUNT_FAILURES_MAX', 100, 1, 1_000_000),
      accountSendsMax: read.integer('RATE_LIMIT_ACCOUNT_SENDS_MAX', 5, 1, 1_000_000),
      accountWindowSeconds: read.integer('RATE_LIMIT_ACCOUNT_WINDOW_SECONDS', 3600, 1, 86400 * 7),
    },
    logging: {
      level: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      // Readable lines where the IDE is on by default: pino-pretty is a devDependency, so a
      // production install with a forgotten NODE_ENV must not need it.
      format: read.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, developerDefaults ? 'pretty' : 'json'),
    },
    http: readHttp(read, trustProxy),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 10000, 100, 600000),
    signOutRetentionDays: read.integer('SIGN_OUT_RETENTION_DAYS', 30, 1, 3650),
    tokenCacheSize: read.integer('TOKEN_CACHE_SIZE', 10000, 0, 1_000_000),
    redis: readRedis(read),
    graphql: {
      limits: {
        maxQueryBytes: read.integer('GRAPHQL_MAX_QUERY_BYTES', 8192, 256, 1048576),
        maxDepth: read.integer('GRAPHQL_MAX_DEPTH', 8, 2, 100),
        maxFields: read.integer('GRAPHQL_MAX_FIELDS', 100, 1, 10000),
        maxAliases: read.integer('GRAPHQL_MAX_ALIASES', 10, 0, 1000),
      },
      bodyLimitBytes: read.integer('HTTP_BODY_LIMIT_BYTES', 65536, 1024, 10485760),
      introspection: read.boolean('GRAPHQL_INTROSPECTION', developerDefaults),
      ide: read.boolean('GRAPHQL_IDE', developerDefaults),
      suggestions: developerDefaults,
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** NODE_ENV values under which the embedded emulator may run (none is a developer's first `npm start`). */
const EMULATOR_ENVIRONMENTS = [undefined, 'development', 'test'];

function readCognito(read: Reader, problems: string[], nodeEnv: string | undefined): PoolSettings | EmbeddedSettings {
  const production = nodeEnv === 'production';
  const userPoolId = read.optional('COGNITO_USER_POOL_ID');
  if (!userPoolId) {
    for (const name of POOL_ONLY_VARIABLES.filter((n) => read.optional(n))) {
      problems.push(
        `${name} is set but COGNITO_USER_POOL_ID is not: set both to use your pool, or neither to use the embedded emulator`,
      );
    }
    if (!EMULATOR_ENVIRONMENTS.includes(nodeEnv)) {
      // cognito-local signs tokens with a private key that ships in its npm package: anyone can
      // forge them. "production", and a misspelt or other one ("prod", "staging"), is not for it.
      problems.push(
        `COGNITO_USER_POOL_ID is required when NODE_ENV=${nodeEnv}: the embedded emulator is for development only ` +
          '(anyone can forge its tokens); it runs with NODE_ENV unset, development or test',
      );
    }
    return {
      kind: 'embedded',
      port: read.integer('COGNITO_LOCAL_PORT', 9329, 1, 65535),
      dataDir: resolve(read.string('COGNITO_LOCAL_DATA_DIR', '.cognito-local')),
    };
  }

  const clientId = read.optional('COGNITO_CLIENT_ID');
  if (!clientId) {
    problems.push('COGNITO_CLIENT_ID is required with COGNITO_USER_POOL_ID: the id of an app client of that pool');
  }
  const endpoint = read.url('COGNITO_ENDPOINT', production);
  const issuer = read.url('COGNITO_ISSUER', production);
  const [prefix] = userPoolId.split('_');
  let region: string;

  if (read.optional('COGNITO_ENDPOINT')) {
    if (!ANY_POOL_ID.test(userPoolId)) {
      problems.push(`COGNITO_USER_POOL_ID must look like "local_AbC123" (prefix, underscore, id); got "${userPoolId}"`);
    }
    region = read.optional('COGNITO_REGION') ?? read.optional('AWS_REGION') ?? prefix;
  } else {
    // On AWS the pool id names its region, and that is where its tokens and keys come from;
    // AWS_REGION often names where the app runs instead, so it is not used here.
    region = read.optional('COGNITO_REGION') ?? prefix;
    if (!AWS_POOL_ID.test(userPoolId)) {
      problems.push(
        `COGNITO_USER_POOL_ID must look like "eu-west-1_AbC123xyZ" (AWS region, underscore, id); got "${userPoolId}". ` +
          'A pool of an emulator also needs COGNITO_ENDPOINT',
      );
    } else if (region !== prefix) {
      problems.push(
        `COGNITO_REGION is "${region}" but the pool ${userPoolId} is in "${prefix}": unset it or make them equal`,
      );
    }
  }
  return {
    kind: 'pool',
    userPoolId,
    clientId: clientId ?? '',
    clientSecret: read.optional('COGNITO_CLIENT_SECRET'),
    region,
    endpoint: endpoint?.replace(/\/+$/, ''),
    issuer: issuer?.replace(/\/+$/, ''),
  };
}

function readHttp(read: Reader, trustProxy: false | number | string): HttpSettings {
  const perClient = read.integer('HTTP_MAX_CONNECTIONS_PER_CLIENT', 100, 0, 1_000_000);
  const requestTimeoutMs = read.integer('HTTP_REQUEST_TIMEOUT_MS', 30000, 100, 600000);
  const headersTimeoutMs = read.integer('HTTP_HEADERS_TIMEOUT_MS', 10000, 100, 600000);
  // With a longer headers timeout, Node 20 silently stops enforcing the request timeout (measured:
  // headers 60 s, request 1 s: a body trickled in over 4 s was answered 200; headers 0.5 s: 408 at 1.0 s).
  if (headersTimeoutMs > requestTimeoutMs) {
    read.problem(
      `HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be longer than HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: read.integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72000, 100, 600000),
    maxConnections: read.integer('HTTP_MAX_CONNECTIONS', 1000, 1, 1_000_000),
    // Behind trusted proxies every connection comes from one of them: the proxies bound clients.
    maxConnectionsPerClient: trustProxy === false ? perClient : 0,
  };
}

const KEY_PREFIX = /^[\w:.-]{0,64}$/;

function readRedis(read: Reader): RedisSettings | undefined {
  const single = read.optional('REDIS_URL');
  const cluster = read.optional('REDIS_CLUSTER_NODES');
  const keyPrefix = read.string('REDIS_KEY_PREFIX', 'cga:');
  const timeoutMs = read.integer('REDIS_TIMEOUT_MS', 1000, 50, 60000);
  if (!KEY_PREFIX.test(keyPrefix)) {
    read.problem(`REDIS_KEY_PREFIX must be at most 64 letters, digits or _ : . - ; got "${keyPrefix}"`);
  }
  if (single && cluster) {
    read.problem(
      'REDIS_URL and REDIS_CLUSTER_NODES are both set: set REDIS_URL for one Redis, or REDIS_CLUSTER_NODES for a cluster',
    );
    return undefined;
  }
  const raw = single ?? cluster;
  if (!raw) return undefined;
  const name = single ? 'REDIS_URL' : 'REDIS_CLUSTER_NODES';
  const urls = raw.split(',').map((part) => read.redisUrl(name, part.trim()));
  if (urls.some((url) => url === undefined)) return undefined;
  const [first] = urls as URL[];
  const db = first.pathname.length > 1 ? Number(first.pathname.slice(1)) : 0;
  if (cluster && db !== 0) read.problem('REDIS_CLUSTER_NODES must not name a database (a cluster has only database 0)');
  return {
    nodes: (urls as URL[]).map((url) => ({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 6379),
    })),
    cluster: Boolean(cluster),
    username: first.username ? decodeURIComponent(first.username) : undefined,
    password: first.password ? decodeURIComponent(first.password) : undefined,
    tls: first.protocol === 'rediss:',
    db,
    keyPrefix,
    timeoutMs,
  };
}

function readTrustProxy(read: Reader): false | number | string {
  const raw = read.optional('TRUST_PROXY');
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (/^\d+$/.test(raw)) return read.integer('TRUST_PROXY', 0, 1, 10);
  if (/^[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*$/.test(raw)) return raw;
  // "true" would trust every hop, and the left-most one is whatever the client wrote.
  read.problem(
    `TRUST_PROXY must be the number of proxies in front of the server (e.g. 1) or their addresses; got "${raw}"`,
  );
  return false;
}

/**
 * A URL as a problem may quote it: nothing between its scheme and its last @, which may be a
 * password, however the URL is mistyped (`redis:/:pw@host`, `:pw@host`).
 */
function withoutCredentials(raw: string): string {
  const at = raw.lastIndexOf('@');
  if (at < 0) return raw;
  const scheme = /^[a-z][a-z0-9+.-]*:\/{0,2}/i.exec(raw)?.[0] ?? '';
  return `${scheme}…${raw.slice(at)}`;
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  problem(message: string): void {
    this.problems.push(message);
  }

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}; got "${raw}"`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    this.problems.push(`${name} must be true or false; got "${raw}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')}; got "${raw}"`);
    return fallback;
  }

  /**
   * A redis:// or rediss:// URL: user and password (percent-encoded) and a database index
   * (`/2`) as usual. Problems quote it without its password.
   */
  redisUrl(name: string, raw: string): URL | undefined {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      // reported below
    }
    const shown = withoutCredentials(raw);
    const db = url?.pathname ?? '';
    if (
      !url ||
      (url.protocol !== 'redis:' && url.protocol !== 'rediss:') ||
      !url.hostname ||
      // Redis has 16 databases unless told otherwise; one it lacks would be refused at connection
      // time and the client would carry on in database 0.
      !/^(\/([0-9]|1[0-5])?)?$/.test(db) ||
      url.search ||
      url.hash
    ) {
      this.problems.push(
        `${name} must be a URL such as "redis://:password@host:6379/0" (rediss:// for TLS; database 0 to 15); got "${shown}"`,
      );
      return undefined;
    }
    return url;
  }

  /**
   * An http(s) URL without credentials; in production, plain http only to this machine (passwords
   * and keys travel on it).
   */
  url(name: string, httpsOnly: boolean): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      // reported below
    }
    const shown = withoutCredentials(raw);
    if (url?.username || url?.password) {
      // Cognito takes none there, and this URL reaches logs and error messages.
      this.problems.push(`${name} must not contain credentials (user:password@); got "${shown}"`);
      return undefined;
    }
    if (
      url?.protocol === 'https:' ||
      (url?.protocol === 'http:' && !(httpsOnly && !LOOPBACK_HOST.test(url.hostname)))
    ) {
      return raw;
    }
    this.problems.push(
      url?.protocol === 'http:'
        ? `${name} must use https in production (plain http only to localhost); got "${shown}"`
        : `${name} must be an http(s) URL such as "http://127.0.0.1:9229"; got "${shown}"`,
    );
    return undefined;
  }
}

import { resolve } from 'node:path';
import { ConfigError, parseConfig } from '../src/config/config';
import { describePool } from '../src/cognito/cognito-pool';

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('uses the embedded emulator and safe defaults when nothing is set', () => {
    expect(parseConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      production: false,
      cognito: { kind: 'embedded', port: 9329, dataDir: resolve('.cognito-local') },
      cognitoTimeoutMs: 5000,
      passwordPolicy: {
        minimumLength: 8,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
      },
      totpIssuer: 'Cognito GraphQL Auth',
      trustProxy: false,
      signOutRetentionDays: 30,
      tokenCacheSize: 10000,
      logging: { level: 'info', format: 'pretty' },
      http: {
        requestTimeoutMs: 30000,
        headersTimeoutMs: 10000,
        keepAliveTimeoutMs: 72000,
        maxConnections: 1000,
        maxConnectionsPerClient: 100,
      },
      shutdownTimeoutMs: 10000,
      rateLimits: {
        ipMax: 30,
        ipWindowSeconds: 60,
        accountFailuresMax: 100,
        accountSendsMax: 5,
        accountWindowSeconds: 3600,
      },
      graphql: {
        limits: { maxQueryBytes: 8192, maxDepth: 8, maxFields: 100, maxAliases: 10 },
        bodyLimitBytes: 65536,
        introspection: true,
        ide: true,
        suggestions: true,
      },
    });
  });

  it('reads a real AWS pool, taking the region from the pool id', () => {
    const config = parseConfig({ COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_ID: 'client' });
    expect(config.cognito).toEqual({
      kind: 'pool',
      userPoolId: 'eu-west-1_AbC123',
      clientId: 'client',
      clientSecret: undefined,
      region: 'eu-west-1',
      endpoint: undefined,
      issuer: undefined,
    });
    expect(describePool(config.cognito as never)).toMatchObject({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      jwksUris: [
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json',
        'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json',
      ],
      awsIssuer: true,
    });
  });

  it('takes an AWS pool region from its id, refusing a COGNITO_REGION that contradicts it', () => {
    const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_ID: 'c' };
    // AWS_REGION usually says where the app runs, not where the pool is.
    expect(parseConfig({ ...pool, AWS_REGION: 'us-east-1' }).cognito).toMatchObject({ region: 'eu-west-1' });
    expect(parseConfig({ ...pool, COGNITO_REGION: 'eu-west-1' }).cognito).toMatchObject({ region: 'eu-west-1' });
    expect(problemsOf({ ...pool, COGNITO_REGION: 'ap-south-2' })).toEqual([
      'COGNITO_REGION is "ap-south-2" but the pool eu-west-1_AbC123 is in "eu-west-1": unset it or make them equal',
    ]);
  });

  it('accepts every pool id form aws-jwt-verify accepts', () => {
    for (const id of ['us-gov-west-1_Ab1', 'eusc-de-east-1_Ab1', 'ap-southeast-2_x']) {
      expect(parseConfig({ COGNITO_USER_POOL_ID: id, COGNITO_CLIENT_ID: 'c' }).cognito).toMatchObject({
        region: id.split('_')[0],
      });
    }
  });

  it('takes the region of a custom endpoint from COGNITO_REGION, then AWS_REGION, then the pool id', () => {
    const pool = { COGNITO_USER_POOL_ID: 'local_abc', COGNITO_CLIENT_ID: 'c', COGNITO_ENDPOINT: 'http://127.0.0.1:1' };
    expect(parseConfig(pool).cognito).toMatchObject({ region: 'local' });
    expect(parseConfig({ ...pool, AWS_REGION: 'us-east-1' }).cognito).toMatchObject({ region: 'us-east-1' });
    expect(parseConfig({ ...pool, AWS_REGION: 'us-east-1', COGNITO_REGION: 'x' }).cognito).toMatchObject({
      region: 'x',
    });
  });

  it('derives issuer and JWKS from a custom endpoint, and lets COGNITO_ISSUER override the issuer', () => {
    const env = {
      COGNITO_USER_POOL_ID: 'local_abc123',
      COGNITO_CLIENT_ID: 'c',
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229/',
      COGNITO_CLIENT_SECRET: 's3cret',
    };
    const pool = describePool(parseConfig(env).cognito as never);
    expect(pool).toMatchObject({
      endpoint: 'http://127.0.0.1:9229',
      issuer: 'http://127.0.0.1:9229/local_abc123',
      jwksUris: ['http://127.0.0.1:9229/local_abc123/.well-known/jwks.json'],
      clientSecret: 's3cret',
      awsIssuer: false,
    });
    const overridden = describePool(
      parseConfig({ ...env, COGNITO_ISSUER: 'http://localhost:9229/local_abc123' }).cognito as never,
    );
    expect(overridden.issuer).toBe('http://localhost:9229/local_abc123');
    expect(overridden.jwksUris).toEqual(['http://127.0.0.1:9229/local_abc123/.well-known/jwks.json']);
  });

  it('reads the password policy, port, timeout and production flag', () => {
    const config = parseConfig({
      COGNITO_USER_POOL_ID: 'eu-west-1_AbC123',
      COGNITO_CLIENT_ID: 'c',
      PORT: '8080',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
      COGNITO_TIMEOUT_MS: '1500',
      PASSWORD_MIN_LENGTH: '12',
      PASSWORD_REQUIRE_SYMBOLS: 'false',
      PASSWORD_REQUIRE_NUMBERS: '0',
    });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', production: true, cognitoTimeoutMs: 1500 });
    expect(config.passwordPolicy).toMatchObject({ minimumLength: 12, requireSymbols: false, requireNumbers: false });
    // JSON lines for a log collector in production.
    expect(config.logging).toEqual({ level: 'info', format: 'json' });
  });

  describe('what the schema tells a stranger (IDE, introspection, suggestions)', () => {
    const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_ID: 'c' };
    const exposure = (env: Record<string, string>) => {
      const { introspection, ide, suggestions } = parseConfig(env).graphql;
      return { introspection, ide, suggestions };
    };
    const open = { introspection: true, ide: true, suggestions: true };
    const closed = { introspection: false, ide: false, suggestions: false };

    it('keeps a pool closed unless NODE_ENV=development, even when NODE_ENV is forgotten or misspelt', () => {
      for (const NODE_ENV of ['production', '', 'prod', 'staging', 'test', 'Development']) {
        expect([NODE_ENV, exposure({ ...pool, NODE_ENV })]).toEqual([NODE_ENV, closed]);
      }
      expect(exposure(pool)).toEqual(closed);
      expect(exposure({ ...pool, NODE_ENV: 'development' })).toEqual(open);
    });

    it('opens the IDE and introspection of a pool when asked to, but never the suggestions', () => {
      const asked = { ...pool, GRAPHQL_IDE: 'true', GRAPHQL_INTROSPECTION: 'true' };
      expect(exposure(asked)).toEqual({ introspection: true, ide: true, suggestions: false });
      expect(exposure({ ...asked, NODE_ENV: 'production' })).toEqual({
        introspection: true,
        ide: true,
        suggestions: false,
      });
    });

    it('keeps the developer defaults on the embedded emulator, which can be closed too', () => {
      expect(exposure({})).toEqual(open);
      expect(exposure({ NODE_ENV: 'test' })).toEqual(open);
      expect(exposure({ GRAPHQL_IDE: 'false', GRAPHQL_INTROSPECTION: 'false' })).toEqual({
        ...closed,
        suggestions: true,
      });
    });
  });

  it('logs readable lines by default only where the IDE is on by default (pino-pretty is a devDependency)', () => {
    const pool = { COGNITO_USER_POOL_ID: 'eu-west-1_AbC123', COGNITO_CLIENT_ID: 'c' };
    const format = (env: Record<string, string>) => parseConfig(env).logging.format;
    expect(format({})).toBe('pretty');
    expect(format({ ...pool, NODE_ENV: 'development' })).toBe('pretty');
    for (const NODE_ENV of [undefined, 'production', 'prod', 'staging']) {
      expect([NODE_ENV, format({ ...pool, ...(NODE_ENV === undefined ? {} : { NODE_ENV }) })]).toEqual([
        NODE_ENV,
        'json',
      ]);
    }
  });

  it('reads the log level and format, and names the choices of a bad one', () => {
    expect(parseConfig({ LOG_LEVEL: 'WARN', LOG_FORMAT: 'json' }).logging).toEqual({ level: 'warn', format: 'json' });
    expect(problemsOf({ LOG_LEVEL: 'loud', LOG_FORMAT: 'xml' })).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace; got "loud"',
      'LOG_FORMAT must be one of json, pretty; got "xml"',
    ]);
  });

  it('reads the HTTP timeouts and connection limit, refusing a headers timeout longer than the request timeout', () => {
    expect(
      parseConfig({
        HTTP_REQUEST_TIMEOUT_MS: '5000',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
        HTTP_MAX_CONNECTIONS: '50',
        HTTP_MAX_CONNECTIONS_PER_CLIENT: '8',
      }).http,
    ).toEqual({
      requestTimeoutMs: 5000,
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 65000,
      maxConnections: 50,
      maxConnectionsPerClient: 8,
    });
    expect(parseConfig({}).http.maxConnectionsPerClient).toBe(100);
    // Behind trusted proxies every connection is a proxy's: no bound per client address.
    expect(parseConfig({ TRUST_PROXY: '1', HTTP_MAX_CONNECTIONS_PER_CLIENT: '8' }).http.maxConnectionsPerClient).toBe(
      0,
    );
    expect(problemsOf({ TRUST_PROXY: '1', HTTP_MAX_CONNECTIONS_PER_CLIENT: 'x' })).toEqual([
      'HTTP_MAX_CONNECTIONS_PER_CLIENT must be a whole number from 0 to 1000000; got "x"',
    ]);
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '0', HTTP_MAX_CONNECTIONS: 'many' })).toEqual([
      'HTTP_REQUEST_TIMEOUT_MS must be a whole number from 100 to 600000; got "0"',
      'HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000; got "many"',
    ]);
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '8000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS (8000) must not be longer than HTTP_REQUEST_TIMEOUT_MS (5000)',
    ]);
    expect(problemsOf({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '-1' })).toEqual([
      'HTTP_KEEP_ALIVE_TIMEOUT_MS must be a whole number from 100 to 600000; got "-1"',
    ]);
  });

  it('collects every problem, each naming its variable and what is expected', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      COGNITO_USER_POOL_ID: 'not a pool',
      COGNITO_ENDPOINT: 'ftp://x',
      PASSWORD_MIN_LENGTH: '3',
      PASSWORD_REQUIRE_LOWERCASE: 'maybe',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^PORT must be a whole number from 0 to 65535; got "eighty"/),
      expect.stringMatching(/^COGNITO_CLIENT_ID is required with COGNITO_USER_POOL_ID/),
      expect.stringMatching(/^COGNITO_ENDPOINT must be an http\(s\) URL/),
      expect.stringMatching(/^COGNITO_USER_POOL_ID must look like "local_AbC123"/),
      expect.stringMatching(/^PASSWORD_MIN_LENGTH must be a whole number from 6 to 99/),
      expect.stringMatching(/^PASSWORD_REQUIRE_LOWERCASE must be true or false/),
    ]);
  });

  it('refuses pool settings without a pool id rather than silently using the emulator', () => {
    expect(problemsOf({ COGNITO_CLIENT_ID: 'c' })).toEqual([
      expect.stringMatching(/^COGNITO_CLIENT_ID is set but COGNITO_USER_POOL_ID is not/),
    ]);
  });

  it('asks for COGNITO_ENDPOINT when an emulator pool id is given without one', () => {
    expect(problemsOf({ COGNITO_USER_POOL_ID: 'local_abc', COGNITO_CLIENT_ID: 'c' })).toEqual([
      expect.stringMatching(/COGNITO_USER_POOL_ID must look like .* also needs COGNITO_ENDPOINT/),
    ]);
  });

  it('refuses the embedded emulator in production: anyone can forge its tokens', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^COGNITO_USER_POOL_ID is required when NODE_ENV=production/),
    ]);
  });

  it('refuses the embedded emulator under a misspelt or other NODE_ENV too, and runs it unset, development or test', () => {
    for (const nodeEnv of ['prod', 'staging', 'Production']) {
      expect(problemsOf({ NODE_ENV: nodeEnv })).toEqual([
        expect.stringMatching(new RegExp(`^COGNITO_USER_POOL_ID is required when NODE_ENV=${nodeEnv}`)),
      ]);
    }
    for (const nodeEnv of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
      expect(parseConfig(nodeEnv).cognito.kind).toBe('embedded');
    }
  });

  it('in production, takes plain http only to this machine', () => {
    const pool = { NODE_ENV: 'production', COGNITO_USER_POOL_ID: 'local_abc', COGNITO_CLIENT_ID: 'c' };
    expect(parseConfig({ ...pool, COGNITO_ENDPOINT: 'http://127.0.0.1:9229' }).cognito).toMatchObject({
      endpoint: 'http://127.0.0.1:9229',
    });
    expect(parseConfig({ ...pool, COGNITO_ENDPOINT: 'https://cognito.example.com' }).cognito).toMatchObject({
      endpoint: 'https://cognito.example.com',
    });
    expect(problemsOf({ ...pool, COGNITO_ENDPOINT: 'http://cognito.example.com' })).toEqual([
      'COGNITO_ENDPOINT must use https in production (plain http only to localhost); got "http://cognito.example.com"',
    ]);
    expect(
      parseConfig({ ...pool, NODE_ENV: 'development', COGNITO_ENDPOINT: 'http://cognito-local:9229' }).cognito,
    ).toMatchObject({ endpoint: 'http://cognito-local:9229' });
  });

  it('in production, takes COGNITO_ISSUER over plain http only to this machine too', () => {
    const pool = {
      NODE_ENV: 'production',
      COGNITO_USER_POOL_ID: 'local_abc',
      COGNITO_CLIENT_ID: 'c',
      COGNITO_ENDPOINT: 'https://cognito.example.com',
    };
    expect(parseConfig({ ...pool, COGNITO_ISSUER: 'http://localhost:9229/local_abc' }).cognito).toMatchObject({
      issuer: 'http://localhost:9229/local_abc',
    });
    expect(problemsOf({ ...pool, COGNITO_ISSUER: 'http://cognito.example.com/local_abc' })).toEqual([
      'COGNITO_ISSUER must use https in production (plain http only to localhost); got "http://cognito.example.com/local_abc"',
    ]);
  });

  it.each(['COGNITO_ENDPOINT', 'COGNITO_ISSUER'])(
    'refuses credentials in %s, naming it without quoting them',
    (name) => {
      const pool = {
        COGNITO_USER_POOL_ID: 'local_abc',
        COGNITO_CLIENT_ID: 'c',
        COGNITO_ENDPOINT: 'http://127.0.0.1:9229',
      };
      for (const [url, shown] of [
        ['http://svc:s3cret@cognito.internal:9229', 'http://…@cognito.internal:9229'],
        ['http://svc@cognito.internal:9229', 'http://…@cognito.internal:9229'],
        ['http://:s3cret@cognito.internal:9229', 'http://…@cognito.internal:9229'],
        ['https://svc:s3cr@t@cognito.internal/local_abc', 'https://…@cognito.internal/local_abc'],
      ]) {
        expect(problemsOf({ ...pool, [name]: url })).toEqual([
          `${name} must not contain credentials (user:password@); got "${shown}"`,
        ]);
      }
    },
  );

  it('quotes no credentials in any URL problem, even in a value that is no URL', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      COGNITO_USER_POOL_ID: 'local_abc',
      COGNITO_CLIENT_ID: 'c',
      COGNITO_ENDPOINT: 'http://svc:a/b@cognito.internal',
      COGNITO_ISSUER: 'ftp://svc:s3cret@cognito.internal',
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/svc|s3cret|a\/b/);
  });

  it('never echoes the client secret in its messages', () => {
    const error = (() => {
      try {
        return parseConfig({ COGNITO_CLIENT_SECRET: 'top-secret-value' });
      } catch (e) {
        return e as Error;
      }
    })() as Error;
    expect(error.message).not.toContain('top-secret-value');
  });

  describe('Redis', () => {
    it('is off unless REDIS_URL or REDIS_CLUSTER_NODES is set', () => {
      expect(parseConfig({}).redis).toBeUndefined();
      expect(parseConfig({ REDIS_KEY_PREFIX: 'x:', REDIS_TIMEOUT_MS: '200' }).redis).toBeUndefined();
    });

    it('reads one Redis from REDIS_URL: TLS, user, password (percent-encoded) and database', () => {
      expect(parseConfig({ REDIS_URL: 'rediss://app:p%40ss@redis.internal:6380/2' }).redis).toEqual({
        nodes: [{ host: 'redis.internal', port: 6380 }],
        cluster: false,
        username: 'app',
        password: 'p@ss',
        tls: true,
        db: 2,
        keyPrefix: 'cga:',
        timeoutMs: 1000,
      });
      expect(parseConfig({ REDIS_URL: 'redis://[::1]' }).redis).toMatchObject({
        nodes: [{ host: '::1', port: 6379 }],
        tls: false,
        db: 0,
        username: undefined,
        password: undefined,
      });
    });

    it('reads the seed nodes of a cluster from REDIS_CLUSTER_NODES', () => {
      expect(
        parseConfig({
          REDIS_CLUSTER_NODES: 'redis://:pw@10.0.0.1:7000, redis://10.0.0.2:7001',
          REDIS_KEY_PREFIX: 'app1:',
        }).redis,
      ).toMatchObject({
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
        ],
        cluster: true,
        password: 'pw',
        db: 0,
        keyPrefix: 'app1:',
      });
    });

    it('names every bad Redis setting, never quoting a password', () => {
      const problems = problemsOf({
        REDIS_URL: 'http://user:s3cret@redis:6379',
        REDIS_KEY_PREFIX: 'has space',
        REDIS_TIMEOUT_MS: '10',
      });
      expect(problems).toEqual([
        'REDIS_TIMEOUT_MS must be a whole number from 50 to 60000; got "10"',
        'REDIS_KEY_PREFIX must be at most 64 letters, digits or _ : . - ; got "has space"',
        'REDIS_URL must be a URL such as "redis://:password@host:6379/0" (rediss:// for TLS; database 0 to 15); got "http://…@redis:6379"',
      ]);
      expect(problemsOf({ REDIS_URL: 'redis://h/db' })).toHaveLength(1);
      expect(problemsOf({ REDIS_URL: 'redis://h/16' })).toHaveLength(1);
      expect(parseConfig({ REDIS_URL: 'redis://h/15' }).redis?.db).toBe(15);
      expect(problemsOf({ REDIS_URL: 'redis://h:6379/0?x=1' })).toHaveLength(1);
      expect(problemsOf({ REDIS_URL: 'redis://h', REDIS_CLUSTER_NODES: 'redis://h' })).toEqual([
        'REDIS_URL and REDIS_CLUSTER_NODES are both set: set REDIS_URL for one Redis, or REDIS_CLUSTER_NODES for a cluster',
      ]);
      expect(problemsOf({ REDIS_CLUSTER_NODES: 'redis://h:7000/3' })).toEqual([
        'REDIS_CLUSTER_NODES must not name a database (a cluster has only database 0)',
      ]);
    });

    it('quotes no password of a mistyped Redis URL', () => {
      for (const raw of ['redis:/:Hunter2@host:6379', 'redis:Hunter2@host', ':Hunter2@host:6379', 'Hunter2@h@host']) {
        const problems = [
          ...problemsOf({ REDIS_URL: raw }),
          ...problemsOf({ REDIS_CLUSTER_NODES: `redis://h:1,${raw}` }),
        ];
        expect(problems).toHaveLength(2);
        expect(problems.join('\n')).not.toContain('Hunter2');
      }
    });
  });
});

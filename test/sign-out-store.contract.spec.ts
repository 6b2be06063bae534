import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceUnavailableError } from '../src/errors/app-errors';
import { InMemoryAttemptStore } from '../src/rate-limit/attempt-store';
import { RedisAttemptStore } from '../src/rate-limit/redis-attempt-store';
import { RedisLink } from '../src/redis/redis-link';
import { RedisSignOutStore } from '../src/sessions/redis-sign-out-store';
import { InMemorySignOutStore, SignOut, SignOutStore, userKey } from '../src/sessions/sign-out-store';
import {
  Backend,
  connect,
  freshPrefix,
  portsOf,
  redisForContracts,
  RedisTarget,
  until,
} from './support/redis-contract';
import { dumpKeys } from './support/redis-dump';
import { RedisServer, startRedis } from './support/redis-server';
import { SlowProxy } from './support/slow-proxy';

/**
 * One set of semantics, several backends (issue 13): every case below runs against the memory
 * store and the Redis store, on one Redis and on a three-master cluster; then what only Redis
 * does (several instances, start-up, Redis lost or down). Each test has stores of its own: in
 * Redis, a key prefix of its own.
 */

const DAY = 86_400_000;
/** How long a write-back or a retried write may take: an instance checks Redis every 5 s (plus a 2 s read). */
const WRITE_BACK_MS = 12_000;
const now = () => Math.floor(Date.now() / 1000);

/** A store that is ready, and how to let it go. */
interface Opened {
  store: SignOutStore;
  close(): Promise<void>;
}

/** What a running instance has: its link and its store, following the log. */
interface Instance {
  link: RedisLink;
  store: RedisSignOutStore;
  stop(): Promise<void>;
}

/** An instance as the server makes one (onModuleInit starts following the log), not awaited ready. */
async function instance(target: RedisTarget, prefix: string, retentionMs: number): Promise<Instance> {
  const link = await connect(target, prefix);
  const store = new RedisSignOutStore(link, retentionMs);
  store.onModuleInit();
  return {
    link,
    store,
    async stop() {
      store.onApplicationShutdown();
      await link.close();
    },
  };
}

/** Every instance a test started, stopped after it (also when it failed). */
const running: Instance[] = [];
async function started(target: RedisTarget, prefix: string, retentionMs = DAY): Promise<Instance> {
  const one = await instance(target, prefix, retentionMs);
  running.push(one);
  return one;
}
async function readyInstance(target: RedisTarget, prefix: string, retentionMs = DAY): Promise<Instance> {
  const one = await started(target, prefix, retentionMs);
  await until(() => one.store.ready, 'the store ready');
  return one;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((one) => one.stop()));
});

const memory: Backend<Opened, [number]> = {
  name: 'in memory',
  async open(retentionMs) {
    return { store: new InMemorySignOutStore(retentionMs), close: async () => undefined };
  },
};

const { redis, redisSingle, redisCluster } = redisForContracts<Opened, [number]>((name, target) => ({
  name,
  target,
  async open(retentionMs) {
    const { store } = await readyInstance(target(), freshPrefix('so'), retentionMs);
    return { store, close: async () => undefined };
  },
}));

describe.each([memory, redisSingle, redisCluster])('SignOutStore $name', (backend) => {
  let opened: Opened | undefined;
  const open = async (retentionMs = DAY) => {
    opened = await backend.open(retentionMs);
    return opened.store;
  };
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('finds what it recorded, for that user only', async () => {
    const store = await open();
    const t = now();
    await store.record('alice', { upTo: t });
    await store.record('carol', { upTo: t, keptSession: 'session-c' });
    expect(store.find('alice')).toEqual({ upTo: t });
    expect(store.find('carol')).toEqual({ upTo: t, keptSession: 'session-c' });
    expect(store.find('bob')).toBeUndefined();
    expect(store.writable).toBe(true);
    expect(store.ready).toBe(true);
  });

  it('finds by the exact username: no case folding, no trimming', async () => {
    const store = await open();
    await store.record('Alice', { upTo: now() });
    expect(store.find('Alice')).toBeDefined();
    for (const other of ['alice', 'ALICE', ' Alice', 'Alice ']) expect(store.find(other)).toBeUndefined();
  });

  it('keeps the later of two sign-outs, whatever order they come in', async () => {
    const store = await open();
    const t = now();
    await store.record('alice', { upTo: t });
    await store.record('alice', { upTo: t - 5 });
    expect(store.find('alice')).toEqual({ upTo: t });
    // A later one that keeps a session (a password change) wins over an earlier one that kept none.
    await store.record('alice', { upTo: t + 1, keptSession: 'session-a' });
    expect(store.find('alice')).toEqual({ upTo: t + 1, keptSession: 'session-a' });
  });

  it('of two sign-outs in one second, keeps the one that keeps no session, in either order', async () => {
    const store = await open();
    const t = now();
    await store.record('alice', { upTo: t, keptSession: 'session-a' });
    await store.record('alice', { upTo: t });
    await store.record('bob', { upTo: t });
    await store.record('bob', { upTo: t, keptSession: 'session-b' });
    expect(store.find('alice')).toEqual({ upTo: t });
    expect(store.find('bob')).toEqual({ upTo: t });
    // Two that keep different sessions: the same one wins whichever came first.
    await store.record('carol', { upTo: t, keptSession: 'session-2' });
    await store.record('carol', { upTo: t, keptSession: 'session-1' });
    await store.record('dave', { upTo: t, keptSession: 'session-1' });
    await store.record('dave', { upTo: t, keptSession: 'session-2' });
    expect(store.find('carol')?.keptSession).toBe(store.find('dave')?.keptSession);
  });

  it('forgets a sign-out once its retention is over', async () => {
    const store = await open(1000);
    // Up to the next second: remembered for at least the retention from now, at most a second more.
    await store.record('alice', { upTo: now() + 1 });
    expect(store.find('alice')).toBeDefined();
    await until(() => store.find('alice') === undefined, 'the sign-out forgotten', 10_000);
  });
});

describe.each([redisSingle, redisCluster])('RedisSignOutStore $name: several instances', (backend) => {
  let prefix: string;
  beforeEach(() => {
    prefix = freshPrefix('so');
  });

  it('lets every other instance find a sign-out recorded on one, merged the same way', async () => {
    const [a, b] = await Promise.all([
      readyInstance(backend.target(), prefix),
      readyInstance(backend.target(), prefix),
    ]);
    const t = now();
    const expected: Record<string, SignOut> = {
      alice: { upTo: t },
      bob: { upTo: t + 1, keptSession: 'session-b' },
    };
    await a.store.record('alice', { upTo: t, keptSession: 'session-a' });
    await a.store.record('alice', { upTo: t });
    await a.store.record('bob', { upTo: t + 1, keptSession: 'session-b' });
    await a.store.record('bob', { upTo: t });
    await until(
      () => Object.entries(expected).every(([user, signOut]) => equal(b.store.find(user), signOut)),
      'the sign-outs found on the other instance',
      5000,
      1,
    );
    for (const [user, signOut] of Object.entries(expected)) expect(a.store.find(user)).toEqual(signOut);
  });

  it('reports an instance started later ready only once it has read every record (several pages of them)', async () => {
    const a = await readyInstance(backend.target(), prefix);
    const t = now();
    // More than the 1000 read at once, so that being ready after the first page would show.
    const users = Array.from({ length: 2500 }, (_, i) => `user-${i}`);
    for (let i = 0; i < users.length; i += 250) {
      await Promise.all(users.slice(i, i + 250).map((user) => a.store.record(user, { upTo: t })));
    }
    const late = await started(backend.target(), prefix);
    // Looked at the moment it first says ready (polled every millisecond).
    let missingWhenReady: string[] | undefined;
    await until(
      () => {
        if (!late.store.ready) return false;
        missingWhenReady = users.filter((user) => late.store.find(user) === undefined);
        return true;
      },
      'the later instance ready',
      20_000,
      1,
    );
    expect(missingWhenReady).toEqual([]);
  });

  it('gives every key it writes an expiry no longer than the retention', async () => {
    const a = await readyInstance(backend.target(), prefix, DAY);
    await a.store.record('alice', { upTo: now() });
    const keys = await dumpKeys(portsOf(backend.target()), prefix);
    expect(keys.map((key) => key.name).sort()).toEqual([a.link.key('{signouts}:epoch'), a.link.key('{signouts}:log')]);
    for (const { name, pttl } of keys) {
      expect({ name, expires: pttl > 0 && pttl <= DAY }).toEqual({ name, expires: true });
    }
  });

  it('keeps no username in Redis, only a hash of it', async () => {
    const a = await readyInstance(backend.target(), prefix);
    const names = ['Alice.Smith@example.com', 'bob-the-builder'];
    for (const name of names) await a.store.record(name, { upTo: now(), keptSession: 'session-x' });
    const keys = (await dumpKeys(portsOf(backend.target()), prefix)).map((key) => key.name);
    const entries = await a.link.client.xrange(a.link.key('{signouts}:log'), '-', '+');
    expect(entries).toHaveLength(names.length);
    for (const [, fields] of entries) {
      expect(fields).toEqual([
        'u',
        expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        't',
        expect.any(String),
        'k',
        'session-x',
      ]);
    }
    const everything = JSON.stringify([
      keys,
      entries,
      await a.link.client.get(a.link.key('{signouts}:epoch')),
    ]).toLowerCase();
    for (const name of names) {
      for (const part of [name, ...name.split(/[.@-]/).filter((p) => p.length > 3)]) {
        expect(everything).not.toContain(part.toLowerCase());
      }
    }
  });
});

describe('RedisSignOutStore when Redis fails', () => {
  let server: RedisServer;
  let prefix: string;
  const target = () => ({ url: server.url });
  const logKey = () => `${prefix}{signouts}:log`;
  const epochKey = () => `${prefix}{signouts}:epoch`;

  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    prefix = freshPrefix('so');
  });

  it('refuses a record with SERVICE_UNAVAILABLE while Redis is down (and says it is not writable first), keeps it, and writes it once Redis is back', async () => {
    const a = await readyInstance(target(), prefix);
    await server.kill();
    await until(() => !a.store.writable, 'the store not writable');
    // Still ready: it read the log at start-up, and every instance would be unready at once.
    expect(a.store.ready).toBe(true);
    const refused = a.store.record('alice', { upTo: now() });
    await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(refused).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(a.store.find('alice')).toBeDefined();

    await server.start();
    await until(() => a.store.writable, 'the store writable again');
    await a.store.record('bob', { upTo: now() });
    await until(async () => Number(await server.cli('xlen', logKey())) >= 2, 'alice written once Redis is back');
    const b = await readyInstance(target(), prefix);
    expect(b.store.find('bob')).toBeDefined();
    expect(b.store.find('alice')).toBeDefined();
  });

  it('writes back what it holds when Redis restarts empty, so that an instance started after finds it', async () => {
    const a = await readyInstance(target(), prefix);
    const t = now();
    await a.store.record('alice', { upTo: t });
    await a.store.record('bob', { upTo: t, keptSession: 'session-b' });
    const logged = redis.logs.lines.length;

    await server.restartEmpty();
    await until(async () => Number(await server.cli('xlen', logKey())) >= 2, 'the sign-outs written back', 15_000);
    const b = await readyInstance(target(), prefix);
    expect(b.store.find('alice')).toEqual({ upTo: t });
    expect(b.store.find('bob')).toEqual({ upTo: t, keptSession: 'session-b' });
    const said = redis.logs.lines.slice(logged).filter((line) => /^(log|warn|error) \[SignOuts\]/.test(line));
    expect(said).toEqual([expect.stringMatching(/^warn .*Redis had lost the sign-outs: wrote back the 2/)]);
  });

  it('writes back only sign-outs still in their retention once the log has expired', async () => {
    const a = await readyInstance(target(), prefix, 1500);
    await a.store.record('alice', { upTo: now() });
    // Nothing recorded for a whole retention: both keys expire, and alice's record with them.
    await until(async () => (await server.cli('exists', `${prefix}{signouts}:epoch`)) === '0', 'the epoch expired');
    const logged = redis.logs.lines.length;
    // Bob's record must outlive the wait for the write-back (the reader may notice only after its 2 s block).
    await a.store.record('bob', { upTo: now() + 10 });
    // The instance finds the epoch gone (as after a Redis restart), and writes back what it holds.
    const wroteBack = () =>
      redis.logs.lines.slice(logged).find((line) => /^warn \[SignOuts\] Redis had lost the sign-outs/.test(line));
    await until(() => wroteBack() !== undefined, 'the write-back');
    expect(wroteBack()).toMatch(/wrote back the 1 /);
    const users = (await a.link.client.xrange(logKey(), '-', '+')).map(([, fields]) => fields[1]);
    expect(users).not.toContain(userKey('alice'));
    expect(users).toContain(userKey('bob'));
  });

  it('writes a record Redis did not take once it can, without Redis having lost anything (no new epoch)', async () => {
    // A reaches Redis through a proxy that can cut it off; B reaches it directly.
    const proxy = new SlowProxy(server.port);
    await proxy.start();
    try {
      const a = await readyInstance({ url: `redis://127.0.0.1:${proxy.port}` }, prefix);
      const b = await readyInstance(target(), prefix);
      await a.store.record('bob', { upTo: now() });
      const epoch = await server.cli('get', epochKey());
      const logged = Number(await server.cli('xlen', logKey()));

      proxy.cut();
      await until(() => !a.store.writable, 'A cut off from Redis');
      const refused = a.store.record('alice', { upTo: now() });
      await expect(refused).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(a.store.find('alice')).toBeDefined();

      proxy.restore();
      await until(() => b.store.find('alice') !== undefined, 'alice found on B', WRITE_BACK_MS);
      expect(Number(await server.cli('xlen', logKey()))).toBeGreaterThan(logged);
      // Written as a pending record, not as a write-back after a loss: the epoch is the one before.
      expect(await server.cli('get', epochKey())).toBe(epoch);
    } finally {
      await proxy.stop();
    }
  });

  it('writes back what it holds after FLUSHALL, with no further record to notice it by', async () => {
    const [a, b] = await Promise.all([readyInstance(target(), prefix), readyInstance(target(), prefix)]);
    const t = now();
    await a.store.record('alice', { upTo: t });
    await b.store.record('bob', { upTo: t, keptSession: 'session-b' });
    await until(() => a.store.find('bob') !== undefined && b.store.find('alice') !== undefined, 'both read both');
    const logged = redis.logs.lines.length;

    await server.cli('flushall');
    // Nothing is recorded from here on: only the instances' own checks can find the loss.
    await until(
      async () => Number(await server.cli('xlen', logKey())) >= 2,
      'the sign-outs written back',
      WRITE_BACK_MS,
    );
    expect(await server.cli('exists', epochKey())).toBe('1');
    const c = await readyInstance(target(), prefix);
    expect(c.store.find('alice')).toEqual({ upTo: t });
    expect(c.store.find('bob')).toEqual({ upTo: t, keptSession: 'session-b' });
    const said = redis.logs.lines.slice(logged).filter((line) => /Redis had lost the sign-outs/.test(line));
    expect(said.length).toBeGreaterThanOrEqual(1);
  });

  it('writes back what it holds when the log lost its last records but kept its epoch (a failover, a restore)', async () => {
    const [a, b] = await Promise.all([readyInstance(target(), prefix), readyInstance(target(), prefix)]);
    const t = now();
    await a.store.record('alice', { upTo: t });
    await a.store.record('bob', { upTo: t });
    await until(() => b.store.find('bob') !== undefined, 'bob read on B');
    // The log as a replica or a saved file would hold it, one record behind.
    const client = a.link.client;
    const older = await client.dumpBuffer(logKey());
    const ttl = await client.pttl(logKey());
    await a.store.record('carol', { upTo: t });
    // B has read carol's record: the log it finds next ends before the last record it read.
    await until(() => b.store.find('carol') !== undefined, 'carol read on B');
    const epoch = await server.cli('get', epochKey());

    await client.restore(logKey(), ttl, older, 'REPLACE');
    expect(await usersInLog()).not.toContain(userKey('carol'));
    await until(async () => (await usersInLog()).includes(userKey('carol')), 'carol written back', WRITE_BACK_MS);
    expect(await server.cli('get', epochKey())).toBe(epoch);
    const c = await readyInstance(target(), prefix);
    for (const user of ['alice', 'bob', 'carol'])
      expect({ user, found: c.store.find(user) }).toEqual({ user, found: { upTo: t } });
  });

  /** The user keys of the log's records. */
  async function usersInLog(): Promise<string[]> {
    const records = (await server.cli('xrange', logKey(), '-', '+')).split('\n');
    return records.filter((line) => /^[A-Za-z0-9_-]{22}$/.test(line));
  }
});

/**
 * The rights README.md gives the server's ACL user: its `ACL SETUSER` line as written there (and,
 * on a cluster, the rules it adds), for this test's prefix and password.
 */
function aclFromReadme(name: string, keyPrefix: string, password: string, cluster: boolean): string[] {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const line = /`ACL SETUSER cga ([^`]+)`/.exec(readme)?.[1];
  const onCluster = /on a cluster,\s+on\s+every\s+node,\s+also\s+`([^`]+)`/.exec(readme)?.[1];
  if (!line || !onCluster)
    throw new Error('README.md names no ACL SETUSER line for the server (and its cluster rules)');
  const rules = line
    .split(/\s+/)
    .map((rule) => (rule === '~cga:*' ? `~${keyPrefix}*` : rule === '>PASSWORD' ? `>${password}` : rule));
  if (!rules.includes(`~${keyPrefix}*`) || !rules.includes(`>${password}`)) {
    throw new Error(`README.md's ACL line names no ~cga:* or >PASSWORD: ${line}`);
  }
  return ['ACL', 'SETUSER', name, ...rules, ...(cluster ? onCluster.split(/\s+/) : [])];
}

const redisCli = async (port: number, ...args: string[]) =>
  (await promisify(execFile)('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 })).stdout.trim();

describe.each([
  {
    name: 'one Redis, database 3',
    cluster: false,
    ports: () => [redis.single.port],
    target: (user: string): RedisTarget => ({ url: `redis://${user}@127.0.0.1:${redis.single.port}/3` }),
  },
  {
    name: 'a Redis Cluster (3 masters)',
    cluster: true,
    ports: () => redis.cluster.ports,
    target: (user: string): RedisTarget => ({
      nodes: redis.cluster.ports.map((port) => `redis://${user}@127.0.0.1:${port}`).join(','),
    }),
  },
])(
  'the Redis stores as an ACL user with the rights README.md names ($name)',
  ({ cluster: isCluster, ports, target }) => {
    const user = `cga-${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const prefix = freshPrefix('acl');

    beforeAll(async () => {
      for (const port of ports()) {
        expect(await redisCli(port, ...aclFromReadme(user, prefix, password, isCluster))).toBe('OK');
        await redisCli(port, 'ACL', 'LOG', 'RESET');
      }
    });
    afterAll(async () => {
      for (const port of ports()) await redisCli(port, 'ACL', 'DELUSER', user);
    });

    it('records, finds, counts and loads with no command refused (ACL LOG empty on every node)', async () => {
      const logged = redis.logs.lines.length;
      const as = target(`${user}:${password}`);
      const a = await readyInstance(as, prefix);
      const t = now();
      await a.store.record('alice', { upTo: t, keptSession: 'session-a' });
      expect(a.store.find('alice')).toEqual({ upTo: t, keptSession: 'session-a' });
      expect(await a.store.canRecord()).toBe(true);

      const fallback = new InMemoryAttemptStore();
      const attempts = new RedisAttemptStore(a.link, fallback);
      expect((await attempts.increment('k', 60_000)).count).toBe(1);
      expect((await attempts.increment('k', 60_000)).count).toBe(2);
      await attempts.decrement('k');
      expect((await attempts.increment('k', 60_000)).count).toBe(2);
      await attempts.decrement('k');
      await attempts.decrement('k');
      // Counted in Redis, not in the fallback a refused script would have used.
      expect(fallback.usage.keys).toBe(0);

      // A second instance loads the log (XREAD on the main connection, then XREAD BLOCK on its own).
      const b = await readyInstance(as, prefix);
      expect(b.store.find('alice')).toEqual({ upTo: t, keptSession: 'session-a' });
      await a.store.record('bob', { upTo: t });
      await until(() => b.store.find('bob') !== undefined, 'bob read on the second instance');

      for (const port of ports())
        expect({ port, denied: await redisCli(port, 'ACL', 'LOG') }).toEqual({ port, denied: '' });
      const warned = redis.logs.lines
        .slice(logged)
        .filter((line) => /^(warn|error) \[(SignOuts|RateLimit|Redis)\]/.test(line));
      expect(warned).toEqual([]);
      if (!isCluster) {
        // In the database the URL names (SELECT granted and sent).
        expect(await redis.single.cli('-n', '3', 'xlen', `${prefix}{signouts}:log`)).toBe('2');
        expect(await redis.single.cli('-n', '0', 'exists', `${prefix}{signouts}:log`)).toBe('0');
      }
      // The rights are those of the user, not more: another prefix, another command, are refused.
      await expect(a.link.client.set('other:key', 'x')).rejects.toThrow(/NOPERM/);
      await expect(a.link.client.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    });
  },
);

function equal(a: SignOut | undefined, b: SignOut): boolean {
  return a !== undefined && a.upTo === b.upTo && a.keptSession === b.keptSession;
}

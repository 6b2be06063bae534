import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../common/text';
import { RedisClient, RedisLink } from '../redis/redis-link';
import { refusedOrTimedOut } from '../redis/redis-errors';
import { defineScript, RedisScript } from '../redis/redis-script';
import { notRecordable, SignOut, SignOutStore, SignOutTable, stricter, userKey } from './sign-out-store';

/**
 * Appends one sign-out to the log and keeps both keys alive for the retention: the log as long as
 * its newest record matters (older records are trimmed by MINID, the time of their id), the epoch
 * with it. Answers the epoch, so that the writer learns when Redis has lost its data.
 * KEYS: log, epoch. ARGV: retention (ms), oldest id kept, user key, upTo, kept session or "".
 */
const RECORD = `
redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[2], '*', 'u', ARGV[3], 't', ARGV[4], 'k', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return redis.call('GET', KEYS[2])
`;

/** XREAD's answer for one stream: its name and its records (id, then field, value, …), or null. */
type StreamReply = [string, [string, string[]][]][] | null;

// Records read at once (start-up, catching up after a reconnection), and written back at once.
const BATCH = 1000;
// How long one read waits for new records; a new record ends the wait at once.
const BLOCK_MS = 2000;
// How often an instance checks that Redis still holds what it has read (a flush, a failover to a
// replica that missed the last writes, a restore from an older file) and retries its failed writes.
const CHECK_EVERY_MS = 5000;

/**
 * Sign-outs shared by every instance through Redis, checked from memory.
 *
 * Every instance keeps all sign-outs of the retention in memory (a SignOutTable) and checks
 * requests against it: no request waits for Redis. Redis holds them as one stream, the log, which
 * each instance follows from the last record it read (XREAD BLOCK on a connection of its own), so
 * a record made on one instance reaches the others within a round trip, and an instance that was
 * cut off reads what it missed when it is back. An instance reads the whole log before it reports
 * ready. The log and an epoch key (a random id, made again by whoever finds it missing) share one
 * hash slot, `{signouts}`, so a cluster runs the script that writes both.
 *
 * A record is answered once Redis has it (else ServiceUnavailableError: a success other instances
 * would not honour is never answered); one Redis did not take is kept here and written as soon as
 * it can be. A Redis that lost data is found out by a new epoch (restarted empty, flushed) or by a
 * log that ends before the last record read (a failover or restore that lost the last writes), at
 * each reconnection and every CHECK_EVERY_MS; each instance then writes back every record it holds.
 * Records merge by `stricter`, so replays and several instances writing back one record are harmless.
 *
 * Ready once the log has been read after start-up. Losing Redis later does not unready an
 * instance: every instance would go at once, and each still knows every sign-out it read.
 */
export class RedisSignOutStore implements SignOutStore, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SignOuts');
  private readonly table: SignOutTable;
  private readonly reader: RedisClient;
  private readonly writeRecord: RedisScript;
  private readonly logKey: string;
  private readonly epochKey: string;
  /** The epoch of the Redis whose log we read, and how far. */
  private epoch?: string;
  private lastId = '0-0';
  private needsSync = true;
  private checkedAt = 0;
  private caughtUp = false;
  private loaded = false;
  private stopped = false;
  /** Records Redis did not take: written when it does. */
  private readonly pending = new Map<string, SignOut>();
  /** What goes wrong with Redis while it is connected (a refused script, a timeout), said once. */
  private problem?: string;

  constructor(
    private readonly link: RedisLink,
    private readonly retentionMs: number,
  ) {
    this.table = new SignOutTable(retentionMs);
    this.logKey = link.key('{signouts}:log');
    this.epochKey = link.key('{signouts}:epoch');
    this.writeRecord = defineScript(link.client, 'cgaRecordSignOut', RECORD, 2);
    this.reader = link.blockingConnection();
    // Its failures show in follow(); the link's connection logs Redis's comings and goings.
    this.reader.on('error', () => undefined);
  }

  /** Every sign-out Redis held has been read, since start-up. */
  get ready(): boolean {
    return this.loaded;
  }

  get writable(): boolean {
    return this.link.ready;
  }

  /**
   * Asks Redis, within the timeout: a frozen Redis keeps its connection "ready" and is found out
   * only by a call that gets no answer. (GET of the epoch key: on a cluster, the very node that
   * takes the records, and a command the records need anyway.) Without it, a password change on a
   * frozen Redis was made at Cognito and then answered SERVICE_UNAVAILABLE when its sign-out timed
   * out.
   */
  async canRecord(): Promise<boolean> {
    if (!this.writable) return false;
    try {
      await this.link.client.get(this.epochKey);
      return true;
    } catch {
      return false;
    }
  }

  onModuleInit(): void {
    void this.follow();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    // At once: a QUIT would wait behind the XREAD BLOCK in flight (up to BLOCK_MS), and forever on
    // a frozen Redis (this connection has no command timeout); it only reads, so nothing is lost.
    this.reader.disconnect();
  }

  async record(username: string, signOut: SignOut): Promise<void> {
    const user = userKey(username);
    // Honoured here at once, whatever Redis answers.
    this.table.put(user, signOut);
    let epoch: unknown;
    try {
      epoch = await this.write(user, signOut);
    } catch (error) {
      // Kept, and written as soon as Redis takes it: the caller hears SERVICE_UNAVAILABLE (it is not
      // known everywhere yet), and this instance already refuses the session, retries included.
      const known = this.pending.get(user);
      this.pending.set(user, known ? stricter(known, signOut) : signOut);
      this.failed('A sign-out was not written to Redis', error);
      throw notRecordable();
    }
    this.recovered();
    if (epoch !== this.epoch) this.needsSync = true;
  }

  find(username: string): SignOut | undefined {
    return this.table.get(userKey(username));
  }

  private write(user: string, { upTo, keptSession }: SignOut): Promise<unknown> {
    const oldestKept = `${Date.now() - this.retentionMs}-0`;
    return this.writeRecord(
      [this.logKey, this.epochKey],
      [this.retentionMs, oldestKept, user, upTo, keptSession ?? ''],
    );
  }

  /** Reads the log for as long as the process runs, through every loss of Redis. */
  private async follow(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (!this.link.ready || this.reader.status !== 'ready') {
        // Connecting (or reconnecting): nothing to try yet, and nothing worth a log line.
        this.needsSync = true;
        this.caughtUp = false;
        await sleep(50);
        continue;
      }
      try {
        if (this.needsSync || Date.now() - this.checkedAt >= CHECK_EVERY_MS) await this.sync();
        await this.readMore();
        failures = 0;
        this.recovered();
      } catch (error) {
        if (this.stopped) return;
        failures++;
        this.failed('Sign-outs could not be read from Redis', error);
        this.needsSync = true;
        this.caughtUp = false;
        await sleep(Math.min(failures * 100, 1000));
      }
    }
  }

  /**
   * On each (re)connection, and every CHECK_EVERY_MS: is this the Redis we read, holding all we
   * read? If not (start-up, or Redis lost data), the log is read again from its start, and what
   * we hold is written back. Then the writes Redis did not take are tried again.
   */
  private async sync(): Promise<void> {
    this.needsSync = false; // a loss reported while this runs asks for another
    this.checkedAt = Date.now();
    const client = this.link.client;
    const [epoch, newest] = await Promise.all([
      client.get(this.epochKey),
      client.xrevrange(this.logKey, '+', '-', 'COUNT', 1),
    ]);
    const logBehind = compareIds(newest[0]?.[0] ?? '0-0', this.lastId) < 0;
    if (epoch === null || epoch !== this.epoch || logBehind) {
      const lost = this.epoch !== undefined;
      if (epoch === null) await client.set(this.epochKey, randomUUID(), 'PX', this.retentionMs, 'NX');
      this.epoch = (await client.get(this.epochKey)) ?? undefined;
      this.lastId = '0-0';
      this.caughtUp = false;
      const held = await this.writeAll(this.table.entries());
      if (lost && held > 0) {
        this.logger.warn(`Redis had lost the sign-outs: wrote back the ${held} this instance holds`);
      }
    }
    if (this.pending.size > 0) {
      const pending = [...this.pending];
      await this.writeAll(pending.values());
      for (const [user, signOut] of pending) if (this.pending.get(user) === signOut) this.pending.delete(user);
    }
  }

  /** Writes records in batches; answers how many. */
  private async writeAll(records: Iterable<[string, SignOut]>): Promise<number> {
    const all = [...records];
    for (let i = 0; i < all.length; i += BATCH) {
      await Promise.all(all.slice(i, i + BATCH).map(([user, signOut]) => this.write(user, signOut)));
    }
    return all.length;
  }

  /**
   * Until caught up, reads without waiting, on the connection whose calls time out (a read that
   * times out must fail, not pass for an empty log); then waits for the next records on its own.
   */
  private async readMore(): Promise<void> {
    const [client, wait] = this.caughtUp ? [this.reader, ['BLOCK', BLOCK_MS]] : [this.link.client, []];
    const xread = client.xread.bind(client) as (...args: (string | number)[]) => Promise<StreamReply>;
    const reply = await xread('COUNT', BATCH, ...wait, 'STREAMS', this.logKey, this.lastId);
    const records = reply?.[0]?.[1] ?? [];
    for (const [id, fields] of records) {
      this.apply(fields);
      this.lastId = id;
    }
    if (records.length < BATCH && !this.caughtUp) {
      this.caughtUp = true;
      this.loaded = true;
    }
  }

  /**
   * Said once until Redis works again. A lost connection is the link's to report; what goes wrong
   * while it is up (a timeout, a script Redis refuses: an ACL, out of memory) is said here.
   */
  private failed(what: string, error: unknown): void {
    if (this.problem !== undefined || !refusedOrTimedOut(error)) return;
    this.problem = describeError(error);
    this.logger.warn(`${what} (${this.problem}): sign-outs answer SERVICE_UNAVAILABLE until Redis takes them`);
  }

  private recovered(): void {
    if (this.problem === undefined) return;
    this.problem = undefined;
    this.logger.log('Sign-outs are written to and read from Redis again');
  }

  /** Fields as written by RECORD: u, t, k. */
  private apply(fields: string[]): void {
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    const upTo = Number(field('t'));
    if (!Number.isInteger(upTo)) return;
    this.table.put(field('u'), { upTo, keptSession: field('k') || undefined });
  }
}

/** Stream ids (`<ms>-<seq>`) in order. */
function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number);
  const [bMs, bSeq] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

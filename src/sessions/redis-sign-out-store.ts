import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../common/text';
import { RedisClient, RedisLink } from '../redis/redis-link';
import { defineScript, RedisScript } from '../redis/redis-script';
import { notRecordable, SignOut, SignOutStore, SignOutTable, userKey } from './sign-out-store';

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
 * would not honour is never answered). A Redis that lost its data (restarted without persistence)
 * is found out by its new epoch; each instance then writes back every record it holds. Records
 * merge by `stricter`, so replays and several instances writing back the same record are harmless.
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
  private caughtUp = false;
  private stopped = false;

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

  /** Redis answers, and every sign-out it holds is known here. */
  get ready(): boolean {
    return this.link.ready && this.caughtUp;
  }

  get writable(): boolean {
    return this.link.ready;
  }

  onModuleInit(): void {
    void this.follow();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    // Not QUIT: it would wait behind the blocked XREAD (up to BLOCK_MS). The reader only reads.
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
      this.logger.debug(`A sign-out was not written to Redis: ${describeError(error)}`);
      throw notRecordable();
    }
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
      try {
        if (this.needsSync) await this.sync();
        await this.readMore();
        failures = 0;
      } catch (error) {
        if (this.stopped) return;
        if (failures++ === 0) this.logger.debug(`Reading sign-outs from Redis failed: ${describeError(error)}`);
        this.needsSync = true;
        this.caughtUp = false;
        await sleep(Math.min(failures * 100, 1000));
      }
    }
  }

  /**
   * On each (re)connection: which Redis is this? The one we read (go on from the last record),
   * or one we have not seen: at start-up, or after it lost its data. Then the log is read from
   * its start, and what we hold is written back.
   */
  private async sync(): Promise<void> {
    const client = this.link.client;
    let epoch = await client.get(this.epochKey);
    if (epoch === null) {
      await client.set(this.epochKey, randomUUID(), 'PX', this.retentionMs, 'NX');
      epoch = await client.get(this.epochKey);
    }
    if (epoch !== this.epoch) {
      this.lastId = '0-0';
      await this.writeBack();
      this.epoch = epoch ?? undefined;
    }
    this.caughtUp = false;
    this.needsSync = false;
  }

  private async writeBack(): Promise<void> {
    const held = [...this.table.entries()];
    for (let i = 0; i < held.length; i += BATCH) {
      await Promise.all(held.slice(i, i + BATCH).map(([user, signOut]) => this.write(user, signOut)));
    }
    if (held.length > 0 && this.epoch !== undefined) {
      this.logger.warn(`Redis had lost the sign-outs: wrote back the ${held.length} this instance holds`);
    }
  }

  /** Until caught up, reads without waiting; then waits for the next records. */
  private async readMore(): Promise<void> {
    const wait = this.caughtUp ? ['BLOCK', BLOCK_MS] : [];
    const xread = this.reader.xread as (...args: (string | number)[]) => Promise<StreamReply>;
    const reply = await xread.call(this.reader, 'COUNT', BATCH, ...wait, 'STREAMS', this.logKey, this.lastId);
    const records = reply?.[0]?.[1] ?? [];
    for (const [id, fields] of records) {
      this.apply(fields);
      this.lastId = id;
    }
    if (records.length < BATCH) this.caughtUp = true;
  }

  /** Fields as written by RECORD: u, t, k. */
  private apply(fields: string[]): void {
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    const upTo = Number(field('t'));
    if (!Number.isInteger(upTo)) return;
    this.table.put(field('u'), { upTo, keptSession: field('k') || undefined });
  }
}

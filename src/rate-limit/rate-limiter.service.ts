import { Inject, Injectable } from '@nestjs/common';
import { clientOf } from '../common/client-address';
import { fitsLength, MAX_EMAIL_LENGTH } from '../common/input-rules';
import { shortHash } from '../common/short-hash';
import { RateLimits } from '../config/config';
import { Setting } from '../config/config.module';
import { TooManyRequestsError } from '../errors/app-errors';
import { ATTEMPT_STORE, AttemptStore, CLIENT_KEY_PREFIX, Window } from './attempt-store';
import { RateLimitKind } from './rate-limit-rule';

/**
 * The keys one call counted whose fate its outcome decides (its accounts; a refresh's client),
 * to be kept or taken back once that outcome is known.
 */
export interface Ticket {
  kind: RateLimitKind;
  keys: string[];
}

/**
 * Refreshes a client may make per window, successful ones included, as a multiple of RATE_LIMIT_IP_MAX
 * (300 a minute by default: an app refreshes each session about once an hour, so that serves an
 * office of thousands behind one address, and still bounds what one stolen token can cost).
 */
const REFRESHES_PER_CALL = 10;
const REFRESH_SUFFIX = '#refresh';

@Injectable()
export class RateLimiter {
  constructor(
    @Inject(ATTEMPT_STORE) private readonly store: AttemptStore,
    @Setting('rateLimits') private readonly limits: RateLimits,
  ) {}

  /**
   * Counts the call before it runs (so that calls made at the same moment cannot all slip under
   * a limit), and refuses it when the client or any account it names is over its limit. A refused
   * call gives its account counts back (it sends nothing and guesses nothing), so a flood of
   * refused calls cannot keep a name or an address locked; its client count stays.
   * `subjects`: the usernames and email addresses the call is about.
   */
  async begin(kind: RateLimitKind, ip: string, subjects: string[]): Promise<Ticket> {
    const { ipMax, ipWindowSeconds, accountFailuresMax, accountSendsMax, accountWindowSeconds } = this.limits;
    const client = clientKey(ip);
    refuseOver(await this.store.increment(client, ipWindowSeconds * 1000), ipMax);
    // A refresh names no account: only its client is counted, and only a failure keeps the count.
    // Every refresh, successful or not, also counts against a ceiling of its own, so that holding
    // one valid refresh token does not buy unlimited calls on Cognito's quota (shared by every user).
    if (kind === 'refresh') {
      refuseOver(
        await this.store.increment(`${client}${REFRESH_SUFFIX}`, ipWindowSeconds * 1000),
        ipMax * REFRESHES_PER_CALL,
      );
      return { kind, keys: [client] };
    }
    const keys = [...new Set(subjects.map((subject) => accountKey(kind, subject)).filter((k) => k !== undefined))];
    const windows = await Promise.all(keys.map((key) => this.store.increment(key, accountWindowSeconds * 1000)));
    const max = kind === 'send' ? accountSendsMax : accountFailuresMax;
    const over = windows.find((window) => window.count > max);
    if (over) {
      await this.settle({ kind, keys }, false);
      refuseOver(over, max);
    }
    return { kind, keys };
  }

  /**
   * Keeps the counts of a call that counts (a wrong password or code; a code sent; a failed
   * refresh), and takes back those of one that does not (a success, or input refused before
   * Cognito was asked).
   */
  async settle(ticket: Ticket, counts: boolean): Promise<void> {
    if (counts) return;
    await Promise.all(ticket.keys.map((key) => this.store.decrement(key)));
  }
}

/**
 * The key of one account or address: a fixed-size hash, so that what a client sends never
 * decides how much the store holds. "Alice", "ALICE" and "Ａｌｉｃｅ" may be one account in a
 * case-insensitive pool, and "a+news@x" reaches the mailbox of "a@x": one count each. A name
 * longer than any valid one is not counted (validation refuses it), nor normalised at all.
 */
function accountKey(kind: RateLimitKind, subject: string): string | undefined {
  if (!fitsLength(subject, MAX_EMAIL_LENGTH)) return undefined;
  const canonical = withoutTag(subject.normalize('NFKC').toLowerCase());
  return `${kind}:${shortHash(canonical)}`;
}

/** `local+tag@domain` → `local@domain` (sub-addressing, RFC 5233: one mailbox). */
function withoutTag(address: string): string {
  return address.replace(/^([^@+]*)\+[^@]*(@[^@]*)$/, '$1$2');
}

/**
 * One key per client (an IPv6 /64 is one client); never a client-written string (see
 * clientAddress). Hashed, so that no store names an address.
 */
function clientKey(ip: string): string {
  return `${CLIENT_KEY_PREFIX}${shortHash(clientOf(ip) ?? 'unknown')}`;
}

function refuseOver(window: Window, max: number): void {
  if (window.count <= max) return;
  const seconds = Math.max(1, Math.ceil((window.resetAt - Date.now()) / 1000));
  throw new TooManyRequestsError(`Too many attempts: try again in ${seconds} seconds`, seconds);
}

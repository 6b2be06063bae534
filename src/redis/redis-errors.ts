/** A call Redis did not answer within REDIS_TIMEOUT_MS, on a connection that is still up (Redis hangs). */
export function timedOut(error: unknown): boolean {
  return error instanceof Error && /timed out/i.test(error.message);
}

/**
 * Redis answered with an error (an ACL that lacks a command, out of memory, a script it refuses),
 * or not in time: trouble on a connection that is up. A lost connection is RedisLink's to report.
 */
export function refusedOrTimedOut(error: unknown): boolean {
  return timedOut(error) || (error instanceof Error && error.name === 'ReplyError');
}

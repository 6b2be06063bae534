/** The longest a line waits for a moment with no request in flight (under steady load there may be none). */
const MAX_WAIT_MS = 1000;

/**
 * Holds work back until every request in flight has been answered. The embedded emulator "sends"
 * a code (we log it) only for a user who exists, while that user's forgotPassword or register is
 * still waiting for its answer: written at once, that line was work our process did for a known
 * user only, before the answer. Held here, it is written after it.
 */
export class AfterAnswers {
  private inFlight = 0;
  private pending: (() => void)[] = [];
  private timer?: NodeJS.Timeout;

  started(): void {
    this.inFlight++;
  }

  answered(): void {
    this.inFlight--;
    // After this turn of the event loop: the request's own log line goes first.
    if (this.inFlight === 0 && this.pending.length > 0) setImmediate(() => this.flush());
  }

  run(work: () => void): void {
    if (this.inFlight === 0) return work();
    this.pending.push(work);
    this.timer ??= setTimeout(() => this.flush(), MAX_WAIT_MS).unref();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const due = this.pending;
    this.pending = [];
    for (const work of due) work();
  }
}

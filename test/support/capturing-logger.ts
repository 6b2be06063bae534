import { LoggerService } from '@nestjs/common';

/** Keeps every line the server logs, so tests can read codes the emulator "sent" (and check the log). */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];

  log(message: unknown, context?: string) {
    this.add('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.add('error', message, rest.filter((r) => typeof r === 'string').join(' '));
  }
  warn(message: unknown, context?: string) {
    this.add('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.add('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.add('verbose', message, context);
  }

  /** The latest code the emulator sent to `username`, waiting for it to arrive. */
  async codeFor(username: string, after = 0, timeoutMs = 5000): Promise<string> {
    const pattern = new RegExp(`Code for user "${username}" .*: (\\S+)$`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines
        .slice(after)
        .map((line) => pattern.exec(line)?.[1])
        .filter(Boolean)
        .pop();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No code for ${username} in the log`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private add(level: string, message: unknown, context?: string) {
    this.lines.push(`${level} [${context ?? ''}] ${typeof message === 'string' ? message : JSON.stringify(message)}`);
  }
}

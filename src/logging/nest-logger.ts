import { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { StartupError } from '../common/startup-error';

// As Nest's ConsoleLogger tells a stack from a context.
const STACK = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * Nest's logger interface over pino, so that Nest's own lines, ours and the request lines all come
 * out of one logger in one format. A message that is an object becomes the line's fields.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: pino.Logger) {}

  log(message: unknown, context?: string) {
    this.write('info', message, context);
  }
  warn(message: unknown, context?: string) {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string) {
    this.write('fatal', message, context);
  }
  /** Nest calls error(message, stack?, context?): a lone string is the stack if it reads like one. */
  error(message: unknown, ...rest: unknown[]) {
    // Nest reports an error of start-up before main.ts does: main's one line says it all.
    if (message instanceof StartupError) return;
    const strings = rest.filter((r): r is string => typeof r === 'string');
    const [stack, context] =
      strings.length > 1 ? strings : STACK.test(strings[0] ?? '') ? [strings[0], undefined] : [undefined, strings[0]];
    this.write('error', message, context, stack ? { stack } : {});
  }

  private write(level: pino.Level, message: unknown, context?: string, extra: object = {}) {
    if (!this.logger.isLevelEnabled(level)) return;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message, ...extra }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      const { msg, ...fields } = message as { msg?: string };
      this.logger[level]({ context, ...fields, ...extra }, msg ?? '');
    } else {
      this.logger[level]({ context, ...extra }, String(message));
    }
  }
}

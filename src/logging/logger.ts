import pino from 'pino';
import pretty from 'pino-pretty';
import { LogSettings } from '../config/config';

/**
 * Names under which a secret could reach a log line if some code logged a header set, a request
 * body or an input object. Nothing of ours logs them; this is the net under that rule.
 */
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'password',
  'previousPassword',
  'proposedPassword',
  'newPassword',
  'accessToken',
  'idToken',
  'refreshToken',
  'session',
  'secretCode',
  'clientSecret',
  'variables',
  'body',
];
// pino's paths match one level per `*`: the key itself, under one object, and under two.
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  // `code` alone names error codes too; it is a secret only in an input.
  'input.code',
  '*.input.code',
];

/** The server's one logger: JSON lines in production, readable lines in development. */
export function createLogger(settings: LogSettings, destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level: settings.level,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (settings.format === 'json') return pino(options, destination ?? pino.destination({ sync: true }));
  // Synchronous, in this thread: development needs no worker thread for its log, and lines stay in order.
  const stream = pretty({
    destination: destination ?? 1,
    sync: true,
    colorize: destination ? false : pretty.isColorSupported,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'context',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
  return pino(options, stream);
}

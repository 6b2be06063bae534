import pino from 'pino';
import type PinoPretty from 'pino-pretty';
import { DevelopmentFeature, requireInstalled } from '../common/development-packages';
import { LogSettings } from '../config/config';

/** Readable lines come from pino-pretty, a devDependency: JSON lines need nothing more than pino. */
export const PRETTY_LOGS: DevelopmentFeature = {
  name: 'The readable log format (LOG_FORMAT=pretty, the default on the embedded emulator or with NODE_ENV=development)',
  packages: ['pino-pretty'],
  otherwise: 'set LOG_FORMAT=json',
};

/**
 * Names under which a secret could reach a log line if some code logged a header set, a request
 * body, an input, or a Cognito call's parameters. Nothing of ours logs them; this is the net under
 * that rule. Compared in lower case without `-` and `_`: `Authorization`, `REFRESH_TOKEN` and
 * `x-api-key` match too.
 */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'proxyAuthorization',
    'cookie',
    'setCookie',
    'apiKey',
    'xApiKey',
    'password',
    'previousPassword',
    'proposedPassword',
    'newPassword',
    'accessToken',
    'idToken',
    'refreshToken',
    'token',
    'session',
    'secret',
    'secretCode',
    'secretHash',
    'clientSecret',
    'confirmationCode',
    'userCode',
    'smsMfaCode',
    'softwareTokenMfaCode',
    // Whole bags of the above, as Cognito's API and GraphQL carry them.
    'authParameters',
    'challengeResponses',
    'variables',
    'body',
  ].map(normalise),
);
const REDACTED = '[redacted]';
// Bounds for a careless log call with a huge or cyclic object: past them, the rest is not written.
const MAX_DEPTH = 6;
const MAX_NODES = 500;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * A copy of a log line's fields with every secret replaced, at any depth; the caller's objects are
 * left as they are. `code` names error codes too: it is a secret only in an input. pino's own
 * `redact` was not used: with wildcards to reach nested keys it cost about 85 µs a line; a request
 * line costs 7–10 µs with this walk, Nest's Logger and the write, 4–6 µs with bare pino (bench/log-line.js).
 */
export function redact(fields: object): object {
  return walk(fields, '', 0, { nodes: 0 }) as object;
}

function walk(
  value: unknown,
  parentKey: string,
  depth: number,
  state: { seen?: WeakSet<object>; nodes: number },
): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date || ArrayBuffer.isView(value)) return value;
  if (depth > MAX_DEPTH || ++state.nodes > MAX_NODES || state.seen?.has(value)) return REDACTED;
  // Made only for a line with nested objects: a request line has none.
  if (depth > 0) (state.seen ??= new WeakSet()).add(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => walk(item, parentKey, depth + 1, state));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, inner] of Object.entries(value)) {
    const name = normalise(key);
    const secret = SECRET_KEYS.has(name) || (name === 'code' && parentKey === 'input');
    const next = secret ? REDACTED : walk(inner, name, depth + 1, state);
    if (next !== inner) {
      // An Error's message and stack are not enumerable: a copy keeps them by name.
      copy ??= {
        ...(value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : {}),
        ...(value as Record<string, unknown>),
      };
      copy[key] = next;
    }
  }
  return copy ?? value;
}

/** The server's one logger: JSON lines in production, readable lines in development. */
export function createLogger(settings: LogSettings, destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level: settings.level,
    base: undefined,
    formatters: { log: (fields) => redact(fields) as Record<string, unknown> },
  };
  if (settings.format === 'json') {
    // Asynchronous: under load, lines written while one write is in flight go out together in the
    // next, instead of one blocking write each; pino flushes what is left when the process exits.
    return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
  }
  // Loaded only here: production (JSON) neither loads nor installs it.
  requireInstalled([PRETTY_LOGS]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a devDependency, loaded only here and synchronously: an import would load it in production too
  const pretty = require('pino-pretty') as typeof PinoPretty;
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

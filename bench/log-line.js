#!/usr/bin/env node
'use strict';
// The cost of the one log line each request writes: through Nest's Logger, our pino adapter and our
// redaction, against bare pino writing the same fields, in the same process, to /dev/null.
// Run: node bench/log-line.js   (needs a current dist/: npm run build)

const { Logger } = require('@nestjs/common');
const pino = require('pino');
const { createLogger } = require('../dist/logging/logger');
const { PinoNestLogger } = require('../dist/logging/nest-logger');

const LINES = Number(process.env.LOG_BENCH_LINES ?? 200000);
const destination = () => pino.destination({ dest: '/dev/null', sync: true });
const fields = () => ({
  reqId: '4f0c1c2e-1111-2222-3333-444455556666',
  method: 'POST',
  path: '/graphql',
  status: 200,
  durationMs: 3.1,
  operation: 'Me',
  outcome: 'OK',
});

/** µs per line, after a warm-up of a tenth as many. */
function measure(write) {
  for (let i = 0; i < LINES / 10; i++) write();
  const start = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) write();
  return Number(process.hrtime.bigint() - start) / LINES / 1000;
}

const bare = pino({ base: undefined }, destination());
const baseline = measure(() => bare.info({ context: 'Request', ...fields() }, 'request'));
Logger.overrideLogger(new PinoNestLogger(createLogger({ level: 'info', format: 'json' }, destination())));
const logger = new Logger('Request');
const ours = measure(() => logger.log({ msg: 'request', ...fields() }));

console.log(
  `request log line, µs: bare pino ${baseline.toFixed(2)}, ours ${ours.toFixed(2)} (${(ours / baseline).toFixed(2)}x)`,
);

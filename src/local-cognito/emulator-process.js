'use strict';
// The embedded Cognito emulator (cognito-local) runs in this child process: it reads HOST and PORT
// from the environment when it is imported and keeps its data under the working directory, so a
// process of its own is the only clean way to give it both. The parent (local-cognito.ts) starts us
// with an IPC channel; we report readiness and every "sent" code as messages, never on stdout.
// Its own CLI logs through pino-pretty, which loses lines after a few code messages: we give it a
// logger of ours instead.

// What cognito-local writes (users with plain passwords, codes, refresh tokens, TOTP secrets) is
// for the owner alone: files 0600, folders 0700.
process.umask(0o077);

const { createDefaultServer } = require('cognito-local');
const pino = require(require.resolve('pino', { paths: [require.resolve('cognito-local')] }));
const { parseCodeDelivery } = require('./code-delivery');
const { makeFaithful } = require('./emulator-fidelity');

// cognito-local logs a call it does not support (GlobalSignOut, say) at error level, and answers
// it with `CognitoLocal#Unsupported`. That is an answer, not a failure of the emulator: the caller,
// our CognitoService, reports it (a warning once for a sign-out step it enforces alone, otherwise
// SERVICE_UNAVAILABLE in the request's line). Passed on, it read as an error before our warning.
const UNSUPPORTED = 'Cognito Local unsupported feature:';

const sink = {
  write(line) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    const delivery = typeof entry.msg === 'string' ? parseCodeDelivery(entry.msg) : undefined;
    if (delivery) process.send({ type: 'code', ...delivery });
    else if (entry.level >= 50 && !String(entry.msg).startsWith(UNSUPPORTED)) {
      process.send({ type: 'error', message: String(entry.msg) });
    }
  },
};

makeFaithful();
createDefaultServer(pino({ level: 'info' }, sink))
  .then((server) => server.start())
  .then((server) => process.send({ type: 'ready', port: server.address().port }))
  .catch((error) => {
    // Exit once the message is out: the parent words its failure (a port in use) from it.
    const message = error && error.message ? error.message : String(error);
    process.send({ type: 'error', message }, () => process.exit(1));
  });

// Without the parent we have no one to serve.
process.on('disconnect', () => process.exit(0));

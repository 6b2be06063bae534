'use strict';
// Starts bench/reference-server.js (bare Fastify + Apollo) on a free port.

const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { freePort } = require('./free-port');

async function startReference(env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', 'reference-server.js')], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve());
    child.once('exit', () => reject(new Error('the reference server exited')));
  });
  return {
    pid: child.pid,
    url: `http://127.0.0.1:${port}/graphql`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

module.exports = { startReference };

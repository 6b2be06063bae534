'use strict';
// For servers (the app, the emulator) that must be told their port up front. The port is picked at
// random below Linux's ephemeral range (32768–60999): a port from that range can be taken, between
// the pick and the server's listen, by any outgoing connection on the machine, and the test suite
// makes thousands. Below it, only another listener can take it.

const { createServer } = require('node:net');

const LOWEST = 20000;
const HIGHEST = 32767;

/**
 * A port that was free a moment ago.
 * @returns {Promise<number>}
 */
async function freePort() {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST}`);
}

/** @param {number} port @returns {Promise<boolean>} */
function canListen(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

module.exports = { freePort };

'use strict';
// Throwaway Redis servers for the tests and the benchmarks: Debian's redis-server on a free port,
// with a temporary directory and no persistence, never one someone left running.

const { spawn, execFile } = require('node:child_process');
const { mkdtempSync, mkdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');
const { freePort } = require('./free-port');

const run = promisify(execFile);

/** `redis-cli -p PORT args…`, answered as text. @param {number} port @param {string[]} args */
async function cli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-p', String(port), ...args], { timeout: 10000 });
  return stdout.trim();
}

/**
 * One redis-server; `restartEmpty()` starts it again, empty, on the same port.
 * `options.port`: this port rather than a free one (a test that first points the server at a port
 * where nothing listens yet, then starts Redis there).
 * @param {string[]} [extraArgs]
 * @param {{ port?: number }} [options]
 */
async function startRedis(extraArgs = [], options = {}) {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const server = {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** @type {import('node:child_process').ChildProcess} */
    child: /** @type {any} */ (undefined),
    async start() {
      server.child = spawnRedis(port, dir, extraArgs);
      await untilAnswers(port, server.child);
    },
    /** @param {NodeJS.Signals} signal */
    signal(signal) {
      server.child.kill(signal);
    },
    /** Stops it (SIGKILL: nothing saved) and waits for the port to be free. */
    async kill() {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGCONT');
      server.child.kill('SIGKILL');
      await exited;
    },
    async restartEmpty() {
      await server.kill();
      await server.start();
    },
    async stop() {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
    /** @param {string[]} args */
    cli: (...args) => cli(port, ...args),
  };
  await server.start();
  return server;
}

/**
 * A Redis Cluster of `masters` masters and no replicas, on free ports.
 * @param {number} [masters]
 */
async function startRedisCluster(masters = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports = [];
  const children = [];
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    const child = spawnRedis(port, nodeDir, [
      '--cluster-enabled', 'yes',
      '--cluster-config-file', join(nodeDir, 'nodes.conf'),
      '--cluster-node-timeout', '2000',
    ]);
    ports.push(port);
    children.push(child);
    await untilAnswers(port, child);
  }
  await run('redis-cli', [
    '--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes',
  ], { timeout: 30000 });
  // Ready when every node sees every slot served.
  for (const port of ports) {
    for (let i = 0; ; i++) {
      if ((await cli(port, 'cluster', 'info')).includes('cluster_state:ok')) break;
      if (i > 200) throw new Error(`the cluster on ${ports.join(', ')} never became ok`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    ports,
    nodes: ports.map((p) => `redis://127.0.0.1:${p}`).join(','),
    async stop() {
      await Promise.all(children.map((child) => new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
        child.once('exit', resolve);
        child.kill('SIGKILL');
      })));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** @param {number} port @param {string} dir @param {string[]} extraArgs */
function spawnRedis(port, dir, extraArgs) {
  return spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    ...extraArgs,
  ], { stdio: 'ignore' });
}

/** @param {number} port @param {import('node:child_process').ChildProcess} child */
async function untilAnswers(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if (await cli(port, 'ping').catch(() => '') === 'PONG') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer`);
}

module.exports = { startRedis, startRedisCluster };

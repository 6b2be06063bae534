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
      server.child = await startNode(port, dir, extraArgs);
    },
    /** @param {NodeJS.Signals} signal */
    signal(signal) {
      server.child.kill(signal);
    },
    /** Stops it (SIGKILL: nothing saved) and waits for the port to be free. */
    async kill() {
      await killAndWait(server.child);
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
  try {
    await server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/**
 * A Redis Cluster of `masters` masters and no replicas, on free ports.
 * @param {number} [masters]
 */
async function startRedisCluster(masters = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports = [];
  /** @type {import('node:child_process').ChildProcess[]} */
  const children = [];
  const stop = async () => {
    await Promise.all(children.map(killAndWait));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir);
      // The cluster bus listens too (by default on port + 10000, which nobody checked was free).
      const busPort = await freePort();
      // One flag and its value a line (Prettier would put each on its own line).
      // prettier-ignore
      children.push(await startNode(port, nodeDir, [
        '--cluster-enabled', 'yes',
        '--cluster-port', String(busPort),
        '--cluster-config-file', join(nodeDir, 'nodes.conf'),
        '--cluster-node-timeout', '2000',
      ]));
      ports.push(port);
    }
    await run(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30000 },
    );
    // Ready when every node sees every slot served.
    for (const port of ports) {
      for (let i = 0; ; i++) {
        if ((await cli(port, 'cluster', 'info')).includes('cluster_state:ok')) break;
        if (i > 200) throw new Error(`the cluster on ${ports.join(', ')} never became ok`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (error) {
    // No node left running behind a failed start.
    await stop();
    throw error;
  }
  return {
    ports,
    nodes: ports.map((p) => `redis://127.0.0.1:${p}`).join(','),
    stop,
  };
}

/**
 * A redis-server that answers, or none left running (a child left behind would also keep the
 * caller's process alive).
 * @param {number} port @param {string} dir @param {string[]} extraArgs
 */
async function startNode(port, dir, extraArgs) {
  const child = spawnRedis(port, dir, extraArgs);
  try {
    await untilAnswers(port, child);
  } catch (error) {
    await killAndWait(child);
    throw error;
  }
  return child;
}

/** SIGKILL (after SIGCONT, should it be stopped), and the exit awaited. @param {import('node:child_process').ChildProcess} child */
function killAndWait(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
    child.once('exit', resolve);
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
}

/** @param {number} port @param {string} dir @param {string[]} extraArgs */
function spawnRedis(port, dir, extraArgs) {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    { stdio: 'ignore' },
  );
}

/** @param {number} port @param {import('node:child_process').ChildProcess} child */
async function untilAnswers(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${child.exitCode}`);
    if ((await cli(port, 'ping').catch(() => '')) === 'PONG') return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer`);
}

module.exports = { startRedis, startRedisCluster };

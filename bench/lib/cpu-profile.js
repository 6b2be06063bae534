'use strict';
// Summarises a V8 .cpuprofile (node --cpu-prof) into self time per function and per package, the two
// views that point at avoidable per-request work. Self time only: total time in a framework is mostly
// its callbacks into our code and into other packages, which would be counted twice.

const { relative, sep } = require('node:path');
const { fileURLToPath } = require('node:url');

// V8's pseudo-frames: kept apart, as they are no one's function.
const PSEUDO = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/** Where a frame's code lives: its package (ours, node, a dependency) and a short file name. */
function locate(url, root) {
  if (url.startsWith('node:')) return { pkg: 'node', file: url };
  // Functions with no script: V8 builtins and native bindings (JSON.parse, Buffer writes, crypto …).
  if (!url) return { pkg: '(native)', file: '' };
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  // The last node_modules wins: a nested copy belongs to the package that ships it.
  const parts = path.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at >= 0) {
    const scoped = parts[at + 1]?.startsWith('@');
    const pkg = parts.slice(at + 1, at + (scoped ? 3 : 2)).join('/');
    return { pkg, file: parts.slice(at + 1).join('/') };
  }
  const file = relative(root, path);
  return { pkg: file.startsWith(`dist${sep}`) ? 'ours' : file.startsWith('..') ? path : file, file };
}

/**
 * `from`/`to`: the sampled window, in the profile's clock (µs, CLOCK_MONOTONIC on Linux, as
 * process.hrtime), so that start-up and shutdown do not dilute the load. Percentages are of the
 * window's non-idle samples; milliseconds are the sampled time (each sample owns the gap to the next).
 */
function summariseProfile(profile, { root, from = -Infinity, to = Infinity, topFunctions = 20, topPackages = 15 }) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map();
  const packages = new Map();
  let samples = 0;
  let idleSamples = 0;
  let time = profile.startTime;
  const add = (map, key, make, us) => {
    const entry = map.get(key) ?? map.set(key, { ...make(), samples: 0, us: 0 }).get(key);
    entry.samples++;
    entry.us += us;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    if (time < from || time > to) continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = nodes.get(profile.samples[i]).callFrame;
    if (functionName === '(idle)') {
      idleSamples++;
      continue;
    }
    samples++;
    if (PSEUDO.has(functionName)) {
      add(functions, functionName, () => ({ name: functionName, where: '' }), us);
      add(packages, functionName, () => ({ name: functionName }), us);
      continue;
    }
    const { pkg, file } = locate(url, root);
    const name = functionName || '(anonymous)';
    // One entry per function, not per call path: V8 keeps a node for each path through the stack.
    const where = file ? `${file}:${lineNumber + 1}` : '';
    add(functions, `${name} ${where}`, () => ({ name, where }), us);
    add(packages, pkg, () => ({ name: pkg }), us);
  }
  const rank = (map, top) =>
    [...map.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, top)
      .map(({ samples: n, us, ...rest }) => ({
        ...rest,
        selfMs: Math.round(us / 1000),
        percent: Number(((100 * n) / samples).toFixed(1)),
      }));
  return {
    samples,
    idleSamples,
    windowMs: Math.round((Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1000),
    functions: rank(functions, topFunctions),
    packages: rank(packages, topPackages),
  };
}

/** The two markdown tables. */
function formatSummary({ functions, packages }) {
  const cell = (text) => String(text).replace(/\|/g, '\\|');
  return [
    '| # | function | where | self ms | % |',
    '|---|---|---|---|---|',
    ...functions.map((f, i) => `| ${i + 1} | ${cell(f.name)} | ${cell(f.where)} | ${f.selfMs} | ${f.percent} |`),
    '',
    '| # | package | self ms | % |',
    '|---|---|---|---|',
    ...packages.map((p, i) => `| ${i + 1} | ${cell(p.name)} | ${p.selfMs} | ${p.percent} |`),
  ].join('\n');
}

module.exports = { summariseProfile, formatSummary };

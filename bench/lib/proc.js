'use strict';
// What a process uses, read from outside through /proc (Linux), so that measuring costs the
// measured process nothing.

const { readFileSync } = require('node:fs');

/** Resident memory, in MB. */
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** User + system CPU time so far, in ms (the kernel counts in ticks of 1/100 s). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

module.exports = { rssMb, cpuMs };

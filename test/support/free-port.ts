// One implementation for the tests and the benchmark scripts: see bench/lib/free-port.js.
export { freePort } from '../../bench/lib/free-port';

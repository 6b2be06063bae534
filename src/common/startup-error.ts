/**
 * A failure to start that says all there is to say: what failed and what to do (a port in use,
 * say). main.ts prints its message once, alone; it is not a fault of the code, so no stack, and
 * Nest's own report of it (its ExceptionHandler line, with the stack) is left out (PinoNestLogger).
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

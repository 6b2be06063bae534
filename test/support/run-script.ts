import { execFile } from 'node:child_process';

/** Runs a bench script with `env` added, and answers what it printed (rejects on a non-zero exit). */
export function runScript(path: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [path],
      { env: { ...process.env, ...env }, timeout: timeoutMs },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

import { execFile } from 'node:child_process';

/** What a command printed. */
export interface Printed {
  stdout: string;
  stderr: string;
}

/** Runs `file` with `args`; answers what it printed, or rejects with it on a non-zero exit or the timeout. */
export function runCommand(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string },
): Promise<Printed> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

/** Runs a bench script with `env` added, and answers what it printed (rejects on a non-zero exit). */
export async function runScript(path: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return (await runCommand(process.execPath, [path], { env: { ...process.env, ...env }, timeoutMs })).stdout;
}

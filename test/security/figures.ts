import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', '..', 'test-artifacts', 'security-figures');

/**
 * Keeps a figure of the security suite (tokens tried, faults injected…) for SECURITY.md, one file
 * per figure, since test files run in parallel workers.
 */
export function recordFigure(name: string, value: Record<string, number>): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, `${name}.json`), JSON.stringify(value, null, 2));
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = join(__dirname, '..', '..', 'test-artifacts', 'security-figures.json');

/** Keeps a figure of the security suite (tokens tried, faults injected…) for SECURITY.md. */
export function recordFigure(name: string, value: Record<string, number>): void {
  mkdirSync(join(FILE, '..'), { recursive: true });
  let figures: Record<string, unknown> = {};
  try {
    figures = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {
    // first figure
  }
  writeFileSync(FILE, JSON.stringify({ ...figures, [name]: value }, null, 2));
}

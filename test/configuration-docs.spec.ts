import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Three lists of the same variables must not drift apart: the ones config.ts reads, the README's
// configuration table, and .env.example.
const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function readByConfig(): string[] {
  const source = read('src/config/config.ts');
  const names = [...source.matchAll(/\b(?:read\.\w+|env)(?:\(|\.)'?([A-Z][A-Z0-9_]+)'?/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

function inReadmeTable(): string[] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const table = section.slice(0, section.indexOf('\n## ', 1));
  return [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
}

function inEnvExample(): { name: string; value: string; meaning: string }[] {
  const lines = read('.env.example').split('\n');
  return lines.flatMap((line, i) => {
    const match = /^# ([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
    return match ? [{ name: match[1], value: match[2], meaning: lines[i - 1] ?? '' }] : [];
  });
}

describe('configuration documentation', () => {
  it('the README table lists exactly the variables the server reads', () => {
    expect(inReadmeTable()).toEqual(readByConfig());
  });

  it('.env.example lists the same variables as the README table, each with a one-line meaning', () => {
    const entries = inEnvExample();
    expect(entries.map((e) => e.name).sort()).toEqual(inReadmeTable());
    for (const entry of entries) expect(entry.meaning).toMatch(/^# \S.{5,}/);
  });

  it('.env.example shows the defaults of the README table', () => {
    const readme = read('README.md');
    for (const { name, value } of inEnvExample().filter((e) => e.value !== '')) {
      expect(readme).toMatch(
        new RegExp(`^\\| \`${name}\` \\| \`${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``, 'm'),
      );
    }
  });
});

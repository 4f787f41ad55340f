/**
 * The README's pictures (issue 18 item 6): every image it shows is in the repository as a real PNG
 * under media/screenshots/ (the e2e suites take them: `npm run screenshots`), and every picture there
 * is shown — so the README never points at a missing or stale-named file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the README pictures', () => {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const shown = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);

  it('shows only files that exist and are PNG images', () => {
    expect(shown.length).toBeGreaterThanOrEqual(6);
    for (const rel of shown) {
      expect(rel, rel).toMatch(/^media\/screenshots\/[a-z0-9-]+\.png$/);
      const bytes = readFileSync(path.join(repo, rel));
      expect(bytes.subarray(0, 8).equals(PNG), `${rel} is a PNG`).toBe(true);
      expect(bytes.length, rel).toBeGreaterThan(10_000);
    }
  });

  it('shows every screenshot the e2e suites publish', () => {
    const published = readdirSync(path.join(repo, 'media', 'screenshots')).map(
      (f) => `media/screenshots/${f}`,
    );
    expect(published.sort()).toEqual([...new Set(shown)].sort());
  });
});

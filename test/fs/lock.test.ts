/** withFileLock (src/fs/files.ts): what another process can see of a lock while it is being taken or held. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from '../../src/fs/files.js';

const dir = () => mkdtempSync(join(tmpdir(), 'xrdctl-lock-'));

describe('file lock', () => {
  it('a lock whose owner cannot be read yet (empty, as mid-creation) is waited for while young, never broken', async () => {
    const lock = join(dir(), 'c.lock');
    writeFileSync(lock, '');
    await expect(withFileLock(lock, () => 'got it', { timeoutMs: 300 })).rejects.toThrow(/locked/);
    expect(readFileSync(lock, 'utf8')).toBe('');
  });

  it('the lock appears with its owner already in it', async () => {
    const lock = join(dir(), 'c.lock');
    const seen = await withFileLock(lock, () => readFileSync(lock, 'utf8'));
    expect(seen).toMatch(new RegExp(`^${process.pid} \\d+ [0-9a-f]{12}$`));
  });

  it('many holders in turn: a read-modify-write counter loses nothing', async () => {
    const d = dir();
    const lock = join(d, 'n.lock');
    const file = join(d, 'n');
    writeFileSync(file, '0');
    await Promise.all(
      Array.from({ length: 40 }, () =>
        withFileLock(lock, async () => {
          const n = Number(readFileSync(file, 'utf8'));
          await new Promise((r) => setTimeout(r, 1));
          writeFileSync(file, String(n + 1));
        }),
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe('40');
  });
});

import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli.js';
import { allShellBlocks, documentedPages, shellBlocks } from '../support/markdown.js';

/**
 * Every fenced shell block of README.md and docs/ (runbooks included) runs here exactly as written, from the folder
 * the text names (the repository root by default), with `xrdctl` on PATH and a throwaway HOME, config and state.
 * The repository root is mirrored by symlinks into a temporary folder, so files a block writes (CSRs, plans) land
 * there and never in the checkout. A block that needs a real server is marked `<!-- excerpt -->` and has a sandbox
 * equivalent beside it. Each block starts (and stops) at most one sandbox of its own, in its own HOME and state, so
 * the blocks run concurrently (they mostly wait: for a sandbox to start, a CA, global configuration).
 */
const pages = documentedPages(repoRoot);
const registered = new Set<string>();
const work = mkdtempSync(join(tmpdir(), 'xrdctl-examples-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function session(name: string) {
  const dir = join(work, name.replace(/[^\w.-]+/g, '_'));
  const root = join(dir, 'repo');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(root);
  for (const entry of readdirSync(repoRoot).filter((e) => !['.git', 'node_modules'].includes(e))) symlinkSync(join(repoRoot, entry), join(root, entry));
  writeFileSync(join(dir, 'bin', 'xrdctl'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
  chmodSync(join(dir, 'bin', 'xrdctl'), 0o755);
  const env = {
    PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
    HOME: dir,
    XRDCTL_CONFIG_DIR: join(dir, 'config'),
    XRDCTL_STATE_DIR: join(dir, 'state'),
    TMPDIR: dir,
    LANG: 'C.UTF-8',
  };
  return { root, env };
}

const blocks = pages.flatMap((page) => shellBlocks(join(repoRoot, page)).map((b) => ({ ...b, page, id: `${page}:${b.line}` })));
for (const b of blocks) registered.add(b.id);

describe.concurrent('README.md and docs/ run as written', () => {
  it.each(blocks.map((b) => [b.id, b] as const))(
    '%s',
    async (id, block) => {
      const { root, env } = session(id);
      const r = await execa('bash', ['-euo', 'pipefail', '-c', `${block.code}\n`], {
        stdin: 'ignore',
        cwd: join(root, block.cwd),
        reject: false,
        timeout: 240_000,
        extendEnv: false,
        env,
        all: true,
      });
      // a failed block must not leave its sandbox running
      if (r.exitCode !== 0) await execa('bash', ['-c', 'xrdctl sandbox stop || true'], { cwd: root, reject: false, extendEnv: false, env });
      expect(r.exitCode, `${id} failed:\n${String(r.all).slice(-4000)}`).toBe(0);
    },
    300_000,
  );
});

describe('the examples test covers the documentation', () => {
  it('has a test for every fenced shell block that is not marked as an excerpt, and every excerpt says why', () => {
    const expected: string[] = [];
    for (const page of pages) {
      const lines = readFileSync(join(repoRoot, page), 'utf8').split('\n');
      // counted independently of the extractor: opening shell fences not preceded by the excerpt marker
      let open = false;
      lines.forEach((l, i) => {
        if (!open && /^```/.test(l)) {
          open = true;
          if (/^```(sh|bash|shell|console)\s*$/.test(l) && !/<!--\s*excerpt/.test(lines.slice(Math.max(0, i - 2), i).join('\n')))
            expected.push(`${page}:${i + 2}`);
        } else if (open && /^```\s*$/.test(l)) open = false;
      });
      for (const b of allShellBlocks(join(repoRoot, page)).filter((x) => x.excerpt)) {
        const prose = lines.slice(Math.max(0, b.line - 8), b.line - 2).join(' ');
        expect(prose, `${page}:${b.line}: an excerpt needs prose before it saying why it is not run`).toMatch(/[a-z]{3,}/i);
      }
    }
    expect(expected.length).toBeGreaterThan(5);
    expect([...registered].sort()).toEqual(expected.sort());
  });
});

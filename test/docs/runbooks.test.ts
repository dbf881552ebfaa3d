import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli.js';
import { shellBlocks } from '../support/markdown.js';

const dir = join(repoRoot, 'docs/runbooks');

/** Each runbook's shell blocks, run as written from the repository root with xrdctl on PATH, in a throwaway config. */
describe('docs/runbooks run as written', () => {
  for (const page of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const blocks = shellBlocks(join(dir, page));
    it.each(blocks.map((b) => [b.line, b.code] as const))(`${page}:%i`, async (_line, code) => {
      const work = mkdtempSync(join(tmpdir(), 'xrdctl-runbook-'));
      const bin = join(work, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'xrdctl'), `#!/bin/sh\nexec "${process.execPath}" "${binPath}" "$@"\n`);
      chmodSync(join(bin, 'xrdctl'), 0o755);
      const r = await execa('bash', ['-euo', 'pipefail', '-c', `${code}\n`], {
        cwd: repoRoot,
        reject: false,
        timeout: 240_000,
        extendEnv: false,
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: work, XRDCTL_CONFIG_DIR: join(work, 'config'), XRDCTL_STATE_DIR: join(work, 'state'), TMPDIR: work },
        all: true,
      });
      // a failed block must not leave its sandbox running
      if (r.exitCode !== 0) await execa('bash', ['-c', 'xrdctl sandbox stop || true'], { reject: false, env: { PATH: `${bin}:${process.env.PATH}`, HOME: work, XRDCTL_CONFIG_DIR: join(work, 'config'), XRDCTL_STATE_DIR: join(work, 'state') } });
      expect(r.exitCode, String(r.all)).toBe(0);
    }, 300_000);
  }
});

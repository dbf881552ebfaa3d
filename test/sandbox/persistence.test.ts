/** Persistence: restart mid-scenario keeps everything; SIGKILL of the daemon while it writes leaves a readable state. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, resetSandbox } from '../../src/sandbox/index.js';
import { loadState } from '../../src/sandbox/journal.js';
import { call, closeAgents, until, real } from './helpers.js';
import { approveWaiting, initAndLogin, keyCsrSignImport, ssApi } from './scenario.js';

afterAll(() => closeAgents());

describe('sandbox persistence', () => {
  it('a restart mid-scenario restores keys, certs, CA, requests, ports and fingerprints (tokens come back logged out)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-sb-persist-'));
    const sb1 = await startSandbox({ dir, gcIntervalMs: 150, rateLimit: false });
    await initAndLogin(sb1, 0);
    const ss = sb1.ss[0]!;
    const sign = await keyCsrSignImport(sb1, 0, 'SIGNING', ss.ownerId);
    const auth = await keyCsrSignImport(sb1, 0, 'AUTHENTICATION');
    expect((await ssApi(ss)('PUT', `/token-certificates/${auth.hash}/register`, { address: ss.address })).status).toBe(real('registerCertificate', 200));
    const tokensBefore = (await ssApi(ss)('GET', '/tokens')).json;
    await sb1.stop();
    closeAgents(); // keep-alive sockets to the old listeners are gone

    const sb2 = await startSandbox({ dir, gcIntervalMs: 150, rateLimit: false });
    try {
      const s2 = sb2.ss[0]!;
      expect(s2.url).toBe(ss.url);
      expect(s2.fingerprint).toBe(ss.fingerprint);
      expect(s2.apiKeys).toEqual(ss.apiKeys);
      expect(sb2.cs.fingerprint).toBe(sb1.cs.fingerprint);
      const tokensAfter = (await ssApi(s2)('GET', '/tokens')).json;
      expect(tokensAfter[0].logged_in).toBe(false);
      expect(tokensAfter[0].keys.map((k: { id: string }) => k.id)).toEqual(tokensBefore[0].keys.map((k: { id: string }) => k.id));
      expect((await ssApi(s2)('GET', `/token-certificates/${sign.hash}`)).json.status).toBe('REGISTERED');
      expect((await ssApi(s2)('GET', `/token-certificates/${auth.hash}`)).json.status).toBe('REGISTRATION_IN_PROGRESS');
      // the waiting request survived at the CS and approving it still works
      await approveWaiting(sb2, 'AUTH_CERT_REGISTRATION_REQUEST');
      await until(
        () => ssApi(s2)('GET', `/token-certificates/${auth.hash}`),
        (r) => r.json.status === 'REGISTERED',
      );
      // log in again (as after a reboot without autologin) and carry on
      expect((await ssApi(s2)('PUT', '/tokens/0/login', { password: s2.tokenPin })).status).toBe(200);
      expect((await ssApi(s2)('PUT', `/token-certificates/${auth.hash}/activate`)).status).toBe(204);
      // the CA survived: a new CSR signed by the restarted CA imports fine
      await keyCsrSignImport(sb2, 0, 'SIGNING', s2.ownerId);
    } finally {
      await sb2.stop();
      closeAgents();
    }
    resetSandbox(dir);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    const sb3 = await startSandbox({ dir, rateLimit: false });
    expect((await ssApi(sb3.ss[0]!)('GET', '/initialization/status')).json.is_anchor_imported).toBe(false);
    await sb3.stop();
  });

  it('daemon: readiness line, sandbox.json + 0600 secrets.json, SIGKILL during a write burst leaves exactly the acknowledged writes, SIGTERM stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrdctl-sb-daemon-'));
    const root = resolve(import.meta.dirname, '../..');
    const start = () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(root, 'src/sandbox/daemon.ts'),
          '--dir',
          dir,
          '--security-servers',
          '1',
          '--preset',
          'initialized',
          '--no-rate-limit',
          '--gc-interval-ms',
          '200',
        ],
        // a small compaction threshold: the burst compacts (snapshot + truncate) many times, so the kill can land in either
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XRDCTL_SANDBOX_COMPACT_BYTES: '16384' } },
      );
      const ready = new Promise<Record<string, unknown>>((res, rej) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const nl = buf.indexOf('\n');
          if (nl >= 0) res(JSON.parse(buf.slice(0, nl)));
        });
        child.on('exit', (code) => rej(new Error(`daemon exited ${code}`)));
      });
      return { child, ready };
    };
    const d1 = start();
    const info = await d1.ready;
    expect(info.ready).toBe(true);
    const pub = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'));
    expect(pub.pid).toBe(d1.child.pid);
    expect(JSON.stringify(pub)).not.toMatch(/api_keys|token_pin|control_token/);
    const secrets = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'));
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    const ssUrl = pub.servers.find((s: { name: string }) => s.name === 'ss1').url as string;
    const key = secrets.servers.ss1.api_keys.admin as string;
    const pin = secrets.servers.ss1.token_pin as string;
    expect((await call(ssUrl, key, 'PUT', '/tokens/0/login', { password: pin })).status).toBe(200);
    // hammer writes (cheap ones: local groups on the owner client), kill -9 in the middle
    const owner = encodeURIComponent(pub.servers.find((s: { name: string }) => s.name === 'ss1').owner_id as string);
    let n = 0;
    const acked = new Set<string>();
    const WRITERS = 4;
    let stop = false;
    const writers = Array.from({ length: WRITERS }, async () => {
      while (!stop) {
        const code = `g${n++}`;
        try {
          const r = await call(ssUrl, key, 'POST', `/clients/${owner}/local-groups`, { code, description: 'x'.repeat(200) });
          if (r.status === 201) acked.add(code);
        } catch {
          return;
        }
      }
    });
    await until(
      async () => n,
      (v) => v >= 120,
      30_000,
      10,
    );
    d1.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    closeAgents();
    // the snapshot and the journal's complete records: every acknowledged write, and at most the ones in flight besides
    const state = loadState(dir)!;
    const codes = state.ss[0]!.localGroups.map((g) => g.code);
    expect(acked.size).toBeGreaterThan(60);
    expect(codes.filter((c) => !acked.has(c)).length).toBeLessThanOrEqual(WRITERS);
    expect([...acked].filter((c) => !codes.includes(c))).toEqual([]);
    expect(new Set(codes).size).toBe(codes.length);
    const persisted = codes.length;
    // restart on the same dir: same URL, everything acknowledged is still there; then SIGTERM ends it cleanly
    const d2 = start();
    await d2.ready;
    const groups = await call(ssUrl, key, 'GET', `/clients/${owner}/local-groups`);
    expect(groups.status).toBe(200);
    expect(groups.json.length).toBe(persisted);
    const exited = new Promise<number | null>((r) => d2.child.on('exit', (c) => r(c)));
    d2.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
  });
});

/**
 * Issue 16's sandbox part: CS configuration signing keys, anchors, global configuration signed with the active key
 * and verified by every SS against its anchor; an SS that cannot verify shows FAIL, turns global_conf_outdated after
 * the expiry interval, and is in the outage record (kind globalconf) until it verifies again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../src/sandbox/index.js';
import { call, closeAgents, real, until } from './helpers.js';
import { sandboxConformance, type SandboxConformance } from './conformance-support.js';
import { ssApi } from './scenario.js';

let sb: SandboxHandle;
let check: SandboxConformance;
beforeAll(async () => {
  [sb, check] = await Promise.all([
    startSandbox({ securityServers: 2, gcIntervalMs: 100, rateLimit: false, preset: 'initialized', record: true }),
    sandboxConformance('real'),
  ]);
  await sb.waitForGlobalConf();
});
afterAll(async () => {
  await sb?.stop();
  closeAgents();
});

const cs = (m: string, p: string, b?: unknown) => call(sb.cs.url, sb.cs.apiKeys.admin, m, p, b);
const keys = async () =>
  (await cs('GET', '/tokens')).json[0].configuration_signing_keys as Array<{ id: string; active: boolean; source_type: string; key_hash: string }>;
const diag = async (i: number) => (await ssApi(sb.ss[i]!)('GET', '/diagnostics/globalconf')).json;

describe('configuration signing keys', () => {
  it('an initialised CS signs with an active internal and external key; every SS verifies against its anchor', async () => {
    const k = await keys();
    expect(k.map((x) => [x.source_type, x.active])).toEqual([
      ['INTERNAL', true],
      ['EXTERNAL', true],
    ]);
    for (const i of [0, 1]) expect((await diag(i)).status_class).toBe('OK');
    const anchor = await cs('GET', '/configuration-sources/INTERNAL/anchor/download');
    expect(anchor.text.match(/<verificationCert>/g)).toHaveLength(1);
  });

  it('regular change: add, let globalconf carry it, activate, delete the old: no SS ever fails to verify', async () => {
    const old = (await keys()).find((x) => x.source_type === 'INTERNAL' && x.active)!;
    const add = await cs('POST', '/configuration-sources/INTERNAL/signing-keys', { key_label: 'next', token_id: '0' });
    expect(add.status, add.text).toBe(real('addKey', 201, 'cs'));
    expect(add.json).toMatchObject({ active: false, possible_actions: ['ACTIVATE', 'DELETE'] });
    await sb.waitForGlobalConf(); // every SS has now verified a configuration that lists the new certificate
    expect((await cs('PUT', `/signing-keys/${add.json.id}/activate`)).status).toBe(204);
    const del = await cs('DELETE', `/signing-keys/${old.id}`);
    expect(del.status, del.text).toBe(204);
    await sb.waitForGlobalConf();
    for (const i of [0, 1]) expect((await diag(i)).status_class).toBe('OK');
    expect(sb.outages().filter((o) => o.kind === 'globalconf')).toEqual([]);
    // the active key cannot be deleted
    expect((await cs('DELETE', `/signing-keys/${add.json.id}`)).json.error.code).toBe('active_signing_key_cannot_be_deleted');
  });

  it('emergency change: a key activated at once is not trusted by an SS that never saw it; the re-created anchor fixes it', async () => {
    // ss1 is offline (its downloads fail) while the new key is added and activated
    sb.globalConf.setDownloadFailing('ss1', true);
    const add = await cs('POST', '/configuration-sources/INTERNAL/signing-keys', { key_label: 'emergency', token_id: '0' });
    await sb.waitForGlobalConf(); // ss2 (online) has verified a configuration listing the new key; ss1 has not
    expect((await cs('PUT', `/signing-keys/${add.json.id}/activate`)).status).toBe(204);
    for (const x of await keys()) if (x.source_type === 'INTERNAL' && !x.active) expect((await cs('DELETE', `/signing-keys/${x.id}`)).status).toBe(204);
    await sb.waitForGlobalConf();
    sb.globalConf.setDownloadFailing('ss1', false);
    await until(
      () => diag(0),
      (d) => d.status_class === 'FAIL',
    );
    const d = await diag(0);
    expect(d.error.code).toBe('signature_verification_failed');
    expect((await diag(1)).status_class).toBe('OK'); // ss2 learned the new key from a configuration the old one signed
    const open = sb.outages().filter((o) => o.kind === 'globalconf' && o.to === null);
    expect(open.map((o) => o.server)).toEqual(['ss1']);
    // past the expiry interval it refuses to work
    sb.clock.advance(10 * 60_000);
    const api = ssApi(sb.ss[0]!);
    await api('PUT', '/tokens/0/login', { password: sb.ss[0]!.tokenPin });
    const kc = await api('POST', '/tokens/0/keys-with-csrs', {
      key_label: 'x',
      csr_generate_request: { key_usage_type: 'SIGNING', ca_name: 'Sandbox CA', csr_format: 'PEM', member_id: sb.ss[0]!.ownerId, subject_field_values: {} },
    });
    const csr = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}`);
    const imp = await api('POST', '/token-certificates', Buffer.from(sb.ca.sign(csr.text, { usage: 'SIGNING' })), 'application/octet-stream');
    expect([imp.status, imp.json.error.code]).toEqual([409, 'global_conf_outdated']);
    // re-create the internal anchor and import it on the SS
    const re = await cs('PUT', '/configuration-sources/INTERNAL/anchor/re-create');
    expect(re.status, re.text).toBe(200);
    const anchor = await cs('GET', '/configuration-sources/INTERNAL/anchor/download');
    expect((await api('PUT', '/system/anchor', anchor.buf, 'application/octet-stream')).status).toBe(201);
    await until(
      () => diag(0),
      (x) => x.status_class === 'OK',
    );
    const closed = sb.outages().filter((o) => o.kind === 'globalconf' && o.server === 'ss1');
    expect(closed).toHaveLength(1);
    expect(closed[0]!.to).not.toBeNull();
  });

  it('bad input: a logged-out CS token, unknown keys and sources', async () => {
    expect((await cs('PUT', '/tokens/0/logout')).status).toBe(200);
    const r = await cs('POST', '/configuration-sources/INTERNAL/signing-keys', { key_label: 'x', token_id: '0' });
    expect([r.status, r.json.error.code]).toEqual([409, 'token_not_active']);
    expect((await cs('PUT', '/tokens/0/login', { password: sb.cs.tokenPin })).status).toBe(200);
    expect((await cs('PUT', '/signing-keys/999/activate')).status).toBe(404);
    expect((await cs('POST', '/configuration-sources/NOPE/signing-keys', { key_label: 'x', token_id: '0' })).status).toBe(400);
    expect((await cs('POST', '/configuration-sources/INTERNAL/signing-keys', { token_id: '0' })).status).toBe(400);
  });

  it('every 2xx answer above conforms (default mode)', () => {
    const problems = sb
      .requests()
      .filter((e) => e.operationId && e.status < 300)
      .flatMap((e) => check.entry(e));
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

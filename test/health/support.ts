/** A working security server in the sandbox (token logged in, sign + auth certificate, TSA), over its admin API. */
import { expect } from 'vitest';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { call, until } from '../sandbox/helpers.js';
import { keyCsrSignImport, ssApi } from '../sandbox/scenario.js';

export async function loginToken(sb: SandboxHandle, i: number): Promise<void> {
  const r = await ssApi(sb.ss[i]!)('PUT', '/tokens/0/login', { password: sb.ss[i]!.tokenPin });
  expect(r.status, r.text).toBe(200);
}

/** Everything a server needs to be OK in health: returns the hashes of its certificates. */
export async function workingServer(sb: SandboxHandle, i: number, o: { authValidityDays?: number } = {}): Promise<{ authHash: string; signHash: string }> {
  const ss = sb.ss[i]!;
  const api = ssApi(ss);
  await loginToken(sb, i);
  const sign = await keyCsrSignImport(sb, i, 'SIGNING', ss.ownerId);
  const auth = o.authValidityDays ? await authWithValidity(sb, i, o.authValidityDays) : (await keyCsrSignImport(sb, i, 'AUTHENTICATION')).hash;
  const reg = await api('PUT', `/token-certificates/${auth}/register`, { address: ss.address });
  expect(reg.status, reg.text).toBe(204); // the real server's status (the spec says 200)
  await approveFor(sb, ss.serverId!);
  await until(
    () => api('GET', `/token-certificates/${auth}`),
    (r) => r.json?.status === 'REGISTERED',
  );
  expect((await api('PUT', `/token-certificates/${auth}/activate`)).status).toBe(204);
  const tsa = (await api('GET', '/timestamping-services')).json[0];
  expect((await api('POST', '/system/timestamping-services', tsa)).status).toBe(201);
  return { authHash: auth, signHash: sign.hash };
}

/** Approve the waiting auth-certificate registration of this server (not another's). */
export async function approveFor(sb: SandboxHandle, serverId: string): Promise<void> {
  const list = await csCall(sb, 'GET', '/management-requests?status=WAITING&types=AUTH_CERT_REGISTRATION_REQUEST&limit=100');
  const req = list.json.items.find((r: any) => r.security_server_id.encoded_id === serverId);
  expect(req, `a waiting registration of ${serverId}`).toBeTruthy();
  const ap = await csCall(sb, 'POST', `/management-requests/${req.id}/approval`);
  expect(ap.status, ap.text).toBe(200);
}

/** A new auth key + certificate of the given validity, imported (SAVED) */
export async function authWithValidity(sb: SandboxHandle, i: number, days: number): Promise<string> {
  const api = ssApi(sb.ss[i]!);
  const kc = await api('POST', '/tokens/0/keys-with-csrs', {
    key_label: `auth-${Date.now()}`,
    csr_generate_request: { key_usage_type: 'AUTHENTICATION', ca_name: 'Sandbox CA', csr_format: 'PEM', subject_field_values: {} },
  });
  expect(kc.status, kc.text).toBe(200); // the real server's status (the spec says 201)
  const csr = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=PEM`);
  const pem = sb.ca.sign(csr.text, { usage: 'AUTHENTICATION', validityDays: days });
  const imp = await api('POST', '/token-certificates', Buffer.from(pem), 'application/octet-stream');
  expect(imp.status, imp.text).toBe(201);
  return imp.json.certificate_details.hash as string;
}

export async function csCall(sb: SandboxHandle, method: string, path: string, body?: unknown) {
  return call(sb.cs.url, sb.cs.apiKeys.XROAD_REGISTRATION_OFFICER, method, path, body);
}

/** the one check of a server in a health --json document */
export function checkOf(doc: any, server: string, name: string): any {
  const s = doc.servers.find((x: any) => x.server === server);
  expect(s, `server ${server} in the report`).toBeTruthy();
  return s.checks.find((c: any) => c.name === name);
}

/** nagios status line grammar (monitoring-plugins guidelines): STATUS text, then optional perfdata */
export const NAGIOS_LINE =
  /^XRDCTL (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+?(?: \| (?:(?:'[^'=]+'|[^'=\s]+)=-?\d+(?:\.\d+)?(?:s|ms|us|%|B|KB|MB|TB|c)?(?:;(?:@?-?[\d.~]*:?-?[\d.]*)?){0,4} ?)+)?$/;

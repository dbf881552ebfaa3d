/** Reusable steps of the operator flow, driven over HTTPS against a sandbox (used by several tests). */
import { expect } from 'vitest';
import type { SandboxHandle, SandboxServerInfo } from '../../src/sandbox/index.js';
import { call, real, until } from './helpers.js';

export const CA = 'Sandbox CA';

export function ssApi(ss: SandboxServerInfo, role = 'admin') {
  const key = ss.apiKeys[role]!;
  return (method: string, path: string, body?: unknown, contentType?: string) => call(ss.url, key, method, path, body, { contentType });
}

export async function initAndLogin(sb: SandboxHandle, i = 0): Promise<void> {
  const ss = sb.ss[i]!;
  const api = ssApi(ss);
  const p = ss.serverId!.split(':');
  expect((await api('POST', '/system/anchor', Buffer.from(sb.anchor()), 'application/octet-stream')).status).toBe(201);
  const init = await api('POST', '/initialization', {
    owner_member_class: p[1],
    owner_member_code: p[2],
    security_server_code: p[3],
    software_token_pin: ss.tokenPin,
  });
  expect(init.status, init.text).toBe(201);
  const login = await api('PUT', '/tokens/0/login', { password: ss.tokenPin });
  expect(login.status, login.text).toBe(200);
  expect(login.json.logged_in).toBe(true);
}

/** key + CSR → download → sandbox CA signs → import; returns the cert hash */
export async function keyCsrSignImport(
  sb: SandboxHandle,
  i: number,
  usage: 'AUTHENTICATION' | 'SIGNING',
  memberId?: string,
): Promise<{ hash: string; keyId: string }> {
  const ss = sb.ss[i]!;
  const api = ssApi(ss);
  const kc = await api('POST', '/tokens/0/keys-with-csrs', {
    key_label: `${usage.toLowerCase()}-${Date.now()}`,
    csr_generate_request: { key_usage_type: usage, ca_name: CA, csr_format: 'PEM', ...(memberId ? { member_id: memberId } : {}), subject_field_values: {} },
  });
  expect(kc.status, kc.text).toBe(real('addKeyAndCsr', 201));
  const csr = await api('GET', `/keys/${kc.json.key.id}/csrs/${kc.json.csr_id}?csr_format=PEM`);
  expect(csr.status).toBe(real('downloadCsr', 201));
  expect(csr.text).toContain('BEGIN CERTIFICATE REQUEST');
  const pem = sb.ca.sign(csr.text, { usage });
  const imp = await api('POST', '/token-certificates', Buffer.from(pem), 'application/octet-stream');
  expect(imp.status, imp.text).toBe(201);
  return { hash: imp.json.certificate_details.hash, keyId: kc.json.key.id };
}

export async function approveWaiting(sb: SandboxHandle, type: string): Promise<number> {
  const cs = sb.cs;
  const list = await call(cs.url, cs.apiKeys.XROAD_REGISTRATION_OFFICER, 'GET', `/management-requests?status=WAITING&types=${type}`);
  expect(list.status).toBe(200);
  expect(list.json.items.length).toBeGreaterThan(0);
  const id = list.json.items[0].id as number;
  const ap = await call(cs.url, cs.apiKeys.XROAD_REGISTRATION_OFFICER, 'POST', `/management-requests/${id}/approval`);
  expect(ap.status, ap.text).toBe(200);
  expect(ap.json.status).toBe('APPROVED');
  return id;
}

/** the whole path to a working server: sign cert, auth cert registered + active */
export async function registeredServer(sb: SandboxHandle, i = 0): Promise<{ authHash: string; signHash: string }> {
  const ss = sb.ss[i]!;
  const api = ssApi(ss);
  await initAndLogin(sb, i);
  const sign = await keyCsrSignImport(sb, i, 'SIGNING', ss.ownerId);
  const auth = await keyCsrSignImport(sb, i, 'AUTHENTICATION');
  const reg = await api('PUT', `/token-certificates/${auth.hash}/register`, { address: ss.address });
  expect(reg.status, reg.text).toBe(real('registerCertificate', 200));
  await approveWaiting(sb, 'AUTH_CERT_REGISTRATION_REQUEST');
  await until(
    () => api('GET', `/token-certificates/${auth.hash}`),
    (r) => r.json?.status === 'REGISTERED',
  );
  expect((await api('PUT', `/token-certificates/${auth.hash}/activate`)).status).toBe(204);
  return { authHash: auth.hash, signHash: sign.hash };
}

/** approve every WAITING request of a type (returns their ids) */
export async function approveAll(sb: SandboxHandle, type: string): Promise<number[]> {
  const cs = sb.cs;
  const list = await call(cs.url, cs.apiKeys.XROAD_REGISTRATION_OFFICER, 'GET', `/management-requests?status=WAITING&types=${type}&limit=100`);
  const ids = (list.json.items as Array<{ id: number }>).map((x) => x.id);
  for (const id of ids) expect((await call(cs.url, cs.apiKeys.XROAD_REGISTRATION_OFFICER, 'POST', `/management-requests/${id}/approval`)).status).toBe(200);
  return ids;
}

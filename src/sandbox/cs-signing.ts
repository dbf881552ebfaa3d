/**
 * CS configuration signing keys (issue 16): per configuration source (INTERNAL, EXTERNAL) keys on the CS token,
 * one active per source. The global configuration carries the INTERNAL source's verification certificates and is
 * signed with its active key; every SS verifies what it downloads against the certificates of its imported anchor
 * and those a configuration it verified listed (engine.ts). The anchors are snapshots: `anchor/re-create` takes
 * the source's current keys.
 */
import { bad, conflict, notFound, type Resp, type Route } from './http.js';
import { pemToDer, sha256Hex } from '../pki/encoding.js';
import { generateRsaKeyPairAsync } from '../pki/keys.js';
import { sandboxCa } from './certs.js';
import { sha224Hex, type Engine } from './engine.js';
import type { ConfigurationSource, SigningKeyState, State } from './model.js';
import type { KeyPairPem } from '../pki/keys.js';
import { str } from './validate.js';
import { CS_ROLES } from './cs-roles.js';
import { anchorXml } from './cs-anchor.js';

const { SO, SYS } = CS_ROLES;
const ok = (body?: unknown, status = 200): Resp => ({ status, body });
const SOURCES: ConfigurationSource[] = ['INTERNAL', 'EXTERNAL'];

export function signingKeyView(k: SigningKeyState) {
  return {
    id: k.id,
    label: { label: k.label },
    created_at: k.createdAt,
    active: k.active,
    available: true,
    key_hash: k.certHash,
    token_id: '0',
    source_type: k.source,
    key_algorithm: 'RSA',
    possible_actions: k.active ? [] : ['ACTIVATE', 'DELETE'],
  };
}

/** a new signing key with its self-signed verification certificate */
export async function newSigningKey(st: State, source: ConfigurationSource, label: string, now: Date, keyPair?: KeyPairPem): Promise<SigningKeyState> {
  const kp = keyPair ?? (await generateRsaKeyPairAsync());
  const cert = sandboxCa(`${st.instance} ${source.toLowerCase()} configuration signing`, now, kp);
  const keys = (st.cs.signingKeys ??= []);
  const id = String(1 + Math.max(0, ...keys.map((k) => Number(k.id) || 0)));
  const k: SigningKeyState = {
    id,
    source,
    label,
    keyPem: kp.privateKeyPem,
    certPem: cert.certPem,
    certHash: sha256Hex(pemToDer(cert.certPem)),
    createdAt: now.toISOString(),
    active: !keys.some((x) => x.source === source),
  };
  keys.push(k);
  return k;
}

/** take the source's current keys into its anchor (what `anchor/re-create` does) */
export function recreateAnchor(st: State, source: ConfigurationSource, now: Date): void {
  const keys = (st.cs.signingKeys ?? []).filter((k) => k.source === source);
  (st.cs.anchors ??= {})[source] = { generatedAt: now.toISOString(), certsB64: keys.map((k) => pemToDer(k.certPem).toString('base64')) };
}

export function csSigningRoutes(e: Engine): Route[] {
  const st = e.st;
  const source = (raw: string): ConfigurationSource => {
    const s = raw.toUpperCase() as ConfigurationSource;
    if (!SOURCES.includes(s)) throw bad('invalid_configuration_type', raw);
    return s;
  };
  const key = (id: string) => {
    const k = (st.cs.signingKeys ?? []).find((x) => x.id === id);
    if (!k) throw notFound('signing_key_not_found', id);
    return k;
  };
  const requireLogin = () => {
    if (!st.cs.tokenLoggedIn) throw conflict('token_not_active', 'the CS token is not logged in');
  };
  return [
    {
      method: 'POST',
      path: '/configuration-sources/{configuration_type}/signing-keys',
      op: 'addKey',
      roles: [SO, SYS],
      write: true,
      h: async (c) => {
        const src = source(c.params.configuration_type!);
        const b = c.json();
        const label = str(b, 'key_label', 'configurationSigningKeyAdd');
        const tokenId = str(b, 'token_id', 'configurationSigningKeyAdd');
        if (tokenId !== '0') throw notFound('token_not_found', tokenId);
        requireLogin();
        const k = await newSigningKey(st, src, label, e.clock.now());
        // the first key of a source: its anchor is created with it
        if (!st.cs.anchors?.[src]) recreateAnchor(st, src, e.clock.now());
        e.csChanged();
        return ok(signingKeyView(k), 201);
      },
    },
    {
      method: 'PUT',
      path: '/signing-keys/{sign_key_id}/activate',
      op: 'activateKey',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        const k = key(c.params.sign_key_id!);
        requireLogin();
        for (const x of st.cs.signingKeys!) if (x.source === k.source) x.active = x === k;
        e.csChanged();
        return { status: 204 };
      },
    },
    {
      method: 'DELETE',
      path: '/signing-keys/{sign_key_id}',
      op: 'deleteKey',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        const k = key(c.params.sign_key_id!);
        if (k.active) throw conflict('active_signing_key_cannot_be_deleted', k.id);
        requireLogin();
        st.cs.signingKeys = st.cs.signingKeys!.filter((x) => x !== k);
        e.csChanged();
        return { status: 204 };
      },
    },
    {
      method: 'PUT',
      path: '/configuration-sources/{configuration_type}/anchor/re-create',
      op: 'reCreateAnchor',
      roles: [SO, SYS],
      write: true,
      h: (c) => {
        const src = source(c.params.configuration_type!);
        if (!(st.cs.signingKeys ?? []).some((k) => k.source === src)) throw conflict('no_configuration_signing_keys_configured', src);
        recreateAnchor(st, src, e.clock.now());
        const xml = Buffer.from(anchorXml(e, src));
        return ok({ hash: sha224Hex(xml).match(/../g)!.join(':'), created_at: st.cs.anchors![src]!.generatedAt });
      },
    },
  ];
}

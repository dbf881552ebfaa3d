import { SecurityServerApi } from '../../src/api/security-server.js';
import { readServer } from '../../src/engine/actual.js';
import { HttpClient } from '../../src/http/index.js';
import { loadManifest } from '../../src/manifest/index.js';
import { manifestEnv } from './manifest-env.js';
import type { SandboxEnv } from './sandbox.js';

/** What a server holds, without ids, hashes and times: two runs that converge compare equal. */
export async function serverState(E: SandboxEnv, example: string): Promise<unknown> {
  const { manifest } = await loadManifest([example], { env: manifestEnv(E.sb) });
  const out: Record<string, unknown> = {};
  for (const s of manifest!.servers) {
    const info = E.sb.ss.find((x) => x.name === s.name)!;
    const http = new HttpClient({ baseUrl: info.url, server: s.name, apiKey: info.apiKeys.admin, tlsFingerprint: info.fingerprint });
    try {
      const a = await readServer(new SecurityServerApi(http), s, manifest!.instance);
      out[s.name] = {
        loggedIn: a.tokens.map((t) => t.logged_in),
        certs: a.tokens.flatMap((t) => t.keys.flatMap((k) => k.certificates.map((c) => `${k.usage} ${c.status} ${c.active}`))).sort(),
        clients: a.clients.map((c) => `${c.member_class}:${c.member_code}:${c.subsystem_code ?? ''} ${c.status}`).sort(),
        sds: [...a.serviceDescriptions.entries()].map(([id, sds]) => [
          id,
          sds.map((d) => ({
            url: d.url,
            disabled: d.disabled,
            services: d.services.map((v) => [v.service_code, v.timeout, (v.endpoints ?? []).map((e) => `${e.method} ${e.path}`).sort()]),
          })),
        ]),
        rights: [...a.accessRights.entries()].map(([id, m]) => [id, [...m.entries()].map(([k, v]) => [v.localGroupCode ?? k, v.codes.sort()]).sort()]),
        groups: [...a.localGroups.entries()].map(([id, gs]) => [id, gs.map((g) => [g.code, (g.members ?? []).map((m) => m.id).sort()])]),
      };
    } finally {
      http.close();
    }
  }
  return out;
}

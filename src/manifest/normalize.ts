import { dirname, resolve } from 'node:path';
import { parseDuration } from '../model/duration.js';
import type { DesiredCert, DesiredClient, DesiredInstance, DesiredServer } from '../model/desired.js';
import type { SourceFile } from './source.js';
import { positionOf } from './source.js';

type Obj = Record<string, any>;

function issuerOf(i: Obj | undefined): DesiredCert['issuer'] {
  if (!i) return undefined;
  if (i.serverAcme) return { type: 'server-acme' };
  if (i.command) return { type: 'command', command: String(i.command.run), timeoutSeconds: i.command.timeoutSeconds };
  if (i.manual) return { type: 'manual', dir: i.manual.dir };
  return undefined;
}

/** Validated, merged files → the planner's desired state (defaults filled in, positions kept). */
export function normalize(sources: SourceFile[]): DesiredInstance {
  const instance = String(sources[0]!.data.instance);
  const out: DesiredInstance = { instance, servers: [] };
  for (const src of sources) {
    const d = src.data as Obj;
    if (d.health) out.health = { ...out.health, ...(d.health as Obj) };
    if (d.centralServer) {
      const cs = d.centralServer as Obj;
      out.central = {
        name: cs.name ?? 'cs',
        conn: { url: cs.url, apiKey: cs.apiKey, tlsFingerprint: cs.tlsFingerprint, caFile: cs.caFile },
        approveRequests: !!cs.approveRequests,
        members: (cs.members ?? []).map((m: Obj, i: number) => ({ id: m.id, name: m.name, pos: positionOf(src, ['centralServer', 'members', i]) })),
        subsystems: (cs.subsystems ?? []).map((m: Obj, i: number) => ({ id: m.id, name: m.name, pos: positionOf(src, ['centralServer', 'subsystems', i]) })),
      };
      if (cs.configurationSigning) {
        const sig: NonNullable<DesiredInstance['central']>['configurationSigning'] = {};
        for (const [k, src0] of [
          ['internal', 'INTERNAL'],
          ['external', 'EXTERNAL'],
        ] as const) {
          const v = cs.configurationSigning[k] as Obj | undefined;
          if (v)
            sig[src0] = {
              token: String(v.token ?? '0'),
              renewAfterDays: v.renewAfterDays ?? 365,
              pos: positionOf(src, ['centralServer', 'configurationSigning', k]),
            };
        }
        out.central.configurationSigning = sig;
      }
    }
    (d.securityServers ?? []).forEach((s: Obj, si: number) => {
      const sp = ['securityServers', si];
      const certs: DesiredCert[] = [];
      if (s.certificates?.auth) {
        const a = s.certificates.auth;
        certs.push({
          usage: 'auth',
          ca: a.ca,
          renewBeforeDays: a.renewBeforeDays ?? 30,
          keepReplacedMs: parseDuration(a.keepReplaced ?? 'forever') ?? null,
          issuer: issuerOf(a.issuer),
          pos: positionOf(src, [...sp, 'certificates', 'auth']),
        });
      }
      (s.certificates?.sign ?? []).forEach((c: Obj, i: number) =>
        certs.push({
          usage: 'sign',
          member: c.member,
          ca: c.ca,
          renewBeforeDays: c.renewBeforeDays ?? 30,
          keepReplacedMs: parseDuration(c.keepReplaced ?? 'forever') ?? null,
          issuer: issuerOf(c.issuer),
          pos: positionOf(src, [...sp, 'certificates', 'sign', i]),
        }),
      );
      const clients: DesiredClient[] = (s.clients ?? []).map((c: Obj, ci: number) => {
        const cp = [...sp, 'clients', ci];
        return {
          id: c.id,
          name: c.name,
          connectionType: c.connectionType,
          register: c.register ?? true,
          prune: {
            serviceDescriptions: !!c.prune?.serviceDescriptions,
            accessRights: !!c.prune?.accessRights,
            endpoints: !!c.prune?.endpoints,
            localGroupMembers: !!c.prune?.localGroupMembers,
          },
          localGroups: (c.localGroups ?? []).map((g: Obj, gi: number) => ({
            code: g.code,
            description: g.description,
            members: g.members ?? [],
            pos: positionOf(src, [...cp, 'localGroups', gi]),
          })),
          serviceDescriptions: (c.serviceDescriptions ?? []).map((sd: Obj, di: number) => ({
            type: sd.type,
            url: sd.url,
            restServiceCode: sd.restServiceCode,
            disabled: !!sd.disabled,
            pos: positionOf(src, [...cp, 'serviceDescriptions', di]),
            services: (sd.services ?? []).map((sv: Obj, vi: number) => ({
              code: sv.code,
              timeout: sv.timeout,
              url: sv.url,
              sslAuth: sv.sslAuth,
              endpoints: sv.endpoints ?? [],
              accessRights: sv.accessRights ?? [],
              pos: positionOf(src, [...cp, 'serviceDescriptions', di, 'services', vi]),
            })),
          })),
          pos: positionOf(src, cp),
        };
      });
      const server: DesiredServer = {
        name: s.name,
        conn: { url: s.url, apiKey: s.apiKey, tlsFingerprint: s.tlsFingerprint, caFile: s.caFile },
        id: s.id,
        address: s.address,
        token: { id: String(s.token?.id ?? '0'), pin: s.token?.pin, login: s.token?.login ?? true },
        ...(s.initialize
          ? {
              initialize: {
                anchor: s.initialize.anchor.file ? { file: resolve(dirname(src.file), s.initialize.anchor.file) } : { central: true as const },
                pos: positionOf(src, [...sp, 'initialize']),
              },
            }
          : {}),
        ...(s.timestampingServices
          ? {
              timestampingServices: (s.timestampingServices as Obj[]).map((t, ti) => ({
                name: t.name,
                url: t.url,
                pos: positionOf(src, [...sp, 'timestampingServices', ti]),
              })),
            }
          : {}),
        certificates: certs,
        clients,
        pruneClients: !!s.prune?.clients,
        pos: positionOf(src, sp),
      };
      out.servers.push(server);
    });
  }
  return out;
}

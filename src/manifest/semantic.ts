import { normalizeFingerprintOrThrow, validateUrl } from '../config/contexts.js';
import { ManifestError } from '../errors/index.js';
import { findUnsafeChar, identifierPartProblem, identifierProblem, preview, type IdKind } from '../input/text.js';
import type { SourceFile } from './source.js';
import { MAX_ERRORS_PER_FILE, positionOf } from './source.js';

type Obj = Record<string, any>;

/**
 * What the schema cannot check: the files agree (one instance, one central server), ${VAR} is
 * expanded where allowed and defined, ids belong to the instance, nothing is declared twice, and
 * every reference (access-right subjects, group members, sign-cert members) points at something.
 */
/** A value the loader expanded from `${VAR}`, and the text it came from (saved plans keep the text). */
export interface Expansion {
  value: string;
  template: string;
}

/** A list where the schema wants one; anything else (already reported by the schema) is no list: checks go on. */
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
/** A list of mappings, each malformed item read as an empty mapping (indices kept for positions). */
const objs = (v: unknown): Obj[] => list(v).map((x) => obj(x));
/** An item that should be a mapping; a malformed one (reported by the schema) reads as empty. */
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** A `${…}` the loader cannot expand: not `${NAME}` with NAME a letter or _ then letters, digits, _. */
const BAD_REFERENCE = /\$\{(?![A-Za-z_][A-Za-z0-9_]*\})[^}]{0,40}\}?/;

/**
 * `offline`: `${VAR}` references are checked for their syntax only and left unexpanded (validate needs no
 * environment); otherwise each must be set (plan and apply send the values).
 */
export function semanticChecks(
  sources: SourceFile[],
  env: NodeJS.ProcessEnv,
  opts: { offline?: boolean } = {},
): { errors: ManifestError[]; expansions: Expansion[] } {
  const errors: ManifestError[] = [];
  const expansions: Expansion[] = [];
  const err = (src: SourceFile, path: (string | number)[], msg: string, hint?: string) => errors.push(new ManifestError(positionOf(src, path), msg, { hint }));
  const first = sources[0]!;
  const instance = String(first.data.instance);
  let central: { src: SourceFile } | undefined;
  /** where each server name and id was first declared (its position is looked up only for a duplicate's message) */
  const serverNames = new Map<string, [SourceFile, (string | number)[]]>();
  const serverIds = new Map<string, [SourceFile, (string | number)[]]>();

  const expand = (src: SourceFile, obj: Obj, key: string, path: (string | number)[]) => {
    const v = obj?.[key];
    if (typeof v !== 'string' || !v.includes('${')) return;
    const bad = BAD_REFERENCE.exec(v);
    if (bad) {
      err(
        src,
        [...path, key],
        `'${preview(bad[0])}' is not a variable reference`,
        'write ${NAME}: a letter or _ followed by letters, digits or _, closed by }',
      );
      return;
    }
    if (opts.offline) return;
    obj[key] = v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name: string) => {
      const val = env[name];
      if (val === undefined) {
        err(src, [...path, key], `\${${name}} is not set in the environment`, `export ${name}=…`);
        return m;
      }
      return val;
    });
    if (obj[key] !== v) expansions.push({ value: obj[key], template: v });
  };
  const checkConn = (src: SourceFile, o: Obj, path: (string | number)[]) => {
    if (typeof o.url === 'string' && !o.url.includes('${')) {
      try {
        validateUrl(o.url);
      } catch (e) {
        err(src, [...path, 'url'], (e as Error).message.replace(/^url: /, ''));
      }
    }
    if (typeof o.tlsFingerprint === 'string' && !o.tlsFingerprint.includes('${')) {
      try {
        o.tlsFingerprint = normalizeFingerprintOrThrow(o.tlsFingerprint);
      } catch (e) {
        err(src, [...path, 'tlsFingerprint'], (e as Error).message);
      }
    }
  };
  const where = (src: SourceFile, path: (string | number)[]) => {
    const p = positionOf(src, path);
    return `${p.file}:${p.line}`;
  };

  for (const src of sources) {
    const before = errors.length;
    hygiene(src, (path, msg, hint) => {
      if (errors.length - before < MAX_ERRORS_PER_FILE) err(src, path, msg, hint);
    });
  }
  // a look-alike id is not checked further: its messages would only mislead
  if (errors.length) return { errors, expansions };

  for (const src of sources) {
    const d = src.data as Obj;
    if (String(d.instance) !== instance)
      err(
        src,
        ['instance'],
        `instance ${d.instance} differs from ${instance} in ${where(first, ['instance'])}`,
        'all files of one manifest describe one instance',
      );
    if (d.centralServer) {
      if (central)
        err(
          src,
          ['centralServer'],
          `a second centralServer (the first is in ${where(central.src, ['centralServer'])})`,
          'declare the central server in one file',
        );
      else central = { src };
      const cs = obj(d.centralServer);
      expand(src, cs, 'url', ['centralServer']);
      expand(src, cs, 'tlsFingerprint', ['centralServer']);
      checkConn(src, cs, ['centralServer']);
      const members = new Set<string>();
      objs(cs.members).forEach((m: Obj, i: number) => {
        if (!String(m.id).startsWith(`${instance}:`)) err(src, ['centralServer', 'members', i, 'id'], `member ${m.id} is not of instance ${instance}`);
        if (members.has(m.id)) err(src, ['centralServer', 'members', i, 'id'], `member ${m.id} declared twice`);
        members.add(m.id);
      });
      objs(cs.subsystems).forEach((m: Obj, i: number) => {
        if (!String(m.id).startsWith(`${instance}:`)) err(src, ['centralServer', 'subsystems', i, 'id'], `subsystem ${m.id} is not of instance ${instance}`);
      });
    }
    objs(d.securityServers).forEach((s: Obj, si: number) => {
      const sp = ['securityServers', si];
      expand(src, s, 'url', sp);
      expand(src, s, 'address', sp);
      expand(src, s, 'tlsFingerprint', sp);
      checkConn(src, s, sp);
      const prevName = serverNames.get(s.name);
      if (prevName) err(src, [...sp, 'name'], `server name ${s.name} is used twice (also at ${where(...prevName)})`);
      else serverNames.set(s.name, [src, [...sp, 'name']]);
      const prevId = serverIds.get(s.id);
      if (prevId) err(src, [...sp, 'id'], `server id ${s.id} is declared twice (also at ${where(...prevId)})`);
      else serverIds.set(s.id, [src, [...sp, 'id']]);
      if (!String(s.id).startsWith(`${instance}:`))
        err(src, [...sp, 'id'], `server id ${s.id} is not of instance ${instance}`, `ids start with the instance: ${instance}:CLASS:CODE:SERVERCODE`);
      const owner = String(s.id).split(':').slice(0, 3).join(':');
      const clientIds = new Set<string>();
      const clients = objs(s.clients);
      clients.forEach((c, ci) => {
        const cp = [...sp, 'clients', ci];
        if (clientIds.has(c.id)) err(src, [...cp, 'id'], `client ${c.id} is declared twice on ${s.name}`);
        clientIds.add(c.id);
        if (!String(c.id).startsWith(`${instance}:`)) err(src, [...cp, 'id'], `client ${c.id} is not of instance ${instance}`);
        const groups = new Set<string>();
        objs(c.localGroups).forEach((g: Obj, gi: number) => {
          if (groups.has(g.code)) err(src, [...cp, 'localGroups', gi, 'code'], `local group ${g.code} is declared twice for ${c.id}`);
          groups.add(g.code);
        });
        const urls = new Set<string>();
        const codes = new Set<string>();
        objs(c.serviceDescriptions).forEach((sd: Obj, di: number) => {
          const dp = [...cp, 'serviceDescriptions', di];
          expand(src, sd, 'url', dp);
          if (urls.has(sd.url)) err(src, [...dp, 'url'], `service description ${sd.url} is declared twice for ${c.id}`);
          urls.add(sd.url);
          if (sd.type !== 'WSDL' && !sd.restServiceCode)
            err(src, dp, `a ${sd.type} service description needs restServiceCode`, 'restServiceCode: the service code clients call');
          if (sd.type === 'WSDL' && sd.restServiceCode) err(src, [...dp, 'restServiceCode'], 'restServiceCode is for REST and OPENAPI3 descriptions only');
          objs(sd.services).forEach((sv: Obj, vi: number) => {
            const vp = [...dp, 'services', vi];
            expand(src, sv, 'url', vp);
            if (codes.has(sv.code)) err(src, [...vp, 'code'], `service code ${sv.code} is declared twice for ${c.id}`);
            codes.add(sv.code);
            if (sd.type === 'REST' && sd.restServiceCode && sv.code !== sd.restServiceCode)
              err(src, [...vp, 'code'], `a REST description has one service, ${sd.restServiceCode}; not ${sv.code}`);
            if (sd.type === 'WSDL' && sv.endpoints?.length) err(src, [...vp, 'endpoints'], 'endpoints are for REST and OPENAPI3 services only');
            list(sv.accessRights).forEach((subj: string, ai: number) => {
              if (typeof subj !== 'string') return;
              const ap = [...vp, 'accessRights', ai];
              if (subj.startsWith('local:')) {
                if (!groups.has(subj.slice(6)) && !objs(c.localGroups).some((g: Obj) => g.code === subj.slice(6)))
                  err(src, ap, `local group ${subj.slice(6)} is not declared for ${c.id}`, `declare it under clients[${ci}].localGroups`);
                return;
              }
              const parts = subj.split(':');
              if (parts.length === 3)
                err(
                  src,
                  ap,
                  `${subj} is a member; access rights go to subsystems, global groups or local groups`,
                  'use INSTANCE:CLASS:CODE:SUBSYSTEM, INSTANCE:GROUP or local:CODE',
                );
              else if (parts.length !== 4 && parts.length !== 2) err(src, ap, `'${subj}' is not a subsystem id, global group or local:CODE`);
              else if (parts[0] !== instance && parts.length === 4) {
                /* a subsystem of a federated instance is allowed */
              }
            });
          });
        });
        objs(c.localGroups).forEach((g: Obj, gi: number) =>
          list(g.members).forEach((m: string, mi: number) => {
            if (typeof m !== 'string') return;
            if (m.split(':').length !== 4) err(src, [...cp, 'localGroups', gi, 'members', mi], `'${m}' is not a subsystem id`);
          }),
        );
      });
      const signs = objs(obj(s.certificates).sign);
      const signMembers = new Set<string>();
      signs.forEach((sc, i) => {
        const members = new Set([owner, ...clients.map((c) => String(c.id).split(':').slice(0, 3).join(':'))]);
        if (!members.has(sc.member))
          err(
            src,
            [...sp, 'certificates', 'sign', i, 'member'],
            `sign certificate for ${sc.member}, which is neither the owner (${owner}) nor a client of ${s.name}`,
            'add the member (or one of its subsystems) under clients',
          );
        if (signMembers.has(sc.member)) err(src, [...sp, 'certificates', 'sign', i, 'member'], `a second sign certificate for ${sc.member} on ${s.name}`);
        signMembers.add(sc.member);
      });
    });
  }
  return { errors, expansions };
}

type Report = (path: (string | number)[], msg: string, hint?: string) => void;

/**
 * Every string of the file (also those written with escapes such as "\u200B", which the text scan
 * cannot see) is free of invisible, bidirectional and control characters, and every X-Road
 * identifier follows X-Road's rules. One linear walk.
 */
function hygiene(src: SourceFile, report: Report): void {
  // one path, pushed and popped: a copy is made only for a problem (a fleet's manifest has 100 000 values)
  const path: (string | number)[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const bad = findUnsafeChar(v);
      if (bad)
        report(
          [...path],
          `'${preview(v)}' contains ${bad.label} at character ${bad.index + 1}`,
          'invisible, bidirectional and control characters are refused (a look-alike id reads like the real one)',
        );
    } else if (Array.isArray(v))
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i]);
        path.pop();
      }
    else if (v && typeof v === 'object')
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        path.push(k);
        walk((v as Record<string, unknown>)[k]);
        path.pop();
      }
  };
  walk(src.data);
  const d = src.data as Obj;
  const id = (v: unknown, kind: IdKind, path: (string | number)[]) => {
    if (typeof v !== 'string') return;
    const p = identifierProblem(v, kind);
    if (p) report(path, `'${preview(v)}': ${p}`, "X-Road identifiers hold no ':' ';' '/' '\\' '%', whitespace or invisible characters, in one script");
  };
  const part = (v: unknown, what: string, path: (string | number)[]) => {
    if (typeof v !== 'string') return;
    const p = identifierPartProblem(v);
    if (p) report(path, `${what} '${preview(v)}' ${p}`);
  };
  id(d.instance, 'instance', ['instance']);
  const cs = d.centralServer as Obj | undefined;
  objs(cs?.members).forEach((m: Obj, i: number) => id(m?.id, 'member', ['centralServer', 'members', i, 'id']));
  objs(cs?.subsystems).forEach((m: Obj, i: number) => id(m?.id, 'subsystem', ['centralServer', 'subsystems', i, 'id']));
  objs(d.securityServers).forEach((s, si) => {
    const sp = ['securityServers', si];
    id(s.id, 'server', [...sp, 'id']);
    objs(obj(s.certificates).sign).forEach((c, i) => id(c.member, 'member', [...sp, 'certificates', 'sign', i, 'member']));
    objs(s.clients).forEach((c, ci) => {
      const cp = [...sp, 'clients', ci];
      id(c.id, 'client', [...cp, 'id']);
      objs(c.localGroups).forEach((g, gi) => {
        part(g.code, 'local group code', [...cp, 'localGroups', gi, 'code']);
        list(g.members).forEach((m, mi) => id(m, 'subsystem', [...cp, 'localGroups', gi, 'members', mi]));
      });
      objs(c.serviceDescriptions).forEach((sd, di) => {
        const dp = [...cp, 'serviceDescriptions', di];
        if (sd.restServiceCode !== undefined) part(sd.restServiceCode, 'service code', [...dp, 'restServiceCode']);
        objs(sd.services).forEach((sv, vi) => {
          const vp = [...dp, 'services', vi];
          part(sv.code, 'service code', [...vp, 'code']);
          list(sv.accessRights).forEach((subj, ai) => {
            if (typeof subj !== 'string') return;
            const ap = [...vp, 'accessRights', ai];
            if (subj.startsWith('local:')) part(subj.slice(6), 'local group code', ap);
            else if (subj.split(':').length === 2) id(subj, 'group', ap);
            else if (subj.split(':').length === 4) id(subj, 'subsystem', ap);
          });
        });
      });
    });
  });
}

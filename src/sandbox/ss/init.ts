/** Security Server routes: anchor and initialization (xroad-flows §1). */
import { bad, conflict, notFound, warningsDetected } from '../http.js';
import { pinHash } from '../engine.js';
import { clientIdOf } from '../model.js';
import { identifierPart, optBool, optStr, qBool } from '../validate.js';
import { ok, SO, SYS, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';

export function initRoutes(x: SsCtx): Route[] {
  const { e, ss, inst, requireAnchor, gc, parseAnchor } = x;
  return [
    // ---------- initialization / anchor ----------
    {
      method: 'GET',
      path: '/initialization/status',
      op: 'getInitializationStatus',
      roles: 'any',
      h: () =>
        ok({
          is_anchor_imported: !!ss.anchor,
          is_server_code_initialized: !!ss.serverCode,
          is_server_owner_initialized: !!ss.ownerCode,
          software_token_init_status: ss.tokenInitialized ? 'INITIALIZED' : 'NOT_INITIALIZED',
          enforce_token_pin_policy: false,
        }),
    },
    {
      method: 'POST',
      path: '/system/anchor',
      op: 'uploadInitialAnchor',
      roles: [SYS],
      write: true,
      upload: true,
      h: (c) => {
        if (ss.anchor) throw conflict('anchor_already_exists');
        ss.anchor = parseAnchor(c.body);
        e.tick();
        return { status: 201 };
      },
    },
    {
      method: 'PUT',
      path: '/system/anchor',
      op: 'replaceAnchor',
      roles: [SO, SYS],
      write: true,
      upload: true,
      h: (c) => {
        requireAnchor();
        ss.anchor = parseAnchor(c.body);
        return { status: 201 };
      },
    },
    {
      method: 'POST',
      path: '/system/anchor/previews',
      op: 'previewAnchor',
      roles: [SO, SYS],
      upload: true,
      h: (c) => {
        const a = parseAnchor(c.body, qBool(c.query, 'validate_instance', true));
        return ok({ hash: a.hash, created_at: a.createdAt }, 201);
      },
    },
    {
      method: 'GET',
      path: '/system/anchor',
      op: 'getAnchor',
      roles: [SO, SYS, OBS],
      h: () => {
        if (!ss.anchor) throw notFound('anchor_not_found');
        return ok({ hash: ss.anchor.hash, created_at: ss.anchor.createdAt });
      },
    },
    {
      method: 'GET',
      path: '/system/anchor/download',
      op: 'downloadAnchor',
      roles: [SO, SYS, OBS],
      h: () => {
        if (!ss.anchor) throw notFound('anchor_not_found');
        return {
          status: 200,
          raw: Buffer.from(ss.anchor.xml),
          headers: { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="configuration_anchor.xml"' },
        };
      },
    },
    {
      method: 'POST',
      path: '/initialization',
      op: 'initSecurityServer',
      roles: [SYS],
      write: true,
      h: (c) => {
        const b = c.json();
        if (!ss.anchor) throw conflict('anchor_not_found');
        const mc = optStr(b, 'owner_member_class', 'initialServerConf');
        const mcode = optStr(b, 'owner_member_code', 'initialServerConf');
        const scode = optStr(b, 'security_server_code', 'initialServerConf');
        const pin = optStr(b, 'software_token_pin', 'initialServerConf');
        const ignore = optBool(b, 'ignore_warnings', 'initialServerConf') ?? false;
        if (ss.serverCode && ss.ownerCode && ss.tokenInitialized) throw conflict('server_already_fully_initialized');
        const meta: string[] = [];
        if (ss.serverCode && scode) meta.push('server_code_exists');
        if (!ss.serverCode && !scode) meta.push('server_code_not_provided');
        if (ss.ownerCode && mc) meta.push('member_class_exists');
        if (!ss.ownerCode && !mc) meta.push('member_class_not_provided');
        if (ss.ownerCode && mcode) meta.push('member_code_exists');
        if (!ss.ownerCode && !mcode) meta.push('member_code_not_provided');
        if (ss.tokenInitialized && pin) meta.push('pin_code_exists');
        if (!ss.tokenInitialized && !pin) meta.push('pin_code_not_provided');
        if (meta.length) throw bad('invalid_init_params', ...meta);
        if (scode) identifierPart(scode, 'initialServerConf.securityServerCode');
        if (mcode) identifierPart(mcode, 'initialServerConf.ownerMemberCode');
        if (mc && !gc()?.memberClasses.includes(mc)) throw bad('invalid_member_class', mc);
        if (pin && /[^\x20-\x7e]/.test(pin)) throw bad('invalid_characters_pin');
        const oc = mc ?? ss.ownerClass!,
          ocode = mcode ?? ss.ownerCode!,
          sc = scode ?? ss.serverCode!;
        const warnings = [];
        const ownerId = `${inst}:${oc}:${ocode}`;
        if (!gc()?.members.some((m) => m.id === ownerId)) warnings.push({ code: 'init_unregistered_member', metadata: [`${inst}/${oc}/${ocode}`] });
        if (gc()?.servers.some((s) => s.id === `${ownerId}:${sc}`)) warnings.push({ code: 'init_server_id_exists', metadata: [`${ownerId}:${sc}`] });
        if (warnings.length && !ignore) throw warningsDetected(warnings);
        ss.ownerClass = oc;
        ss.ownerCode = ocode;
        ss.serverCode = sc;
        if (pin) {
          ss.pinSha256 = pinHash(pin);
          ss.tokenInitialized = true;
          ss.loggedIn = false;
        }
        if (!ss.clients.some((x) => clientIdOf(x) === ownerId))
          ss.clients.push({ instance: inst, memberClass: oc, memberCode: ocode, connectionType: 'HTTPS', status: 'SAVED', tlsCerts: [] });
        e.reconcile(ss);
        return { status: 201 };
      },
    },
  ];
}

/** Security Server routes: timestamping, diagnostics and system settings (xroad-flows §7). */
import { getHeapStatistics } from 'node:v8';
import { ApiError, bad, conflict, notFound } from '../http.js';
import { certInfo, certInfoB64, certInputToDer, certificateDetails } from '../certs.js';
import { memberIdOf, parseClientId, ssServerId } from '../model.js';
import { enumOf, optStr, qBool, qEnum, str } from '../validate.js';
import { ok, noContent, SO, RO, SA, SYS, OBS } from './common.js';
import type { Route } from '../http.js';
import type { SsCtx } from './context.js';
import { ocspFailingSince } from '../health-states.js';

export function systemRoutes(x: SsCtx): Route[] {
  const { e, ss, st, iso, inst, requireInit, client, owner, gc, submit, serverIdOrFail } = x;
  // the sandbox TSA and those the CS approved, as this SS's globalconf copy lists them
  const approvedTsas = () => (ss.anchor ? [st.tsa, ...(gc()?.tsas ?? []).map((t) => ({ name: t.name, url: t.url, cost_type: 'UNDEFINED' as const }))] : []);
  return [
    // ---------- timestamping ----------
    { method: 'GET', path: '/timestamping-services', op: 'getApprovedTimestampingServices', roles: [SO, SYS, OBS], h: () => ok(approvedTsas()) },
    { method: 'GET', path: '/system/timestamping-services', op: 'getConfiguredTimestampingServices', roles: [SO, SYS, OBS], h: () => ok(ss.tsps) },
    {
      method: 'POST',
      path: '/system/timestamping-services',
      op: 'addConfiguredTimestampingService',
      roles: [SO],
      write: true,
      h: (c) => {
        const b = c.json();
        const name = str(b, 'name', 'timestampingService'),
          url = str(b, 'url', 'timestampingService');
        const cost = enumOf(b, 'cost_type', 'timestampingService', ['FREE', 'PAID', 'UNDEFINED'] as const);
        if (!approvedTsas().some((t) => t.url === url && t.name === name)) throw bad('invalid_timestamping_service', url);
        if (ss.tsps.some((t) => t.url === url)) throw conflict('service_exists', url);
        ss.tsps.push({ name, url, cost_type: cost });
        return ok({ name, url, cost_type: cost }, 201);
      },
    },
    {
      method: 'POST',
      path: '/system/timestamping-services/delete',
      op: 'deleteConfiguredTimestampingService',
      roles: [SO],
      write: true,
      h: (c) => {
        const url = str(c.json(), 'url', 'timestampingService');
        if (!ss.tsps.some((t) => t.url === url)) throw notFound('timestamping_service_not_found', url);
        ss.tsps = ss.tsps.filter((t) => t.url !== url);
        return noContent();
      },
    },

    // ---------- diagnostics ----------
    {
      method: 'GET',
      path: '/diagnostics/globalconf',
      op: 'getGlobalConfDiagnostics',
      roles: [SYS, OBS],
      h: () => {
        const prev = ss.gc.downloadedAt ?? iso();
        const next = new Date(new Date(prev).getTime() + e.periods.dl).toISOString();
        const outdated = !ss.anchor || e.gcOutdated(ss);
        const failing = e.gcDownloadFailing.has(ss.name);
        const unverified = !!ss.gc.verifyError;
        const status = !ss.anchor ? 'WAITING' : outdated || failing || unverified ? 'FAIL' : 'OK';
        const error = !ss.anchor
          ? undefined
          : failing
            ? { code: 'conf_download_failed', metadata: ['http://127.0.0.1/internalconf'] }
            : unverified
              ? { code: ss.gc.verifyError!, metadata: ['the configuration does not verify against the anchor'] }
              : outdated
                ? { code: 'global_conf_outdated' }
                : undefined;
        return ok({
          status_class: status,
          prev_update_at: prev,
          next_update_at: next,
          last_successful_url: `http://127.0.0.1/internalconf`,
          ...(error ? { error } : {}),
        });
      },
    },
    {
      method: 'GET',
      path: '/diagnostics/global-conf-status',
      op: 'getGlobalConfStatus',
      roles: [SYS, OBS],
      h: () =>
        ok(
          ss.anchor
            ? [
                {
                  download_url: 'http://127.0.0.1/internalconf',
                  connection_status: e.gcDownloadFailing.has(ss.name)
                    ? { status_class: 'FAIL', error: { code: 'conf_download_failed' } }
                    : ss.gc.verifyError
                      ? { status_class: 'FAIL', error: { code: ss.gc.verifyError } }
                      : { status_class: 'OK', error: { code: 'ok' } },
                },
              ]
            : [],
        ),
    },
    {
      method: 'GET',
      path: '/diagnostics/ocsp-responders',
      op: 'getOcspRespondersDiagnostics',
      roles: [SYS, OBS],
      h: async () => {
        const t = ss.gc.downloadedAt ?? iso();
        const cas = (gc()?.caNames ?? []).map((n) => e.caByName(n)!).filter(Boolean);
        // external CAs' responders: their real state (last query, or a probe now if never asked / older than the cache time)
        const oc = e.ocspClient;
        await Promise.all(
          cas
            .filter((ca) => ca.external)
            .flatMap((ca) =>
              (ca.ocspResponders ?? []).slice(0, 5).map((r) => {
                const st0 = oc.responders.get(r.url);
                return !st0?.at || e.clock.now().getTime() - st0.at.getTime() > oc.cacheMs ? oc.probe(r.url, ca.certPem) : undefined;
              }),
            ),
        );
        return ok(
          cas.map((ca) => ({
            distinguished_name: certInfoB64(ca.certPem.replace(/-----[^-]+-----|\s/g, ''))
              .subject.map((a) => `${a.name}=${a.value}`)
              .join(', '),
            ocsp_responders: ca.external
              ? (ca.ocspResponders ?? []).map((r) => {
                  const rs = oc.responders.get(r.url);
                  const at = (rs?.at ?? e.clock.now()).toISOString();
                  return {
                    url: r.url,
                    cost_type: r.costType,
                    status_class: rs?.ok ? 'OK' : 'FAIL',
                    prev_update_at: at,
                    next_update_at: new Date(new Date(at).getTime() + oc.cacheMs).toISOString(),
                    ...(rs?.ok ? {} : { error: { code: 'ocsp_request_failed', metadata: [rs?.error ?? 'no answer'] } }),
                  };
                })
              : [
                  ocspFailingSince(e, ca.name)
                    ? {
                        url: ca.ocspUrl,
                        cost_type: 'FREE',
                        status_class: 'FAIL',
                        prev_update_at: ocspFailingSince(e, ca.name),
                        next_update_at: new Date(e.clock.now().getTime() + e.periods.dl).toISOString(),
                        error: { code: 'ocsp_request_failed', metadata: [`${ca.ocspUrl}: connection refused`] },
                      }
                    : {
                        url: ca.ocspUrl,
                        cost_type: 'FREE',
                        status_class: 'OK',
                        prev_update_at: t,
                        next_update_at: new Date(new Date(t).getTime() + e.periods.dl).toISOString(),
                      },
                ],
          })),
        );
      },
    },
    {
      method: 'GET',
      path: '/diagnostics/timestamping-services',
      op: 'getTimestampingServicesDiagnostics',
      roles: [SYS, OBS],
      h: () => ok(ss.tsps.map((t) => ({ url: t.url, cost_type: t.cost_type, status_class: 'OK', prev_update_at: ss.gc.downloadedAt ?? iso() }))),
    },
    {
      method: 'GET',
      path: '/diagnostics/auth-cert-req-status',
      op: 'getAuthCertReqStatus',
      roles: [SYS, OBS],
      h: () => {
        const has = ss.keys.some((k) => k.usage === 'AUTHENTICATION' && k.certs.length > 0);
        return ok(
          has
            ? { status_class: 'OK', error: { code: 'ok' } }
            : { status_class: 'FAIL', error: { code: 'no_auth_cert', metadata: ['No authentication certificate found'] } },
        );
      },
    },
    {
      method: 'GET',
      path: '/diagnostics/addon-status',
      op: 'getAddOnDiagnostics',
      roles: [SYS, OBS],
      h: () => ok({ messagelog_enabled: true, opmonitoring_enabled: false }),
    },
    {
      method: 'GET',
      path: '/diagnostics/backup-encryption-status',
      op: 'getBackupEncryptionDiagnostics',
      roles: [SYS, OBS],
      h: () => ok({ backup_encryption_status: false, backup_encryption_keys: [] }),
    },
    {
      method: 'GET',
      path: '/diagnostics/proxy-memory-usage-status',
      op: 'getProxyMemoryUsage',
      roles: [SYS, OBS],
      h: () => {
        // the heap as V8 counts it (process.memoryUsage() also reads /proc: a cost per request a monitor polls)
        const m = getHeapStatistics();
        return ok({
          max_memory: 1024 * 1024 * 1024,
          total_memory: m.total_heap_size,
          used_memory: m.used_heap_size,
          threshold: 90,
          usage_percent: Math.round((m.used_heap_size / (1024 * 1024 * 1024)) * 100),
          is_used_over_threshold: false,
        });
      },
    },

    {
      method: 'GET',
      path: '/diagnostics/other-security-server-status',
      op: 'getOtherSecurityServerStatus',
      roles: [SYS, OBS],
      h: (c) => {
        qEnum(c.query, 'protocol_type', ['REST', 'SOAP'] as const, true);
        const need = (k: string) => {
          const v = c.query.get(k);
          if (!v) throw new ApiError(400, 'validation_failure', [`${k} is required`], undefined, { [k]: ['NotNull'] });
          return v;
        };
        const clientId = need('client_id'),
          target = need('target_client_id'),
          serverId = need('security_server_id');
        if (!e.findClient(ss, clientId)) throw notFound('client_not_found', clientId);
        const srv = gc()?.servers.find((x) => x.id === serverId);
        if (!srv) return ok({ status_class: 'FAIL', error: { code: 'security_server_not_found', metadata: [serverId] } });
        if (!e.hasUsableAuth(ss))
          return ok({
            status_class: 'FAIL',
            error: { code: 'no_valid_auth_cert', metadata: ['this security server has no usable authentication certificate'] },
          });
        const t = parseClientId(target);
        const targetKnown = !!t && (srv.clients.includes(target) || srv.id.startsWith(memberIdOf(t) + ':'));
        return ok(
          targetKnown ? { status_class: 'OK', error: { code: 'ok' } } : { status_class: 'FAIL', error: { code: 'client_not_found', metadata: [target] } },
        );
      },
    },
    {
      method: 'GET',
      path: '/diagnostics/message-log-encryption-status',
      op: 'getMessageLogEncryptionDiagnostics',
      roles: [SYS, OBS],
      h: () =>
        ok({ message_log_archive_encryption_status: false, message_log_database_encryption_status: false, message_log_grouping_rule: 'none', members: [] }),
    },
    {
      method: 'GET',
      path: '/diagnostics/info/download',
      op: 'downloadDiagnosticsReport',
      roles: [SYS, OBS],
      h: () => ({
        status: 200,
        raw: Buffer.from(
          JSON.stringify(
            {
              server: ssServerId(st, ss) ?? null,
              version: '7.8.1 (xrdctl sandbox)',
              globalconf: { downloaded_at: ss.gc.downloadedAt ?? null, outdated: e.gcOutdated(ss) },
              token_logged_in: ss.loggedIn,
            },
            null,
            2,
          ),
        ),
        headers: { 'content-type': 'application/json', 'content-disposition': 'attachment; filename="diagnostics_report.json"' },
      }),
    },
    // information-system TLS certificates of a client
    {
      method: 'GET',
      path: '/clients/{id}/tls-certificates',
      op: 'getClientTlsCertificates',
      roles: [SA, OBS, RO],
      h: (c) => {
        const cl = client(c.params.id!);
        return ok(cl.tlsCerts.map((b64) => certificateDetails(Buffer.from(b64, 'base64'))));
      },
    },
    {
      method: 'POST',
      path: '/clients/{id}/tls-certificates',
      op: 'addClientTlsCertificate',
      roles: [SA],
      write: true,
      upload: true,
      h: (c) => {
        const cl = client(c.params.id!);
        let der: Buffer;
        try {
          der = certInputToDer(c.body);
          certInfo(der);
        } catch {
          throw bad('invalid_certificate');
        }
        const b64 = der.toString('base64');
        if (cl.tlsCerts.includes(b64)) throw conflict('certificate_already_exists');
        cl.tlsCerts.push(b64);
        return { status: 201, body: certificateDetails(der) };
      },
    },
    {
      method: 'GET',
      path: '/clients/{id}/tls-certificates/{hash}',
      op: 'getClientTlsCertificate',
      roles: [SA, OBS, RO],
      h: (c) => {
        const cl = client(c.params.id!);
        const der = cl.tlsCerts.map((b) => Buffer.from(b, 'base64')).find((d) => certInfo(d).hash === c.params.hash!.toUpperCase());
        if (!der) throw notFound('certificate_not_found');
        return ok(certificateDetails(der));
      },
    },
    {
      method: 'DELETE',
      path: '/clients/{id}/tls-certificates/{hash}',
      op: 'deleteClientTlsCertificate',
      roles: [SA],
      write: true,
      h: (c) => {
        const cl = client(c.params.id!);
        const i = cl.tlsCerts.findIndex((b) => certInfoB64(b).hash === c.params.hash!.toUpperCase());
        if (i < 0) throw notFound('certificate_not_found');
        cl.tlsCerts.splice(i, 1);
        return noContent();
      },
    },
    {
      method: 'GET',
      path: '/mail/mail-notification-status',
      op: 'getMailNotificationStatus',
      roles: [SYS, OBS],
      h: () => ok({ enabled_notifications: [], configuration_present: false, recipients_emails: [] }),
    },
    {
      method: 'GET',
      path: '/certificate-authorities/ocsp-prioritization-strategy',
      op: 'getOcspPrioritizationStrategy',
      roles: [SYS, OBS, SO],
      h: () => ok('NONE'),
    },
    {
      method: 'GET',
      path: '/system/timestamping-services/prioritization-strategy',
      op: 'getTimestampingPrioritizationStrategy',
      roles: [SYS, OBS, SO],
      h: () => ok('NONE'),
    },

    // ---------- system ----------
    {
      method: 'GET',
      path: '/system/version',
      op: 'systemVersion',
      roles: 'any',
      h: () =>
        ok({
          info: '7.8.1 (xrdctl sandbox)',
          java_version: 21,
          min_java_version: 21,
          max_java_version: 21,
          using_supported_java_version: true,
          java_vendor: 'xrdctl sandbox',
          java_runtime_version: process.version,
          global_configuration_version: 6,
        }),
    },
    {
      method: 'GET',
      path: '/system/server-address',
      op: 'getServerAddress',
      roles: [SYS, OBS, SO, RO],
      h: () => ok({ current_address: { address: ss.address }, ...(ss.requestedAddress ? { requested_change: { address: ss.requestedAddress } } : {}) }),
    },
    {
      method: 'PUT',
      path: '/system/server-address',
      op: 'addressChange',
      roles: [SYS],
      write: true,
      h: (c) => {
        const address = str(c.json(), 'address', 'securityServerAddress');
        requireInit();
        if (ss.requestedAddress) throw conflict('address_change_request_already_submitted');
        e.requireSigner(ss, [owner()], true);
        submit({ type: 'ADDRESS_CHANGE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), address });
        ss.requestedAddress = address;
        return { status: 202 };
      },
    },
    {
      method: 'GET',
      path: '/system/maintenance-mode',
      op: 'maintenanceMode',
      roles: [SYS, OBS],
      h: () =>
        ok({
          status:
            ss.maintenancePending === 'ENABLE'
              ? 'PENDING_ENABLE_MAINTENANCE_MODE'
              : ss.maintenancePending === 'DISABLE'
                ? 'PENDING_DISABLE_MAINTENANCE_MODE'
                : ss.maintenance
                  ? 'ENABLED_MAINTENANCE_MODE'
                  : 'DISABLED_MAINTENANCE_MODE',
          message: ss.maintenanceMessage ?? '',
          is_management_services_provider: false,
        }),
    },
    {
      method: 'PUT',
      path: '/system/maintenance-mode/enable',
      op: 'enableMaintenanceMode',
      roles: [SYS],
      write: true,
      h: (c) => {
        const message = c.body.length ? optStr(c.json(), 'message', 'maintenanceModeMessage') : undefined;
        requireInit();
        if (ss.maintenance || ss.maintenancePending) throw conflict('action_not_possible', 'ENABLE_MAINTENANCE_MODE');
        e.requireSigner(ss, [owner()], true);
        submit({ type: 'MAINTENANCE_MODE_ENABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail(), comments: message });
        ss.maintenancePending = 'ENABLE';
        return noContent();
      },
    },
    {
      method: 'PUT',
      path: '/system/maintenance-mode/disable',
      op: 'disableMaintenanceMode',
      roles: [SYS],
      write: true,
      h: () => {
        requireInit();
        if (!ss.maintenance || ss.maintenancePending) throw conflict('action_not_possible', 'DISABLE_MAINTENANCE_MODE');
        e.requireSigner(ss, [owner()], true);
        submit({ type: 'MAINTENANCE_MODE_DISABLE_REQUEST', origin: 'SECURITY_SERVER', serverId: serverIdOrFail() });
        ss.maintenancePending = 'DISABLE';
        return noContent();
      },
    },
    { method: 'GET', path: '/system/node-type', op: 'getNodeType', roles: 'any', h: () => ok({ node_type: 'STANDALONE' }) },
    { method: 'GET', path: '/xroad-instances', op: 'getXRoadInstances', roles: 'any', h: () => ok(ss.anchor ? [{ identifier: inst, local: true }] : []) },
    {
      method: 'GET',
      path: '/member-classes',
      op: 'getMemberClasses',
      roles: 'any',
      h: (c) => {
        qBool(c.query, 'current_instance', false);
        return ok(gc()?.memberClasses ?? []);
      },
    },
    {
      method: 'GET',
      path: '/member-classes/{id}',
      op: 'getMemberClassesForInstance',
      roles: 'any',
      h: (c) => ok(c.params.id === inst ? (gc()?.memberClasses ?? []) : []),
    },
    {
      method: 'GET',
      path: '/member-names',
      op: 'findMemberName',
      roles: [SYS, RO],
      h: (c) => {
        const mc = c.query.get('member_class'),
          code = c.query.get('member_code');
        if (!mc || !code) throw bad('missing_parameter', 'member_class/member_code');
        const n = e.memberName(ss, `${inst}:${mc}:${code}`);
        if (!n) throw notFound('member_not_found', `${inst}:${mc}:${code}`);
        return ok({ member_name: n });
      },
    },
    {
      method: 'GET',
      path: '/security-servers',
      op: 'getSecurityServers',
      roles: 'any',
      h: (c) => {
        const current = qBool(c.query, 'current_server', false);
        const me = ssServerId(st, ss);
        if (current) {
          // the real server answers its own id from local configuration (serverconf), registered or not
          if (!me) return ok([]);
          const p = me.split(':');
          const listed = gc()?.servers.find((s) => s.id === me);
          return ok([
            {
              id: me,
              instance_id: p[0],
              member_class: p[1],
              member_code: p[2],
              server_code: p[3],
              ...(listed?.address ? { server_address: listed.address } : {}),
            },
          ]);
        }
        return ok(
          (gc()?.servers ?? []).map((s) => {
            const p = s.id.split(':');
            return { id: s.id, instance_id: p[0], member_class: p[1], member_code: p[2], server_code: p[3], server_address: s.address };
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/security-servers/{id}',
      op: 'getSecurityServer',
      roles: [SYS, SA, RO, SO, OBS],
      h: (c) => {
        const s = (gc()?.servers ?? []).find((x) => x.id === c.params.id);
        if (!s) throw notFound('security_server_not_found', c.params.id!);
        const p = s.id.split(':');
        return ok({ id: s.id, instance_id: p[0], member_class: p[1], member_code: p[2], server_code: p[3], server_address: s.address });
      },
    },
  ];
}

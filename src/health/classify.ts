/**
 * The classification table of xroad-flows §7 as pure functions: API answers + thresholds → checks.
 * Table-driven tests in test/health/classify.test.ts hold each row.
 */
import type * as CS from '../api/types/cs.js';
import type * as SS from '../api/types/ss.js';
import { ageText } from './certificates.js';
import { check, worst, type CheckResult, type Status } from './model.js';
import type { DesiredCentral } from '../model/desired.js';
import { versionBelow, type Thresholds } from './thresholds.js';

const ago = (iso: string | undefined, now: Date): number | undefined => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, (now.getTime() - t) / 1000);
};
const errText = (e?: SS.CodeWithDetails) => (e?.code && e.code !== 'ok' ? `${e.code}${e.metadata?.length ? ` (${e.metadata.join(', ')})` : ''}` : '');

export function classifyVersion(v: SS.VersionInfo | CS.Version, t: Thresholds): CheckResult {
  const problems: string[] = [];
  let st: Status = 'OK';
  const remedies: string[] = [];
  if ('using_supported_java_version' in v && v.using_supported_java_version === false) {
    st = 'WARNING';
    problems.push(`unsupported Java ${v.java_version} (supported ${v.min_java_version}–${v.max_java_version})`);
    remedies.push('upgrade the server packages so it runs on a supported Java');
  }
  if (t.minimumVersion && versionBelow(v.info, t.minimumVersion)) {
    st = 'WARNING';
    problems.push(`older than the required ${t.minimumVersion}`);
    remedies.push(`upgrade X-Road to ${t.minimumVersion} or later`);
  }
  return check('version', 'system', st, `X-Road ${v.info}${problems.length ? `: ${problems.join('; ')}` : ''}`, remedies.join('; '));
}

export function classifyInitialization(s: SS.InitializationStatus): CheckResult {
  const missing = [
    !s.is_anchor_imported && 'configuration anchor',
    !s.is_server_code_initialized && 'server code',
    !s.is_server_owner_initialized && 'owner',
    s.software_token_init_status !== 'INITIALIZED' && `software token (${s.software_token_init_status})`,
  ].filter(Boolean);
  return missing.length
    ? check(
        'initialization',
        'system',
        'CRITICAL',
        `not initialised: missing ${missing.join(', ')}`,
        'initialise it: xrdctl apply MANIFEST (the server section: id and token pin)',
      )
    : check('initialization', 'system', 'OK', 'initialised');
}

export function classifyMaintenance(m: SS.MaintenanceMode): CheckResult {
  if (m.status === 'DISABLED_MAINTENANCE_MODE') return check('maintenance-mode', 'system', 'OK', 'not in maintenance mode');
  const what = m.status.replace('_MAINTENANCE_MODE', '').replace('_', ' ').toLowerCase();
  return check(
    'maintenance-mode',
    'system',
    'WARNING',
    `maintenance mode ${what}${m.message ? `: ${m.message}` : ''} (clients are told to use other servers)`,
    'when the work is done: PUT /system/maintenance-mode/disable (UI: Settings → disable maintenance mode)',
  );
}

export function classifyTokens(tokens: SS.Token[], at: string): CheckResult[] {
  const out: CheckResult[] = [];
  for (const tk of tokens) {
    const used = tk.id === '0' || (tk.keys ?? []).some((k) => (k.certificates ?? []).length > 0);
    if (!used) continue;
    const name = `token ${tk.id}`;
    let st: Status = 'OK';
    let msg = `${tk.name || tk.id}: logged in, PIN status ${tk.status}`;
    let remedy = '';
    if (!tk.available) {
      st = 'CRITICAL';
      msg = `${tk.name || tk.id} is not available (HSM disconnected?): its keys cannot be used`;
      remedy = 'reconnect the token (HSM), then xrdctl token login ' + at;
    } else if (!tk.logged_in) {
      st = 'CRITICAL';
      msg = `${tk.name || tk.id} is logged out: its keys (auth and sign) cannot be used`;
      remedy = `xrdctl token login ${at} --token ${tk.id}` + (tk.status === 'USER_PIN_FINAL_TRY' ? ' (ONE PIN try left: be sure of it)' : '');
    } else if (tk.status === 'USER_PIN_COUNT_LOW' || tk.status === 'USER_PIN_FINAL_TRY') {
      st = 'WARNING';
      msg = `${tk.name || tk.id}: logged in, but ${tk.status === 'USER_PIN_FINAL_TRY' ? 'one PIN try left' : 'few PIN tries left'} (${tk.status})`;
      remedy = 'find out who tried wrong PINs; log in only with the PIN from the secret store (xrdctl token login)';
    } else if (tk.status !== 'OK') {
      st = 'CRITICAL';
      msg = `${tk.name || tk.id}: PIN status ${tk.status}`;
      remedy =
        tk.status === 'USER_PIN_LOCKED'
          ? 'unlock the PIN on the token (HSM tools or reinitialise the software token)'
          : `xrdctl token login ${at} with the right PIN`;
    }
    out.push(check(name, 'token', st, msg, remedy));
  }
  if (!out.length) out.push(check('token', 'token', 'CRITICAL', 'no software token reported', 'initialise the server (xrdctl apply MANIFEST)'));
  return out;
}

export function classifyGlobalConf(g: SS.GlobalConfDiagnostics, now: Date, t: Thresholds): CheckResult {
  const age = ago(g.prev_update_at, now);
  const st = worst([
    g.status_class === 'FAIL' ? 'CRITICAL' : g.status_class === 'WAITING' ? 'WARNING' : 'OK',
    age === undefined ? 'OK' : age >= t.gcAgeCrit ? 'CRITICAL' : age > t.gcAgeWarn ? 'WARNING' : 'OK',
  ]);
  const err = errText(g.error);
  const msg = `status ${g.status_class}${err ? `: ${err}` : ''}, last update ${age === undefined ? 'never' : `${ageText(age)} ago`}`;
  const remedy =
    st === 'OK'
      ? ''
      : age !== undefined && age >= t.gcAgeCrit
        ? 'the global configuration expired: the SS refuses to work (409 global_conf_outdated). Check the central server and the SS → CS network (ports 80/443), see xrdctl health --only globalconf'
        : 'check the configuration client: the central server address and the SS → CS network (ports 80/443); see the download URLs below';
  return check(
    'globalconf',
    'globalconf',
    st,
    msg,
    remedy,
    age === undefined
      ? undefined
      : [{ label: 'globalconf age', value: Math.round(age), uom: 's', warn: String(t.gcAgeWarn), crit: String(t.gcAgeCrit), min: 0 }],
  );
}

export function classifyDownloadUrls(list: SS.GlobalConfConnectionStatus[]): CheckResult {
  if (!list.length)
    return check(
      'globalconf-urls',
      'globalconf',
      'WARNING',
      'no global configuration download URL is known',
      'import the configuration anchor (xrdctl apply MANIFEST)',
    );
  const bad = list.filter((x) => x.connection_status.status_class === 'FAIL');
  if (!bad.length) return check('globalconf-urls', 'globalconf', 'OK', `${list.length} download URL(s) reachable`);
  const st: Status = bad.length === list.length ? 'CRITICAL' : 'WARNING';
  return check(
    'globalconf-urls',
    'globalconf',
    st,
    `${bad.length} of ${list.length} download URLs fail: ${bad.map((b) => `${b.download_url} ${errText(b.connection_status.error)}`.trim()).join('; ')}`,
    'check the SS → central server network (ports 80/443, proxies, DNS) for these URLs',
  );
}

export function classifyOcsp(cas: SS.CaOcspDiagnostics[], now: Date, t: Thresholds): CheckResult[] {
  if (!cas.length)
    return [
      check(
        'ocsp',
        'ocsp',
        'WARNING',
        'no approved CA with OCSP responders in the global configuration',
        'check the global configuration (xrdctl health --only globalconf)',
      ),
    ];
  return cas.map((ca) => {
    const name = `ocsp ${caName(ca.distinguished_name)}`;
    const rs = ca.ocsp_responders ?? [];
    if (!rs.length) return check(name, 'ocsp', 'WARNING', 'no OCSP responder configured', 'add an OCSP responder to the CA at the central server');
    const ok = rs.filter((r) => r.status_class === 'OK');
    const failing = rs.filter((r) => r.status_class === 'FAIL');
    const ages = ok.map((r) => ago(r.prev_update_at, now)).filter((a): a is number => a !== undefined);
    const lastOk = ages.length ? Math.min(...ages) : undefined;
    const failAges = failing.map((r) => ago(r.prev_update_at, now)).filter((a): a is number => a !== undefined);
    let st: Status = 'OK';
    const parts: string[] = [];
    if (failing.length && !ok.length) {
      st = 'CRITICAL';
      parts.push(`all ${rs.length} responder(s) fail`);
    } else if (failing.length) {
      st = 'WARNING';
      parts.push(`${failing.length} of ${rs.length} responders fail`);
    } else parts.push(`${ok.length} responder(s) OK`);
    if (lastOk !== undefined) {
      if (lastOk > t.ocspAgeCrit) st = 'CRITICAL';
      else if (lastOk > t.ocspAgeWarn) st = worst([st, 'WARNING']);
      parts.push(`last answer ${ageText(lastOk)} ago`);
    } else if (failAges.length) parts.push(`failing for ${ageText(Math.max(...failAges))}`);
    const details = failing.map((r) => `${r.url}${errText(r.error) ? ` ${errText(r.error)}` : ''}`).join('; ');
    const remedy =
      st === 'OK'
        ? ''
        : `check the responder${failing.length > 1 ? 's' : ''} (${failing.map((r) => r.url).join(', ') || 'above'}) and the SS → responder network; certificates stay usable only while cached answers are fresh (ocspFreshnessSeconds 3600 s)`;
    const perf =
      lastOk !== undefined
        ? [{ label: `${name} age`, value: Math.round(lastOk), uom: 's', warn: String(t.ocspAgeWarn), crit: String(t.ocspAgeCrit), min: 0 }]
        : undefined;
    return check(name, 'ocsp', st, `${parts.join(', ')}${details ? `: ${details}` : ''}`, remedy, perf);
  });
}

function caName(dn: string): string {
  return /CN=([^,]+)/.exec(dn)?.[1]?.trim() ?? dn;
}

export function classifyTimestamping(addon: SS.AddOnStatus, tsas: SS.TimestampingServiceDiagnostics[], now: Date, t: Thresholds): CheckResult {
  if (!addon.messagelog_enabled) return check('timestamping', 'timestamping', 'OK', 'message log off: no timestamping needed');
  if (!tsas.length)
    return check(
      'timestamping',
      'timestamping',
      'WARNING',
      'message log on but no timestamping service configured: messages cannot be timestamped',
      'add one: POST /system/timestamping-services (UI: Settings → Timestamping services)',
    );
  const failing = tsas.filter((x) => x.status_class === 'FAIL');
  if (!failing.length)
    return check(
      'timestamping',
      'timestamping',
      'OK',
      `${tsas.length} timestamping service(s) ${tsas.some((x) => x.status_class === 'WAITING') ? 'configured (not yet used)' : 'OK'}`,
    );
  const since = Math.min(...failing.map((x) => ago(x.prev_update_at, now) ?? 0));
  const st: Status = failing.length === tsas.length && since > t.tsaFailCrit ? 'CRITICAL' : 'WARNING';
  return check(
    'timestamping',
    'timestamping',
    st,
    `${failing.length} of ${tsas.length} timestamping services fail${failing.length === tsas.length ? ` (for ${ageText(since)})` : ''}: ${failing.map((x) => `${x.url} ${errText(x.error)}`.trim()).join('; ')}`,
    'check the TSA and the SS → TSA network; after acceptable-timestamp-failure-period (4 h) the message log stops the server',
    [{ label: 'timestamping failing', value: Math.round(since), uom: 's', crit: String(t.tsaFailCrit), min: 0 }],
  );
}

export function classifyAuthCertReq(s: SS.ConnectionStatus): CheckResult {
  return s.status_class === 'FAIL'
    ? check(
        'auth-cert-req-status',
        'registration',
        'WARNING',
        `cannot send auth certificate registrations to the central server: ${errText(s.error) || 'FAIL'}`,
        'check the SS → central server registration service (port 4001) and that an auth certificate exists',
      )
    : check('auth-cert-req-status', 'registration', 'OK', `registration service ${s.status_class}`);
}

export interface ClientRegistration {
  status: string;
  id?: number;
  createdAt?: string;
}

export function classifyClients(
  clients: SS.Client[],
  o: { now: Date; t: Thresholds; at: string; csAsked: boolean; registrations?: Map<string, ClientRegistration> },
): CheckResult[] {
  const out: CheckResult[] = [];
  for (const c of clients) {
    const id = c.id ?? [c.instance_id, c.member_class, c.member_code, c.subsystem_code].filter(Boolean).join(':');
    const name = `client ${id}`;
    if (c.status === 'GLOBAL_ERROR')
      out.push(
        check(
          name,
          'clients',
          'CRITICAL',
          'GLOBAL_ERROR: the central server no longer lists it on this server (deleted or declined there)',
          `xrdctl client delete ${o.at} ${id}, xrdctl client add and xrdctl client register ${o.at} ${id} --approve (or xrdctl apply)`,
        ),
      );
    else if (c.status === 'DISABLED')
      out.push(
        check(name, 'clients', 'WARNING', 'DISABLED: its services are not served', 'enable it when intended: PUT /clients/ID/enable (UI: client → Enable)'),
      );
    else if (c.status === 'REGISTRATION_IN_PROGRESS') {
      const r = o.registrations?.get(id);
      if (r && (r.status === 'DECLINED' || r.status === 'REVOKED')) {
        out.push(
          check(
            name,
            'clients',
            'CRITICAL',
            `registration request${r.id ? ` #${r.id}` : ''} was ${r.status} at the central server; the SS stays REGISTRATION_IN_PROGRESS for ever`,
            `xrdctl client unregister ${o.at} ${id}, xrdctl client delete, add it again and xrdctl client register --approve`,
          ),
        );
      } else if (r) {
        const age = ago(r.createdAt, o.now) ?? 0;
        out.push(
          check(
            name,
            'clients',
            age > o.t.registrationPending ? 'WARNING' : 'OK',
            `registration request${r.id ? ` #${r.id}` : ''} ${r.status} for ${ageText(age)}`,
            r.id ? `xrdctl cs request approve ${r.id}` : '',
          ),
        );
      } else if (o.csAsked)
        out.push(
          check(
            name,
            'clients',
            'CRITICAL',
            'REGISTRATION_IN_PROGRESS but the central server has no registration request for it',
            `xrdctl client unregister ${o.at} ${id}, then register it again`,
          ),
        );
      else out.push(check(name, 'clients', 'OK', 'REGISTRATION_IN_PROGRESS (how long is unknown without a central server context)', ''));
    }
  }
  const counts = new Map<string, number>();
  for (const c of clients) counts.set(c.status ?? 'UNKNOWN', (counts.get(c.status ?? 'UNKNOWN') ?? 0) + 1);
  if (!out.some((c) => c.status !== 'OK'))
    out.unshift(check('clients', 'clients', 'OK', `${clients.length} client(s): ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}`));
  return out;
}

export function classifyMemory(m: SS.ProxyMemoryUsageStatus): CheckResult {
  const pct = m.usage_percent ?? (m.max_memory ? Math.round((m.used_memory / m.max_memory) * 100) : 0);
  const perf = [{ label: 'proxy memory', value: pct, uom: '%', warn: m.threshold !== undefined ? String(m.threshold) : undefined, min: 0, max: 100 }];
  return m.is_used_over_threshold
    ? check(
        'proxy-memory',
        'memory',
        'WARNING',
        `proxy uses ${pct} % of its heap, over the ${m.threshold ?? '?'} % threshold`,
        'raise the proxy heap (XROAD_PROXY_PARAMS -Xmx) or find the load; restart the proxy if it keeps growing',
        perf,
      )
    : check('proxy-memory', 'memory', 'OK', `proxy uses ${pct} % of its heap${m.threshold !== undefined ? ` (threshold ${m.threshold} %)` : ''}`, '', perf);
}

// ---------- central server ----------

export function classifyCsSystem(s: CS.SystemStatus): CheckResult {
  const init = s.initialization_status;
  if (!init || init.software_token_init_status !== 'INITIALIZED' || !init.instance_identifier) {
    return check(
      'initialization',
      'central',
      'CRITICAL',
      `not initialised (software token ${init?.software_token_init_status ?? 'unknown'})`,
      'initialise the central server (UI, or POST /initialization)',
    );
  }
  return check(
    'initialization',
    'central',
    'OK',
    `instance ${init.instance_identifier}, address ${init.central_server_address}${s.high_availability_status?.is_ha_configured ? `, HA node ${s.high_availability_status.node_name}` : ''}`,
  );
}

export function classifyHa(h: CS.HaClusterStatus): CheckResult[] {
  if (!h.is_ha_configured) return [check('ha', 'central', 'OK', 'high availability not configured')];
  const nodes = h.nodes ?? [];
  const out = nodes.map((n) => {
    const st: Status = n.status === 'OK' ? 'OK' : n.status === 'WARN' ? 'WARNING' : 'CRITICAL';
    return check(
      `ha ${n.node_name}`,
      'central',
      st,
      `node ${n.node_name} (${n.node_address ?? '?'}) ${n.status}${n.configuration_generated ? `, generated ${n.configuration_generated}` : ', never generated'}`,
      st === 'OK' ? '' : `check node ${n.node_name}: its admin-service and the shared database; a node that stops generating serves an expiring configuration`,
    );
  });
  if (!nodes.length || h.all_nodes_ok === false)
    out.push(
      check(
        'ha',
        'central',
        h.all_nodes_ok === false ? 'CRITICAL' : 'WARNING',
        h.all_nodes_ok === false ? 'not all HA nodes are OK' : 'HA configured but no node reported',
        'check every node of the cluster',
      ),
    );
  return out;
}

/** The newest generation time: HA nodes' configuration_generated, else the configuration parts' file_updated_at. */
export function classifyGeneration(generatedAt: string | undefined, now: Date, t: Thresholds): CheckResult {
  const age = ago(generatedAt, now);
  if (age === undefined)
    return check(
      'globalconf-generation',
      'central',
      'UNKNOWN',
      'no global configuration generation time reported',
      'check the central server admin-service log',
    );
  const st: Status = age > t.csGenerationCrit ? 'CRITICAL' : age > t.csGenerationWarn ? 'WARNING' : 'OK';
  return check(
    'globalconf-generation',
    'central',
    st,
    `last generated ${ageText(age)} ago`,
    st === 'OK'
      ? ''
      : 'the central server is not generating the global configuration: check its admin-service (and signing key token login); security servers refuse to work 10 min after the last one',
    [{ label: 'globalconf generation age', value: Math.round(age), uom: 's', warn: String(t.csGenerationWarn), crit: String(t.csGenerationCrit), min: 0 }],
  );
}

export function classifyRequests(waiting: CS.ManagementRequestListView[], total: number, now: Date, t: Thresholds, at: string): CheckResult {
  const old = waiting.filter((r) => (ago(r.created_at, now) ?? 0) > t.requestAge);
  const oldest = Math.max(0, ...waiting.map((r) => ago(r.created_at, now) ?? 0));
  const perf = [
    { label: 'requests waiting', value: total, min: 0 },
    { label: 'oldest request age', value: Math.round(oldest), uom: 's', warn: String(t.requestAge), min: 0 },
  ];
  if (!old.length) return check('management-requests', 'central', 'OK', total ? `${total} waiting, oldest ${ageText(oldest)}` : 'none waiting', '', perf);
  const list = old
    .slice(0, 5)
    .map((r) => `#${r.id} ${r.type} from ${r.security_server_id?.encoded_id ?? '?'} (${ageText(ago(r.created_at, now) ?? 0)})`)
    .join('; ');
  return check(
    'management-requests',
    'central',
    'WARNING',
    `${old.length} request(s) waiting longer than ${ageText(t.requestAge)}: ${list}${old.length > 5 ? '; …' : ''}`,
    `review them: xrdctl cs request list ${at} --status WAITING, then xrdctl cs request approve|decline ID`,
    perf,
  );
}

/** The active configuration signing key of each declared source: its age against renewAfterDays (issue 16). */
export function classifySigningKeys(tokens: CS.CsToken[], signing: NonNullable<DesiredCentral['configurationSigning']>, now: Date, at: string): CheckResult[] {
  const keys = tokens.flatMap((t) => t.configuration_signing_keys ?? []);
  return (['INTERNAL', 'EXTERNAL'] as const).flatMap((source) => {
    const want = signing[source];
    if (!want) return [];
    const name = `signing-key-${source.toLowerCase()}`;
    const cmd = `xrdctl rotate config-signing -f ${want.pos?.file ?? 'MANIFEST'}${source === 'EXTERNAL' ? ' --source external' : ''}`;
    const active = keys.find((k) => k.source_type === source && k.active);
    if (!active)
      return [
        check(
          name,
          'central',
          'CRITICAL',
          `no active ${source.toLowerCase()} configuration signing key on ${at.replace('-c ', '')}`,
          `add and activate one: ${cmd}`,
        ),
      ];
    const days = Math.floor((now.getTime() - Date.parse(active.created_at)) / 86_400_000);
    const perf = [{ label: `${source.toLowerCase()} signing key age`, value: days, uom: '', warn: String(want.renewAfterDays), min: 0 }];
    return days >= want.renewAfterDays
      ? [
          check(
            name,
            'central',
            'WARNING',
            `${source.toLowerCase()} signing key ${active.id} is ${days} days old (renewAfterDays ${want.renewAfterDays})`,
            `change it: ${cmd}`,
            perf,
          ),
        ]
      : [
          check(
            name,
            'central',
            'OK',
            `${source.toLowerCase()} signing key ${active.id} is ${days} days old (renewAfterDays ${want.renewAfterDays})`,
            '',
            perf,
          ),
        ];
  });
}

const anchorHash = (h: string) => h.replace(/[^0-9A-Fa-f]/g, '').toUpperCase();

/**
 * A security server's anchor against the central server's current internal anchor: one the central server re-created
 * since (an emergency key change) and the server did not import is stale: it trusts only the keys it lists.
 */
export function classifyAnchor(mine: { hash: string; created_at: string }, current: { hash: string; created_at: string }, at: string): CheckResult {
  if (anchorHash(mine.hash) === anchorHash(current.hash))
    return check('anchor', 'globalconf', 'OK', `the central server’s current internal anchor (created ${current.created_at})`);
  const older = Date.parse(mine.created_at) < Date.parse(current.created_at);
  return check(
    'anchor',
    'globalconf',
    older ? 'WARNING' : 'OK',
    older
      ? `stale anchor: created ${mine.created_at}, the central server re-created it ${current.created_at}`
      : `anchor created ${mine.created_at} differs from the central server’s (${current.created_at})`,
    older
      ? `import the central server’s current internal anchor on ${at.replace('-c ', '')} (xrdctl rotate resume ID of the emergency key change pushes it)`
      : '',
  );
}

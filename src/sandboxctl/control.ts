import { readFileSync } from 'node:fs';
import { READ_LIMITS, readBoundedFile, writeFileSafe } from '../fs/files.js';
import type { FaultSpec, RequestLogEntry } from '../sandbox/http.js';
import { UsageError } from '../errors/index.js';
import { parseDuration } from '../model/duration.js';
import {
  controlClient,
  readInfo,
  readOutages,
  readSecrets,
  runForeground,
  runningInfo,
  sandboxDir,
  startDetached,
  writeSandboxContexts,
  type SandboxInfoFile,
  type SandboxOutage,
  type StartOptions,
} from './index.js';

/**
 * The typed client of a running sandbox's control API (/__sandbox/*): clock, faults, CA, status,
 * outages. The sandbox commands call this; none of them speaks HTTP.
 */
export class SandboxControl {
  private constructor(private readonly c: ReturnType<typeof controlClient>) {}

  static open(dirFlag?: string): SandboxControl {
    return new SandboxControl(controlClient(sandboxDir(dirFlag)));
  }

  close(): void {
    this.c.http.close();
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, step: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T> {
    return (await this.c.http.request<T>({ method, path, body, query, step })).body;
  }

  clock(): Promise<{ now: string }> {
    return this.call('GET', '/clock', 'sandbox-clock');
  }
  /** move the clock: a duration (90s, 15m, 12h, 30d) forward, or to an ISO date */
  moveClock(o: { advance?: string; set?: string }): Promise<{ now: string }> {
    if (o.set && Number.isNaN(Date.parse(o.set))) throw new UsageError(`--set '${o.set}' is not a date`);
    const ms = o.advance === undefined ? undefined : parseDuration(o.advance);
    if (o.advance !== undefined && !ms) throw new UsageError(`'${o.advance}' is not a duration`, { hint: 'e.g. 90s, 15m, 12h, 30d' });
    return this.call('POST', '/clock', 'sandbox-clock', o.advance !== undefined ? { advance_ms: ms } : { set: o.set });
  }
  addFault(f: Omit<FaultSpec, 'id'>): Promise<{ id: string }> {
    return this.call('POST', '/faults', 'sandbox-fault-add', f);
  }
  faults(): Promise<FaultSpec[]> {
    return this.call('GET', '/faults', 'sandbox-fault-list');
  }
  async clearFaults(server?: string): Promise<void> {
    await this.call('DELETE', '/faults', 'sandbox-fault-clear', undefined, { server });
  }
  /** sign a CSR file ('-': stdin) with the sandbox CA; the certificate goes to `out` when given */
  async sign(
    csrFile: string,
    o: { usage?: 'auth' | 'sign'; ca?: string; validityDays?: number; out?: string },
  ): Promise<{ file: string | null; certificate: string }> {
    const csr = csrFile === '-' ? readFileSync(0) : readBoundedFile(csrFile, { maxBytes: READ_LIMITS.certificate, what: 'CSR' });
    const text = csr.toString('utf8');
    const body = {
      csr: text.includes('-----BEGIN') ? text : csr.toString('base64'),
      usage: o.usage === 'auth' ? 'AUTHENTICATION' : o.usage === 'sign' ? 'SIGNING' : undefined,
      ca: o.ca,
      validity_days: o.validityDays,
    };
    const r = await this.call<{ certificate: string }>('POST', '/ca/sign', 'sandbox-ca-sign', body);
    if (o.out) writeFileSafe(o.out, r.certificate, { overwrite: true, what: 'certificate', mode: 0o644 });
    return { file: o.out ?? null, certificate: r.certificate };
  }
  /** revoke at the sandbox CA by certificate hash (64 hex) or serial */
  async revoke(id: string): Promise<void> {
    await this.call('POST', '/ca/revoke', 'sandbox-ca-revoke', /^[0-9A-Fa-f]{64}$/.test(id) ? { hash: id } : { serial: id });
  }
  info(): Promise<{ now: string }> {
    return this.call('GET', '/info', 'sandbox-status');
  }
  /** requests and writes each server answered since start: counts, never truncated */
  requestCounts(): Promise<Record<string, { requests: number; writes: number }>> {
    return this.call('GET', '/requests/counts', 'sandbox-requests');
  }

  /** the request log (the last 20 000 requests, bodies only when the sandbox records them), of one server or all */
  requestLog(server?: string): Promise<RequestLogEntry[]> {
    return this.call('GET', '/requests', 'sandbox-requests', undefined, { server });
  }

  /** the sandbox's own work: token keys generated and their time, journal commits and snapshots */
  stats(): Promise<SandboxStats> {
    return this.call('GET', '/stats', 'sandbox-status');
  }

  outages(): Promise<SandboxOutage[]> {
    return this.call('GET', '/outages', 'sandbox-status');
  }
}

export interface SandboxStatus {
  dir: string;
  running: boolean;
  pid: number | null;
  now: string | null;
  servers: { name: string; url: string; fingerprint: string }[];
  outages: SandboxOutage[];
}

/** Whether the sandbox runs, its servers, clock and outage record (read from its state when stopped). */
export async function sandboxStatus(dirFlag?: string): Promise<SandboxStatus> {
  const dir = sandboxDir(dirFlag);
  const info = runningInfo(dir);
  if (!info) return { dir, running: false, pid: readInfo(dir)?.pid ?? null, now: null, servers: [], outages: readOutages(dir) };
  const ctl = SandboxControl.open(dirFlag);
  try {
    const [r, outages] = await Promise.all([ctl.info(), ctl.outages()]);
    return {
      dir,
      running: true,
      pid: info.pid,
      now: r.now,
      servers: [info.cs, ...info.ss].map((s) => ({ name: s.name, url: s.url, fingerprint: s.fingerprint })),
      outages,
    };
  } finally {
    ctl.close();
  }
}

/**
 * The variables the example manifests reference (XRD_CS_URL, XRD_SS1_API_KEY, …) for a running sandbox.
 * Read straight from its secrets file: these values are meant to be printed, so they are not registered
 * for redaction.
 */
export function sandboxVariables(dirFlag?: string): Record<string, string> {
  const dir = sandboxDir(dirFlag);
  const info = runningInfo(dir);
  if (!info) throw new UsageError(`no sandbox is running in ${dir}`, { hint: 'xrdctl sandbox start --detach' });
  const s = readSecrets(dir, { register: false });
  const v: Record<string, string> = {};
  for (const srv of [info.cs, ...info.ss]) {
    const p = `XRD_${srv.name.toUpperCase()}`;
    v[`${p}_URL`] = srv.url;
    v[`${p}_TLS_FINGERPRINT`] = srv.fingerprint;
    const key = s.apiKeys[srv.name]?.admin;
    if (key) v[`${p}_API_KEY`] = key;
    const pin = s.pins?.[srv.name];
    if (pin) v[`${p}_PIN`] = pin;
  }
  return v;
}

export interface StartResult {
  dir: string;
  pid: number;
  detached: boolean;
  cs: { name: string; url: string; fingerprint: string };
  ss: { name: string; url: string; fingerprint: string; serverId: string | null }[];
  contexts: string[];
  apiKeys: Record<string, string> | null;
}

async function describeStart(dir: string, info: SandboxInfoFile, detached: boolean, o: { writeContexts?: boolean; showKeys?: boolean }): Promise<StartResult> {
  const contexts = o.writeContexts ? await writeSandboxContexts(dir, info) : [];
  const apiKeys = o.showKeys ? Object.fromEntries(Object.entries(readSecrets(dir).apiKeys).map(([k, v]) => [k, v.admin ?? ''])) : null;
  return {
    dir,
    pid: info.pid,
    detached,
    cs: { name: info.cs.name, url: info.cs.url, fingerprint: info.cs.fingerprint },
    ss: info.ss.map((s) => ({ name: s.name, url: s.url, fingerprint: s.fingerprint, serverId: s.serverId ?? null })),
    contexts,
    apiKeys,
  };
}

/**
 * sandbox start: in the background (returns once it is ready), or in the foreground until it stops
 * (`onReady` shows it meanwhile); contexts and key display as asked.
 */
export async function startSandboxCli(
  opts: StartOptions,
  o: { detach?: boolean; writeContexts?: boolean; showKeys?: boolean },
  onReady: (r: StartResult) => void,
): Promise<{ result: StartResult; exitCode?: number }> {
  const dir = opts.dir;
  if (o.detach) return { result: await describeStart(dir, await startDetached(opts), true, o) };
  let result: StartResult | undefined;
  const code = await runForeground(opts, (info) => {
    void describeStart(dir, info, false, o).then((r) => {
      result = r;
      onReady(r);
    });
  });
  return {
    result: result ?? { dir, pid: 0, detached: false, cs: { name: 'cs', url: '', fingerprint: '' }, ss: [], contexts: [], apiKeys: null },
    exitCode: code !== 0 && code !== 130 && code !== 143 ? 1 : undefined,
  };
}

export interface SandboxStats {
  /** token keys generated and their time; spare keys ready (and the number kept) */
  keygen: { count: number; ms: number; spares: number; target: number };
  journal: { commits: number; compactions: number; bytes: number };
}

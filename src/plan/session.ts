import { CentralServerApi } from '../api/central-server.js';
import { SecurityServerApi } from '../api/security-server.js';
import { validateUrl } from '../config/contexts.js';
import { resolveSecret } from '../config/secrets.js';
import { HttpClient } from '../http/index.js';
import type { Connection, DesiredInstance } from './desired.js';
import type { Connections } from './plan.js';

export interface SessionOptions {
  prompt?: (m: string) => Promise<string>;
  warn?: (m: string) => void;
  timeoutMs?: number;
  /** retries of idempotent requests (default 3) and the bound for all attempts of one request */
  retries?: number;
  totalTimeoutMs?: number;
  maxSockets?: number;
  /** per-server politeness (the real admin API limits each client to 20/s and 600/min) */
  rateLimit?: { perSecond: number; perMinute: number };
}

export interface Session extends Connections {
  close(): void;
  requestCount(): number;
}

/** An HTTP client for one manifest connection (its secret resolved now and registered for redaction). */
export async function httpForConnection(name: string, conn: Connection, o: SessionOptions): Promise<HttpClient> {
  const apiKey = await resolveSecret(conn.apiKey, { what: `${name} apiKey`, prompt: o.prompt, warn: o.warn });
  return new HttpClient({
    baseUrl: validateUrl(conn.url, `${name} url`),
    server: name,
    apiKey,
    tlsFingerprint: conn.tlsFingerprint,
    caFile: conn.caFile,
    timeoutMs: o.timeoutMs ?? 30_000,
    retries: o.retries,
    totalTimeoutMs: o.totalTimeoutMs,
    maxSockets: o.maxSockets,
    rateLimit: o.rateLimit ?? { perSecond: 20, perMinute: 600 },
  });
}

/** One HTTP client per server of the manifest (secrets resolved now, registered for redaction). */
export async function openSession(desired: DesiredInstance, o: SessionOptions = {}): Promise<Session> {
  const clients: HttpClient[] = [];
  const security = new Map<string, SecurityServerApi>();
  let central: CentralServerApi | undefined;
  try {
    if (desired.central) {
      const h = await httpForConnection(desired.central.name, desired.central.conn, o);
      clients.push(h);
      central = new CentralServerApi(h);
    }
    for (const s of desired.servers) {
      const h = await httpForConnection(s.name, s.conn, o);
      clients.push(h);
      security.set(s.name, new SecurityServerApi(h));
    }
  } catch (e) {
    for (const c of clients) c.close();
    throw e;
  }
  return {
    central,
    security,
    close: () => clients.forEach((c) => c.close()),
    requestCount: () => clients.reduce((n, c) => n + c.requestCount, 0),
  };
}

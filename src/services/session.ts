import { CentralServerApi } from '../api/central-server.js';
import { connectHttp, type ConnectOptions } from '../api/connect.js';
import { SecurityServerApi } from '../api/security-server.js';
import type { Connections } from '../engine/plan.js';
import type { HttpClient } from '../http/index.js';
import type { DesiredInstance } from '../model/desired.js';

export type SessionOptions = Pick<ConnectOptions, 'prompt' | 'warn' | 'timeoutMs' | 'rateLimit' | 'onExchange' | 'retries' | 'totalTimeoutMs' | 'maxSockets'>;

export interface Session extends Connections {
  close(): void;
  requestCount(): number;
}

/** One HTTP client per server of the manifest (secrets resolved now, registered for redaction). */
export async function openSession(desired: DesiredInstance, o: SessionOptions = {}): Promise<Session> {
  const clients: HttpClient[] = [];
  const security = new Map<string, SecurityServerApi>();
  let central: CentralServerApi | undefined;
  // no timeout of its own: connectHttp's is XRDCTL_TIMEOUT, else 30 s, as for every other command
  const opts: ConnectOptions = { ...o, rateLimit: o.rateLimit ?? { perSecond: 20, perMinute: 600 } };
  try {
    if (desired.central) {
      const h = await connectHttp(desired.central.name, desired.central.conn, `${desired.central.name} apiKey`, opts);
      clients.push(h);
      central = new CentralServerApi(h);
    }
    for (const s of desired.servers) {
      const h = await connectHttp(s.name, s.conn, `${s.name} apiKey`, opts);
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

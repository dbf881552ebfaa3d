import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './tls.js';

export interface Received {
  method: string;
  url: string;
  authorization?: string;
}

export type Handler = (req: Received, body: Buffer) => { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | undefined;

/**
 * A minimal HTTPS server on 127.0.0.1 speaking a few Security Server endpoints, recording every
 * request it receives. Used by the foundation tests (TLS pinning, auth, redaction, retries).
 */
export async function startMiniServer(opts: { apiKey: string; handler?: Handler }) {
  const tls = selfSignedCert();
  const received: Received[] = [];
  let flaky = 0;
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization };
      received.push(r);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-road-ui-correlation-id': 'corr-' + received.length, ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const custom = opts.handler?.(r, Buffer.concat(chunks));
      if (custom) {
        setTimeout(() => send(custom.status, custom.body, custom.headers), custom.delayMs ?? 0);
        return;
      }
      if (r.authorization !== `X-Road-ApiKey token=${opts.apiKey}`) return send(401, { status: 401 });
      const path = (r.url.split('?')[0] ?? '').replace(/^\/api\/v1/, '');
      if (path === '/system/version') {
        if (flaky < 0) {
          flaky++;
          return send(503, { status: 503 });
        }
        return send(200, {
          info: '7.8.1-sandbox',
          java_version: 21,
          min_java_version: 17,
          max_java_version: 21,
          using_supported_java_version: true,
          java_vendor: 'x',
          java_runtime_version: '21',
        });
      }
      if (path === '/initialization/status') {
        return send(200, {
          is_anchor_imported: true,
          is_server_code_initialized: true,
          is_server_owner_initialized: true,
          software_token_init_status: 'INITIALIZED',
          enforce_token_pin_policy: false,
        });
      }
      if (path === '/tokens') {
        return send(200, [
          {
            id: '0',
            name: 'softToken-0',
            type: 'SOFTWARE',
            keys: [],
            status: 'OK',
            logged_in: false,
            available: true,
            saved_to_configuration: true,
            read_only: false,
          },
        ]);
      }
      send(404, { status: 404, error: { code: 'not_found' } });
    });
  });
  const handshakes = { full: 0, resumed: 0 };
  server.on('secureConnection', (sock) => (sock.isSessionReused() ? handshakes.resumed++ : handshakes.full++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/api/v1`,
    fingerprint: tls.fingerprint,
    certPem: tls.cert,
    received,
    /** TLS handshakes the server completed: full ones and resumed sessions */
    handshakes,
    setFlaky(n: number) {
      flaky = -n;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

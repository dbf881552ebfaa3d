import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCert } from '../../support/tls.js';

/** A free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export { havePeer } from './peers.js';

export interface Pebble {
  directoryUrl: string;
  caFile: string;
  httpPort: number;
  /** PEM of pebble's current root (it makes new roots at every start) */
  root(): Promise<string>;
  /** PEM of the intermediate that signs the leaves */
  intermediate(): Promise<string>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Debian's pebble on 127.0.0.1 with a TLS certificate made here, its management port on 127.0.0.1,
 * and (for real http-01) pebble-challtestsrv as its DNS, answering 127.0.0.1 for every name.
 */
export async function startPebble(o: { alwaysValid: boolean; eab?: Record<string, string> }): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'xrdctl-pebble-'));
  const tls = selfSignedCert('127.0.0.1');
  writeFileSync(join(dir, 'cert.pem'), tls.cert);
  writeFileSync(join(dir, 'key.pem'), tls.key);
  const [port, mgmt, httpPort, dnsPort, dnsMgmt] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${mgmt}`,
        certificate: join(dir, 'cert.pem'),
        privateKey: join(dir, 'key.pem'),
        httpPort,
        tlsPort: httpPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: !!o.eab,
        externalAccountMACKeys: o.eab ?? {},
      },
    }),
  );
  const procs: ChildProcess[] = [];
  const env = { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_VA_ALWAYS_VALID: o.alwaysValid ? '1' : '0' };
  const args = ['-config', join(dir, 'config.json')];
  if (!o.alwaysValid) {
    procs.push(
      spawn(
        'pebble-challtestsrv',
        [
          '-dns01',
          `127.0.0.1:${dnsPort}`,
          '-http01',
          '',
          '-https01',
          '',
          '-tlsalpn01',
          '',
          '-management',
          `127.0.0.1:${dnsMgmt}`,
          '-defaultIPv4',
          '127.0.0.1',
          '-defaultIPv6',
          '',
        ],
        { stdio: 'ignore' },
      ),
    );
    args.push('-dnsserver', `127.0.0.1:${dnsPort}`);
  }
  procs.push(spawn('pebble', args, { env, stdio: 'ignore' }));
  const agent = new https.Agent({ ca: tls.cert });
  const get = (url: string) =>
    new Promise<string>((resolve, reject) => {
      const req = https.get(url, { agent, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
      req.on('error', reject);
    });
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  const stop = async () => {
    agent.destroy();
    // wait (bounded) until each process has exited, then remove the temp dir
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => {
              p.kill('SIGKILL');
              resolve();
            }, 3000);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  // ready when the directory answers: at most 100 tries, 100 ms apart (and an early end if pebble exits)
  for (let i = 0; ; i++) {
    try {
      await get(directoryUrl);
      break;
    } catch (e) {
      const dead = procs.find((p) => p.exitCode !== null);
      if (i >= 100 || dead) {
        await stop();
        throw new Error(`pebble did not start${dead ? ` (${dead.spawnfile} exited ${dead.exitCode})` : ''}: ${(e as Error).message}`);
      }
      await sleep(100);
    }
  }
  return {
    directoryUrl,
    caFile: join(dir, 'cert.pem'),
    httpPort,
    root: () => get(`https://127.0.0.1:${mgmt}/roots/0`),
    intermediate: () => get(`https://127.0.0.1:${mgmt}/intermediates/0`),
    stop,
  };
}

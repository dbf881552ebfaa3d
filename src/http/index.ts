import https from 'node:https';
import tls from 'node:tls';
import { createHash, randomInt } from 'node:crypto';
import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { ApiError, AuthError, ConfigError, InterruptedError, NetworkError, TimeoutError, TlsError, redact, registerSecret } from '../errors/index.js';
import { READ_LIMITS, readBoundedFile } from '../fs/files.js';
import { preview } from '../input/text.js';
import { hintForApiCode } from '../errors/hints.js';
import { checkStop, traceExchange } from './process.js';

export { setHttpTrace, httpTraceWanted, requestStop, stopRequested, stoppedAt, resetStop } from './process.js';

export interface HttpClientOptions {
  /** base URL including the API prefix, e.g. https://127.0.0.1:4000/api/v1 */
  baseUrl: string;
  /** name used in messages (context or server name) */
  server: string;
  apiKey?: string;
  /** how the key is sent: X-Road's API-key header (default) or a bearer token (sandbox control) */
  authScheme?: 'x-road-apikey' | 'bearer';
  /** SHA-256 fingerprint 'AB:CD:…': when set, the server certificate must have exactly this fingerprint */
  tlsFingerprint?: string;
  /** PEM bundle to verify the server against (otherwise the system CAs) */
  caFile?: string;
  /** per-attempt timeout */
  timeoutMs?: number;
  /** retries for idempotent requests and for 429 */
  retries?: number;
  /** upper bound for all attempts of one request */
  totalTimeoutMs?: number;
  userAgent?: string;
  /** parallel connections to the server at most (default 8); with a rate limit, as many as it can use (fitSockets) */
  maxSockets?: number;
  /** observe every exchange (tests record them for OpenAPI conformance) */
  onExchange?: (x: HttpExchange) => void;
  /** client-side politeness: stay under this many requests per second and per minute to this server
   * (the real admin API answers 429 over 20/s or 600/min per client) */
  rateLimit?: { perSecond: number; perMinute: number };
}

export interface HttpExchange {
  method: string;
  path: string;
  requestBody?: unknown;
  requestContentType?: string;
  status: number;
  responseBody?: unknown;
  responseContentType?: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** path below the base URL, e.g. /tokens/0/login */
  path: string;
  query?: Record<string, string | number | boolean | undefined | (string | number)[]>;
  /** JSON body (object) or raw bytes (Buffer, sent as application/octet-stream) */
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** the step, for messages: e.g. 'register-auth-cert' */
  step?: string;
  /** override: may this request be retried after a network failure? (default: GET only) */
  idempotent?: boolean;
  timeoutMs?: number;
  /**
   * Check a 2xx answer's body before anyone uses it: return what is wrong, or undefined. A body
   * that fails is an ApiError naming the server and the step (never a TypeError later on).
   */
  expect?: (body: unknown) => string | undefined;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  /** parsed JSON, a Buffer for binary bodies, or undefined when empty */
  body: T;
  correlationId?: string;
  /** set when the body claimed to be JSON but did not parse */
  invalidJson?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized (API key refused)',
  403: 'forbidden (API key lacks the role)',
  404: 'not found',
  409: 'conflict',
  413: 'request too large',
  429: 'too many requests',
  500: 'server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};
/** The most of an answer we hold in memory; a larger (or endless) body is refused. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * NODE_DEBUG=http (and https, net, tls, a wildcard) makes node print every request's headers to
 * stderr: with an API key loaded that would print the key. Node reads NODE_DEBUG at start, so a
 * process started with it is refused before a key is put in a header.
 */
export function nodeDebugLeaksHeaders(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env.NODE_DEBUG;
  if (!v) return undefined;
  for (const section of v.split(/[\s,]+/).filter(Boolean)) {
    const re = new RegExp(`^${section.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
    for (const leaky of ['http', 'https', 'http2', 'net', 'tls', 'fetch', 'undici']) if (re.test(leaky)) return section;
  }
  return undefined;
}

/** a request's place in the server's rate windows: when its answer came (Infinity while under way) */
interface Slot {
  answeredAt: number;
}
/** the server's windows (1 s, 1 min) and a margin: its clock and ours tick apart */
const SECOND_WINDOW_MS = 1025;
/** answers seen before the connections of a rate-limited server may grow past two */
const MIN_ANSWERS_TO_GROW = 8;
const MINUTE_WINDOW_MS = 60_500;

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN', 'XRD_TIMEOUT']);

/** sha256 fingerprint of a DER certificate as 'AB:CD:…' */
export function fingerprintOf(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/**
 * An https.Agent whose sockets are checked against a pinned SHA-256 fingerprint before they are
 * handed to the request: not one byte of the request (API key included) is written to a server
 * whose certificate does not match. The pin replaces CA verification for self-signed admin certs.
 */
/** one TLS context for every pinned connection (building one per socket costs more than the handshake) */
let sharedContext: tls.SecureContext | undefined;

/**
 * A kept-alive socket idle this long is closed by us (the agent destroys free sockets on timeout), before
 * the server's own idle timeout (node's default is 5 s, Tomcat's 20 s) can close it under a request we
 * are just sending: that race ends a write with ECONNRESET, and a write is never retried.
 */
const IDLE_SOCKET_MS = 4000;

const agentAddRequest = (https.Agent.prototype as unknown as { addRequest(req: ClientRequest, options: unknown): void }).addRequest;

class PinnedAgent extends https.Agent {
  constructor(
    private readonly pin: string,
    private readonly server: string,
    maxSockets = 8,
    private readonly connectTimeoutMs = 30_000,
  ) {
    super({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
    // after the agent's own handler: the socket is among the free ones now, unless a request it queued took it
    this.on('free', () => this.drain());
  }

  /** a TLS session from a connection that passed the pin check: later sockets resume it (no full handshake) */
  private session?: Buffer;
  /**
   * the first connection, while it has no session yet: parallel requests at the start wait for it and
   * resume its session, instead of each paying a full handshake (the server's RSA signature per socket)
   */
  private first?: Promise<void>;

  private shutDown = false;
  /** the client closed: a connection still waiting for the first one is never made */
  shut(): void {
    this.shutDown = true;
  }

  /**
   * Node's agent counts a socket only once it is made, and ours are made asynchronously (the pin check, the
   * first connection's session): requests that arrive meanwhile would each start a connection of their own,
   * beyond the maximum, and the agent destroys each such socket when it comes free. So while connections are
   * being made, a request that would exceed the maximum waits here for a socket instead (bounded by the
   * client's timeout, which abandons it).
   */
  private creating = 0;
  private held: { req: ClientRequest; options: any }[] = [];

  /** node's Agent#addRequest (in every node since 0.x, not in the typings), which this one wraps */
  addRequest(req: ClientRequest, options: any): void {
    if (this.mustWait(options)) this.held.push({ req, options });
    else agentAddRequest.call(this, req, options);
  }

  /** no socket is free and the ones made and being made reach the maximum, while some are still being made */
  private mustWait(options: any): boolean {
    const name = this.getName(options);
    const free = this.freeSockets[name]?.length ?? 0;
    const made = (this.sockets[name]?.length ?? 0) + free;
    return this.creating > 0 && !free && made + this.creating >= this.maxSockets;
  }

  /** held requests go on as sockets come free or connections end (a failed one lets the next request try) */
  private drain(): void {
    while (this.held.length && !this.mustWait(this.held[0]!.options)) {
      const { req, options } = this.held.shift()!;
      agentAddRequest.call(this, req, options);
    }
  }

  /** a request the client gave up on (timeout, close) that is still waiting here ends now, with this error */
  abandon(req: ClientRequest, err: Error): void {
    const i = this.held.findIndex((h) => h.req === req);
    if (i < 0) return;
    this.held.splice(i, 1);
    // how the agent itself ends a request whose connection failed: error and close, on the next tick
    (req as unknown as { onSocket(s: Socket | undefined, e: Error): void }).onSocket(undefined, err);
  }

  /**
   * A connection ends in bounded time: one whose TLS handshake is never answered (a port that accepts and
   * says nothing) fails with XRD_TIMEOUT after the client's per-attempt timeout, and so does the request
   * that was waiting for it (it has no socket yet, so destroying the request alone would not end it).
   */
  override createConnection(options: any, cb?: (err: Error | null, s: Duplex) => void): Duplex | undefined {
    this.creating++;
    let ended = false;
    const attempt: { socket?: tls.TLSSocket } = {};
    const end = (err: Error | null, s?: Duplex) => {
      if (ended) {
        s?.destroy();
        return;
      }
      ended = true;
      clearTimeout(timer);
      this.creating--;
      cb?.(err, s as Duplex);
      this.drain();
    };
    const timer = setTimeout(() => {
      attempt.socket?.destroy();
      end(Object.assign(new Error(`no TLS handshake within ${this.connectTimeoutMs} ms`), { code: 'XRD_TIMEOUT' }));
    }, this.connectTimeoutMs);
    timer.unref();
    this.connect(options, end, attempt);
    return undefined;
  }

  private connect(options: any, cb: (err: Error | null, s?: Duplex) => void, attempt: { socket?: tls.TLSSocket }): void {
    if (this.shutDown) {
      cb(Object.assign(new Error('the client was closed'), { code: 'XRD_CLOSED' }));
      return;
    }
    if (!this.session && this.first) {
      void this.first.then(() => this.connect(options, cb, attempt));
      return;
    }
    let release: (() => void) | undefined;
    if (!this.session) {
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      this.first = gate;
      release = () => {
        if (this.first === gate) this.first = undefined;
        open();
      };
    }
    const offered = this.session;
    sharedContext ??= tls.createSecureContext({});
    const socket = tls.connect({
      ...options,
      secureContext: sharedContext,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...(offered ? { session: offered } : {}),
    });
    attempt.socket = socket;
    let verified = false;
    let pending: Buffer | undefined;
    socket.on('session', (s: Buffer) => {
      if (verified) {
        this.session = s;
        release?.();
      } else pending = s;
    });
    let done = false;
    const finish = (err: Error | null, s?: Duplex) => {
      if (done) return;
      done = true;
      // a failed first connection lets the next one try; a good one waits briefly for its session ticket
      // (TLS 1.3 sends it after the handshake), then lets the others go anyway
      if (err) release?.();
      else if (release) setTimeout(release, 50).unref();
      cb(err, s);
    };
    socket.once('secureConnect', () => {
      // a resumed session carries no certificate: it proves the server holds the keys of a handshake
      // that passed the pin check (only such sessions are offered)
      if (offered && socket.isSessionReused()) {
        verified = true;
        finish(null, socket);
        return;
      }
      const cert = socket.getPeerCertificate();
      const got = cert?.fingerprint256?.toUpperCase();
      if (!got || got !== this.pin) {
        socket.destroy();
        finish(
          new TlsError(`TLS certificate fingerprint mismatch: expected ${this.pin}, server presented ${got ?? 'no certificate'}`, {
            server: this.server,
            hint: 'the server certificate changed or this is not the server you think; check the pin (xrdctl context show) before trusting it',
          }),
        );
        return;
      }
      const now = Date.now();
      if (cert.valid_to && Date.parse(cert.valid_to) < now) {
        socket.destroy();
        finish(new TlsError(`pinned TLS certificate expired on ${cert.valid_to}`, { server: this.server }));
        return;
      }
      verified = true;
      if (pending) {
        this.session = pending;
        release?.();
      }
      finish(null, socket);
    });
    socket.once('error', (e) => finish(e));
    socket.once('close', () => {
      release?.();
      finish(Object.assign(new Error('the connection closed before its TLS handshake ended'), { code: 'ECONNRESET' }));
    });
  }
}

function buildQuery(q?: RequestOptions['query']): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    const vals = Array.isArray(v) ? v : [v];
    for (const x of vals) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(x))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

interface ErrorInfoBody {
  status?: number;
  error?: { code?: string; metadata?: string[]; validation_errors?: Record<string, string[]> };
  warnings?: { code: string; metadata?: string[] }[];
}

/** The one HTTP layer: TLS (CA or pinned), API-key header, timeouts, bounded retry, ErrorInfo → ApiError. */
export class HttpClient {
  readonly server: string;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly agent: https.Agent;
  private readonly opts: HttpClientOptions;
  private queue: Promise<void> = Promise.resolve();
  /** number of requests sent (each attempt counts) */
  requestCount = 0;
  /** writes (not GET) the server accepted (2xx): imperative commands report changed from this */
  writeCount = 0;
  /** server clock minus ours, from the last response's Date header (second resolution) */
  private clockOffsetMs: number | undefined;

  /** "now" as the server sees it: expiry is judged by the server's clock (a sandbox's may be moved). */
  serverNow(): Date {
    return new Date(Date.now() + (this.clockOffsetMs ?? 0));
  }

  constructor(opts: HttpClientOptions) {
    this.opts = opts;
    this.server = opts.server;
    try {
      this.base = new URL(opts.baseUrl);
    } catch {
      throw new ConfigError(`${opts.server}: '${opts.baseUrl}' is not a valid URL`);
    }
    if (this.base.protocol !== 'https:') throw new ConfigError(`${opts.server}: '${opts.baseUrl}' must use https`);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    registerSecret(opts.apiKey);
    const leak = opts.apiKey ? nodeDebugLeaksHeaders() : undefined;
    if (leak) {
      throw new ConfigError(
        `NODE_DEBUG=${process.env.NODE_DEBUG} would print the API key of ${opts.server} (node's '${leak}' debug log shows request headers)`,
        {
          hint: 'unset NODE_DEBUG (use --verbose for xrdctl debug output)',
        },
      );
    }
    this.socketCap = opts.maxSockets ?? 8;
    // with a rate limit, sockets follow the answers' time (fitSockets): two until the first answer
    const sockets = opts.rateLimit ? Math.min(this.socketCap, 2) : this.socketCap;
    if (opts.tlsFingerprint) {
      this.agent = new PinnedAgent(opts.tlsFingerprint.toUpperCase(), opts.server, sockets, opts.timeoutMs ?? 30_000);
    } else {
      let ca: Buffer | undefined;
      if (opts.caFile) {
        ca = readBoundedFile(opts.caFile, { maxBytes: READ_LIMITS.caBundle, what: `CA file of ${opts.server}` });
      }
      this.agent = new https.Agent({ keepAlive: true, maxSockets: sockets, ca, rejectUnauthorized: true, timeout: IDLE_SOCKET_MS });
    }
  }

  /** whether the server certificate is pinned (else verified by a CA) */
  get pinned(): boolean {
    return !!this.opts.tlsFingerprint;
  }

  /**
   * Close: idle keep-alive sockets go (so the process can exit), requests under way are abandoned, and none
   * starts later: a read left running beside a failed one (Promise.all) or waiting to retry must not reach the
   * server after the command that made it has ended.
   */
  close(): void {
    this.closed = true;
    for (const req of this.live) {
      const err = Object.assign(new Error('the client was closed'), { code: 'XRD_CLOSED' });
      req.destroy(err);
      if (this.agent instanceof PinnedAgent) this.agent.abandon(req, err);
    }
    this.live.clear();
    if (this.agent instanceof PinnedAgent) this.agent.shut();
    this.agent.destroy();
  }
  private closed = false;
  private readonly live = new Set<ClientRequest>();

  /** the steps of the requests under way (a caller that gives up waiting can say what it waited for) */
  get waitingOn(): string[] {
    return [...this.underWay];
  }
  private readonly underWay = new Set<string>();

  async request<T = unknown>(ro: RequestOptions): Promise<HttpResponse<T>> {
    const step = this.where(ro);
    this.underWay.add(step);
    try {
      return await this.attempts<T>(ro);
    } finally {
      this.underWay.delete(step);
    }
  }

  private async attempts<T>(ro: RequestOptions): Promise<HttpResponse<T>> {
    const idempotent = ro.idempotent ?? ro.method === 'GET';
    const retries = this.opts.retries ?? 3;
    const totalDeadline = Date.now() + (this.opts.totalTimeoutMs ?? 120_000);
    let attempt = 0;
    for (;;) {
      attempt++;
      // after SIGINT/SIGTERM: the request in flight finished, no further one starts (the InterruptedError is not retried)
      checkStop(this.server, this.where(ro));
      try {
        const res = await this.once<T>(ro);
        // a 429 did nothing on the server: any request may wait and go again. A per-minute window
        // (600/min, shared with other runs against the same server) frees slowly, so 429s get more
        // tries than other statuses, waiting the longer of Retry-After and 1, 2, 4… s (bounded by the total deadline)
        const tries = res.status === 429 ? Math.max(retries, 8) : retries;
        if (RETRYABLE_STATUS.has(res.status) && attempt <= tries && (res.status === 429 || idempotent)) {
          const wait =
            res.status === 429
              ? Math.max(this.backoff(attempt, res.headers['retry-after']), Math.min(1000 * 2 ** (attempt - 1), 10_000))
              : this.backoff(attempt, res.headers['retry-after']);
          if (Date.now() + wait < totalDeadline) {
            await sleep(wait);
            continue;
          }
        }
        if (res.status >= 200 && res.status < 300) {
          const bad = this.badAnswer(ro, res);
          if (bad)
            throw new ApiError(`${res.status} answer ${bad}`, {
              server: this.server,
              step: this.where(ro),
              status: res.status,
              correlationId: res.correlationId,
              hint: 'the server (or something between us and it) answered what the admin API never sends; check the URL of the context and the server log',
            });
          return res;
        }
        throw this.toApiError(ro, res);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'XRD_TOO_LARGE')
          throw new ApiError(`answer larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB; not read further`, {
            server: this.server,
            step: this.where(ro),
            hint: 'the server sent far more than the admin API ever does',
          });
        if (e instanceof ApiError || e instanceof TlsError || e instanceof ConfigError || e instanceof InterruptedError) throw e;
        const wrapped = this.toNetworkError(ro, e);
        if (idempotent && code && RETRYABLE_CODES.has(code) && attempt <= retries) {
          const wait = this.backoff(attempt);
          if (Date.now() + wait < totalDeadline) {
            await sleep(wait);
            continue;
          }
        }
        throw wrapped;
      }
    }
  }

  private backoff(attempt: number, retryAfter?: string | string[]): number {
    const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    if (ra && /^\d+$/.test(ra)) return Math.min(Number(ra) * 1000, 10_000);
    const base = Math.min(200 * 2 ** (attempt - 1), 5_000);
    return base / 2 + randomInt(Math.max(1, Math.floor(base / 2)));
  }

  /**
   * Client-side politeness, as the server counts: a request counts in the server's windows when the server
   * handles it, at some moment between our sending it and its answer arriving. So a request leaves a window
   * only once its answer came before the window began, and one still under way is in every window. Counting
   * by send time instead lets a server that answers late (a busy one) see two of our bursts in one second,
   * and answer 429. Serial queue; bounded memory (the last minute's requests).
   */
  private async pace(): Promise<Slot | undefined> {
    const rl = this.opts.rateLimit;
    if (!rl) return undefined;
    const prev = this.queue;
    let release!: () => void;
    this.queue = new Promise((r) => (release = r));
    await prev;
    try {
      for (let i = 0; i < 10_000; i++) {
        const now = Date.now();
        while (this.slots.length && this.slots[0]!.answeredAt <= now - MINUTE_WINDOW_MS) this.slots.shift();
        const inMinute = this.slots.filter((x) => x.answeredAt > now - MINUTE_WINDOW_MS);
        const inSecond = inMinute.filter((x) => x.answeredAt > now - SECOND_WINDOW_MS);
        // the earliest moment one of `xs` leaves its window; Infinity: all are under way, wait for an answer
        const leaves = (xs: Slot[], window: number) => Math.min(...xs.map((x) => x.answeredAt + window)) - now;
        let wait = 0;
        if (inSecond.length >= rl.perSecond) wait = leaves(inSecond, SECOND_WINDOW_MS);
        if (inMinute.length >= rl.perMinute) wait = Math.max(wait, leaves(inMinute, MINUTE_WINDOW_MS));
        if (wait <= 0) break;
        if (wait === Infinity) {
          this.answered ??= new Promise<void>((r) => (this.answer = r));
          await Promise.race([this.answered, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
        } else await sleep(wait + 1);
      }
      const slot: Slot = { answeredAt: Infinity };
      this.slots.push(slot);
      return slot;
    } finally {
      release();
    }
  }
  /**
   * Connections as many as the rate limit can use: at 20 requests a second, answers that take L seconds keep
   * 20 × L requests under way, so more sockets than that (plus one) only cost handshakes, here and at the
   * server (a fleet of 100 servers opened 800 where 200 carried the same requests). L is the shortest of the
   * last answers (the path's own time, as a congestion controller takes the minimum round trip): a busy
   * server's queueing makes answers slower, and more connections would only add to its load. From 2 up to
   * the configured maximum; a server without a rate limit gets the maximum.
   */
  private fitSockets(ms: number): void {
    const rl = this.opts.rateLimit;
    if (!rl) return;
    this.answerTimes[this.answerCount++ % this.answerTimes.length] = ms;
    // the first answers of a run are the slowest (cold server, handshakes, every server at once): grow only
    // on a minimum taken over enough of them
    if (this.answerCount < MIN_ANSWERS_TO_GROW) return;
    const shortest = Math.min(...this.answerTimes.slice(0, Math.min(this.answerCount, this.answerTimes.length)));
    const want = Math.min(this.socketCap, Math.ceil((rl.perSecond * shortest) / 1000) + 1);
    // grow only: the agent destroys a freed socket above its maximum, so a maximum that went down and up
    // again would close connections only to open new ones
    if (want > this.agent.maxSockets) this.agent.maxSockets = want;
  }
  private readonly answerTimes = new Array<number>(32).fill(0);
  private answerCount = 0;
  private readonly socketCap: number;
  private slots: Slot[] = [];
  /** resolved when a request under way is answered (a full window of them is waiting for one) */
  private answered?: Promise<void>;
  private answer?: () => void;
  private answeredNow(slot: Slot | undefined): void {
    if (!slot) return;
    slot.answeredAt = Date.now();
    const wake = this.answer;
    this.answered = this.answer = undefined;
    wake?.();
  }

  private async once<T>(ro: RequestOptions): Promise<HttpResponse<T>> {
    const slot = await this.pace();
    if (this.closed) {
      this.answeredNow(slot);
      throw Object.assign(new Error('the client was closed'), { code: 'XRD_CLOSED' });
    }
    const path = this.basePath + ro.path + buildQuery(ro.query);
    const headers: Record<string, string> = {
      accept: ro.accept ?? 'application/json',
      'user-agent': this.opts.userAgent ?? 'xrdctl',
    };
    if (this.opts.apiKey) {
      headers.authorization = this.opts.authScheme === 'bearer' ? `Bearer ${this.opts.apiKey}` : `X-Road-ApiKey token=${this.opts.apiKey}`;
    }
    let payload: Buffer | undefined;
    let contentType: string | undefined;
    if (ro.body !== undefined) {
      if (Buffer.isBuffer(ro.body)) {
        payload = ro.body;
        contentType = ro.contentType ?? 'application/octet-stream';
      } else {
        payload = Buffer.from(JSON.stringify(ro.body));
        contentType = ro.contentType ?? 'application/json';
      }
      headers['content-type'] = contentType;
      headers['content-length'] = String(payload.length);
    }
    const timeoutMs = ro.timeoutMs ?? this.opts.timeoutMs ?? 30_000;
    this.requestCount++;
    const started = performance.now();
    let assigned: number | undefined;
    const res = await new Promise<{ status: number; headers: IncomingHttpHeaders; raw: Buffer }>((resolve, reject) => {
      const req = https.request(
        {
          protocol: 'https:',
          hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port || 443,
          path,
          method: ro.method,
          headers,
          agent: this.agent,
          servername: isIp(this.base.hostname) ? undefined : this.base.hostname,
        },
        (r) => {
          const chunks: Buffer[] = [];
          let size = 0;
          r.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(Object.assign(new Error('response too large'), { code: 'XRD_TOO_LARGE' }));
              return;
            }
            chunks.push(c);
          });
          r.on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, raw: Buffer.concat(chunks) }));
          r.on('error', reject);
        },
      );
      const timer = setTimeout(() => {
        const err = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'XRD_TIMEOUT' });
        req.destroy(err);
        if (this.agent instanceof PinnedAgent) this.agent.abandon(req, err);
      }, timeoutMs);
      this.live.add(req);
      // the answer's time from when a socket took the request (not the wait for one)
      req.once('socket', () => (assigned = performance.now()));
      req.on('close', () => {
        clearTimeout(timer);
        this.live.delete(req);
      });
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      if (payload) req.write(payload);
      req.end();
    }).then(
      (r) => {
        this.answeredNow(slot);
        return r;
      },
      (e: unknown) => {
        this.answeredNow(slot);
        traceExchange(this.server, ro.method, path, (e as NodeJS.ErrnoException).code ?? 'failed', performance.now() - started);
        throw e;
      },
    );
    traceExchange(this.server, ro.method, path, res.status, performance.now() - started);
    this.fitSockets(performance.now() - (assigned ?? started));
    const ct = String(res.headers['content-type'] ?? '');
    let body: unknown = undefined;
    let invalidJson: string | undefined;
    if (res.raw.length) {
      if (/json/i.test(ct)) {
        try {
          body = JSON.parse(res.raw.toString('utf8'));
        } catch (e) {
          invalidJson = (e as Error).message;
          body = res.raw.toString('utf8');
        }
      } else if (/^text\//i.test(ct)) {
        body = res.raw.toString('utf8');
      } else {
        body = res.raw;
      }
    }
    if (ro.method !== 'GET' && res.status >= 200 && res.status < 300) this.writeCount++;
    const rawCorrelation = headerValue(res.headers['x-road-ui-correlation-id']);
    const correlationId = rawCorrelation === undefined ? undefined : preview(rawCorrelation, 80);
    const date = Date.parse(headerValue(res.headers.date) ?? '');
    if (!Number.isNaN(date)) {
      const off = date - Date.now();
      // only a real difference counts: Date has second resolution
      this.clockOffsetMs = Math.abs(off) > 2000 ? off : 0;
    }
    this.opts.onExchange?.({
      method: ro.method,
      path,
      requestBody: ro.body,
      requestContentType: contentType,
      status: res.status,
      responseBody: body,
      responseContentType: ct || undefined,
    });
    return { status: res.status, headers: res.headers, body: body as T, correlationId, invalidJson } as HttpResponse<T>;
  }

  /** What is wrong with a 2xx answer (not JSON where JSON was asked for, invalid JSON, the wrong shape), or undefined. */
  private badAnswer(ro: RequestOptions, res: HttpResponse): string | undefined {
    if (res.invalidJson) return `is not valid JSON (${preview(res.invalidJson, 80)})`;
    const ct = String(res.headers['content-type'] ?? '');
    const wantsJsonOnly = (ro.accept ?? 'application/json') === 'application/json';
    if (wantsJsonOnly && res.body !== undefined && !/json/i.test(ct)) return `is ${preview(ct.split(';')[0] || 'of no content type', 40)}, not JSON`;
    // a web page (a proxy's login page, a captive portal) is never what the admin API sends, whatever file was asked for
    if (!wantsJsonOnly && /^\s*text\/html/i.test(ct) && !/html/i.test(ro.accept ?? '')) return 'is text/html (a web page), not the file asked for';
    if (ro.expect) {
      const p = ro.expect(res.body);
      if (p) return `does not have the shape the admin API promises: ${p}`;
    }
    return undefined;
  }

  private where(ro: RequestOptions): string {
    return ro.step ?? `${ro.method} ${ro.path}`;
  }

  private toApiError(ro: RequestOptions, res: HttpResponse): ApiError {
    const info = (res.body && typeof res.body === 'object' && !Buffer.isBuffer(res.body) ? res.body : {}) as ErrorInfoBody;
    // everything here comes from the server: bounded and made visible before it goes into a message
    const code = typeof info.error?.code === 'string' ? preview(info.error.code, 80) : undefined;
    const meta = Array.isArray(info.error?.metadata) ? info.error.metadata.slice(0, 10).map((m) => preview(String(m), 200)) : undefined;
    const rawValidation = info.error?.validation_errors;
    const validation =
      rawValidation && typeof rawValidation === 'object'
        ? Object.fromEntries(
            Object.entries(rawValidation)
              .slice(0, 10)
              .map(([k, v]) => [preview(k, 80), (Array.isArray(v) ? v : [v]).slice(0, 5).map((x) => preview(String(x), 80))]),
          )
        : undefined;
    const warnings = Array.isArray(info.warnings)
      ? info.warnings.slice(0, 10).map((w) => ({
          code: preview(String(w?.code), 80),
          metadata: Array.isArray(w?.metadata) ? w.metadata.slice(0, 10).map((m) => preview(String(m), 200)) : undefined,
        }))
      : undefined;
    let detail = code ? code : (STATUS_TEXT[res.status] ?? 'error');
    if (meta?.length) detail += ` (${meta.join(', ')})`;
    if (validation)
      detail += ` ${Object.entries(validation)
        .map(([k, v]) => `${k}: ${v.join('/')}`)
        .join('; ')}`;
    if (res.status >= 300 && res.status < 400)
      detail = `redirect${res.headers.location ? ` to ${preview(String(res.headers.location), 100)}` : ''} (not followed: the admin API never redirects)`;
    if (warnings?.length) detail += ` warnings: ${warnings.map((w) => w.code + (w.metadata?.length ? ` (${w.metadata.join(', ')})` : '')).join(', ')}`;
    const opts = {
      server: this.server,
      step: this.where(ro),
      status: res.status,
      apiCode: code,
      metadata: meta,
      warnings,
      correlationId: res.correlationId,
      hint: withCorrelation(hintForApiCode(code, meta) ?? hintFor(res.status), res.correlationId),
    };
    const msg = `${res.status} ${detail}`;
    if (res.status === 401 || res.status === 403) return new AuthError(msg, opts);
    return new ApiError(msg, opts);
  }

  private toNetworkError(ro: RequestOptions, e: unknown): NetworkError | TlsError {
    const err = e as NodeJS.ErrnoException;
    const code = err.code ?? '';
    const base = { server: this.server, step: this.where(ro), cause: e };
    if (code === 'XRD_TIMEOUT')
      return new TimeoutError(`no answer from ${this.base.host} within the timeout`, {
        ...base,
        hint: 'the server is slow or hung; try again or raise --timeout',
      });
    if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/.test(code) || /certificate/i.test(err.message ?? '')) {
      return new TlsError(`TLS verification failed for ${this.base.host}: ${redact(err.message)}`, {
        ...base,
        hint: 'pin the admin certificate with --tls-fingerprint (see xrdctl context add --help), or give its CA with --ca-file',
      });
    }
    if (code === 'ECONNREFUSED')
      return new NetworkError(`connection refused by ${this.base.host}`, { ...base, hint: 'is the server running and the URL right?' });
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new NetworkError(`cannot resolve ${this.base.hostname}`, base);
    if (code === 'ECONNRESET' || code === 'EPIPE') return new NetworkError(`connection reset by ${this.base.host}`, base);
    return new NetworkError(`request to ${this.base.host} failed: ${redact(err.message ?? String(e))}`, base);
  }
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':') || host.startsWith('[');
}

/** Hints by status, for answers whose X-Road code (if any) is not in the table of src/errors/hints.ts. */
function hintFor(status: number): string | undefined {
  if (status === 401) return 'the API key was refused: check the key reference of this context';
  if (status === 403) return 'the API key lacks the role this step needs';
  if (status === 429) return 'the server rate-limited us (20 req/s, 600/min); wait and retry';
  return undefined;
}

function withCorrelation(hint: string | undefined, correlationId: string | undefined): string | undefined {
  const where = correlationId ? `correlation id ${correlationId} (in the server log)` : undefined;
  return hint && where ? `${hint}; ${where}` : (hint ?? where);
}

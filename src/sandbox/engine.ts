/**
 * The sandbox engine: state + clock + persistence + globalconf scheduler + the rules shared by the SS and CS APIs
 * (certificate views and possible actions, usability of auth/sign certs, management requests at the CS).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateOcspStatus, PossibleAction, TokenCertificate, Key, Token } from '../api/types/ss.js';
import type { ManagementRequestType } from '../api/types/cs.js';
import { ApiError, bad, conflict } from './http.js';
import { pemToDer } from '../pki/encoding.js';
import { verifyIssuedBy } from '../pki/x509.js';
import { certInfo, certInfoB64, certificateDetails, certValidity } from './certs.js';
import { profileOf } from './profiles.js';
import { OcspClient } from './ocsp-client.js';
import { evaluateOutages, gcServer, type ServerStatus } from './outages.js';
import { loadState, StateStore, STATE_FILE, type SsPart } from './journal.js';
import { generateRsaKeyPairAsync, type KeyPairPem } from '../pki/keys.js';
import {
  clientIdOf,
  memberIdOf,
  parseClientId,
  serverIdOf,
  ssOwnerId,
  ssServerId,
  type CaState,
  type CertState,
  type ClientState,
  type CsMember,
  type CsServer,
  type GcSnapshot,
  type KeyState,
  type MgmtRequest,
  type State,
  type SsState,
} from './model.js';

export const APPROVABLE: ManagementRequestType[] = ['AUTH_CERT_REGISTRATION_REQUEST', 'CLIENT_REGISTRATION_REQUEST', 'OWNER_CHANGE_REQUEST'];

export class Clock {
  constructor(
    private st: () => State,
    private onChange: () => void,
  ) {}
  now(): Date {
    return new Date(Date.now() + this.st().clockOffsetMs);
  }
  advance(ms: number): void {
    this.st().clockOffsetMs += ms;
    this.onChange();
  }
  set(d: Date): void {
    this.st().clockOffsetMs = d.getTime() - Date.now();
    this.onChange();
  }
}

export class Engine {
  clock: Clock;
  private timer?: NodeJS.Timeout;
  private due = { gen: 0, dl: new Map<string, number>(), rec: new Map<string, number>() };
  private waiters: Array<{ version: number; resolve: () => void }> = [];
  private persistBlocked = false;
  private store: StateStore;
  /** SSes whose globalconf download fails (fault injection): their copy ages until it is outdated */
  gcDownloadFailing = new Set<string>();
  /** token keys generated (off the event loop) and their total time: the bench reports them beside the sandbox's CPU */
  keygen = { count: 0, ms: 0 };
  /** OCSP for certificates of external CAs: real queries to their registered responders, cached (sandbox time) */
  ocspClient: OcspClient;

  constructor(
    public st: State,
    public dir: string,
    ocspOpts: { cacheMs?: number; timeoutMs?: number } = {},
    /** the sequence number of the last journal record the loaded state holds (journal.ts loadStored) */
    journalSeq = 0,
  ) {
    this.store = new StateStore(dir, journalSeq);
    this.clock = new Clock(
      () => this.st,
      () => {
        this.tick();
        this.commit();
      },
    );
    this.ocspClient = new OcspClient(() => this.clock.now(), ocspOpts.cacheMs ?? 60_000, ocspOpts.timeoutMs ?? 3_000);
  }

  // ---------- persistence (journal.ts: a snapshot and an append-only journal of changed chunks) ----------
  static statePath(dir: string): string {
    return join(dir, STATE_FILE);
  }
  static load(dir: string): State | undefined {
    return loadState(dir);
  }
  /** a write changed this Security Server's own state: the next commit writes it */
  touchSs(ss: SsState | string): void {
    const name = typeof ss === 'string' ? ss : ss.name;
    this.store.touch(`ss:${name}`);
    this.ssWrites.set(name, (this.ssWrites.get(name) ?? 0) + 1);
  }
  /** a write changed only these parts of a Security Server (journal.ts SS_PARTS) */
  touchSsParts(name: string, parts: readonly SsPart[]): void {
    this.store.touchSsParts(name, parts);
    this.ssWrites.set(name, (this.ssWrites.get(name) ?? 0) + 1);
  }
  /** a write changed this service description of a Security Server */
  touchSd(ss: SsState, sd: object): void {
    this.store.touchSd(ss.name, sd);
    this.ssWrites.set(ss.name, (this.ssWrites.get(ss.name) ?? 0) + 1);
  }
  /** writes per server and whole-state changes (persist, restore): what the reconciliation of a server depends on besides its configuration */
  private ssWrites = new Map<string, number>();
  private wholeWrites = 0;
  /** per server: the configuration and write counts it was last reconciled with */
  private reconciledWith = new Map<string, { gc: GcSnapshot | undefined; writes: number; whole: number }>();
  /** a write on the Central Server whose reach is not tracked: its settings, CAs, every server and member (not its requests) */
  touchCs(): void {
    this.store.touchCsAll();
  }
  /** a write changed the CS's settings (its version, groups, keys; not its servers, members or requests) */
  touchCsRest(): void {
    this.store.touch('cs');
  }
  /** a write changed this CS server, member or management request (an added one is found by itself) */
  touchCsServer(s: CsServer): void {
    this.store.touchServer(s);
  }
  touchCsMember(m: CsMember): void {
    this.store.touchMember(m);
  }
  touchRequest(r: MgmtRequest): void {
    this.store.touchRequest(r);
  }
  /** a write changed one server's admin API keys */
  touchApiKeys(server: string): void {
    this.store.touch(`key:${server}`);
  }
  /** the whole state as a new snapshot (start, stop, a clock jump, anything whose reach is not tracked) */
  persist(): void {
    if (this.persistBlocked) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.wholeWrites++;
    this.store.touchAll();
    this.store.commit(this.st);
  }
  /** one journal record of what the writes since the last commit changed */
  commit(): void {
    if (this.persistBlocked) return;
    this.store.commit(this.st);
  }
  journalStats(): { commits: number; compactions: number; bytes: number } {
    return this.store.stats;
  }
  /**
   * Put a state back (a copy from a snapshot, `structuredClone(st)`), in place: the routes hold `st`,
   * `st.cs` and each `SsState`, so those objects keep their identity and get the snapshot's contents.
   * The scheduler starts its periods afresh; the whole state is then persisted.
   */
  restore(snap: State): void {
    const next = structuredClone(snap);
    const refill = <T extends object>(into: T, from: T): T => {
      for (const k of Object.keys(into)) delete (into as Record<string, unknown>)[k];
      return Object.assign(into, from);
    };
    next.cs = refill(this.st.cs, next.cs);
    next.ss = next.ss.map((s) => {
      const cur = this.st.ss.find((x) => x.name === s.name);
      return cur ? refill(cur, s) : s;
    });
    refill(this.st, next);
    this.due = { gen: 0, dl: new Map(), rec: new Map() };
    // the referee's per-server statuses were the old state's: the next evaluation starts over
    this.outageCache.clear();
    this.outagesAt = 0;
    this.reconciledWith.clear();
    this.persist();
  }
  stopPersisting(): void {
    this.persistBlocked = true;
    this.store.close();
  }
  /**
   * Group commit for API writes: the answer to a write waits until the record that holds it is in the
   * journal, and all writes that arrive while one record is being written share the next one.
   */
  private flushWaiters: (() => void)[] = [];
  private flushScheduled = false;
  persistSoon(): Promise<void> {
    return new Promise((resolve) => {
      this.flushWaiters.push(resolve);
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => {
        const waiters = this.flushWaiters;
        this.flushWaiters = [];
        this.flushScheduled = false;
        try {
          this.commit();
        } finally {
          for (const w of waiters) w();
        }
      });
    });
  }

  /** a token key, as the signer makes one: RSA 2048 in libuv's pool, so that the other servers' requests go on meanwhile */
  async generateKey(): Promise<KeyPairPem> {
    const t0 = performance.now();
    try {
      return await generateRsaKeyPairAsync();
    } finally {
      this.keygen.count++;
      this.keygen.ms += performance.now() - t0;
    }
  }

  // ---------- scheduler (globalconf) ----------
  get periods() {
    const i = Math.max(10, this.st.gcIntervalMs);
    // expiry is ten downloads, as confExpireIntervalSeconds 600 is ten 60 s downloads on a real server; at
    // least 5 s, so that a machine busy for a second (CI, two cores) does not expire a healthy copy
    return { gen: i * 0.4, dl: i * 0.4, rec: i * 0.2, expire: Math.max(i * 4, 5000), tick: Math.max(5, Math.min(100, i / 20)) };
  }
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.periods.tick);
    this.timer.unref();
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
  /** a CS-side change: the next generation includes it */
  csChanged(): void {
    this.st.cs.version += 1;
    this.touchCsRest();
  }
  tick(): void {
    const now = this.clock.now().getTime();
    const p = this.periods;
    let changed = false;
    // the clock may have been set back: never wait longer than one period
    if (this.due.gen - now > p.gen) this.due.gen = now;
    for (const [k, v] of this.due.dl) if (v - now > p.dl) this.due.dl.set(k, now);
    for (const [k, v] of this.due.rec) if (v - now > p.rec) this.due.rec.set(k, now);
    if (now >= this.due.gen) {
      const cur = this.st.cs.published;
      if (!cur || cur.version !== this.st.cs.version) {
        this.st.cs.published = this.generate();
        changed = true;
      } else cur.generatedAt = new Date(now).toISOString();
      this.due.gen = now + p.gen;
    }
    for (const ss of this.st.ss) {
      if (!ss.anchor) continue;
      if (now >= (this.due.dl.get(ss.name) ?? 0) && !this.gcDownloadFailing.has(ss.name)) {
        const snap = this.st.cs.published;
        if (snap && !this.verifies(ss, snap)) {
          // the signature does not verify against this SS's anchor: the copy it has ages (409 global_conf_outdated later)
          if (!ss.gc.verifyError) changed = true;
          ss.gc.verifyError = 'signature_verification_failed';
        } else {
          if (snap && ss.gc.downloaded?.version !== snap.version) changed = true;
          if (ss.gc.verifyError) changed = true;
          ss.gc.verifyError = undefined;
          ss.gc.downloaded = snap;
          ss.gc.downloadedAt = new Date(now).toISOString();
          if (snap?.signingCerts) ss.gc.learnedSigners = [...snap.signingCerts];
        }
        this.due.dl.set(ss.name, now + p.dl);
      }
      if (now >= (this.due.rec.get(ss.name) ?? 0)) {
        // reconciliation reads only the server's own state and its configuration: unchanged since the last one, it changes nothing
        const last = this.reconciledWith.get(ss.name);
        const writes = this.ssWrites.get(ss.name) ?? 0;
        const same = last && last.gc === ss.gc.downloaded && last.writes === writes && last.whole === this.wholeWrites;
        if (!same && this.reconcile(ss)) changed = true;
        this.reconciledWith.set(ss.name, { gc: ss.gc.downloaded, writes: this.ssWrites.get(ss.name) ?? 0, whole: this.wholeWrites });
        ss.gc.reconciledVersion = ss.gc.downloaded?.version ?? 0;
        ss.gc.reconciledAt = new Date(now).toISOString();
        this.due.rec.set(ss.name, now + p.rec);
      }
    }
    // every server when something changed, otherwise for what time alone changes (expiry) at most every 250 ms
    if ((changed || performance.now() - this.outagesAt >= 250) && this.evaluateOutages()) changed = true;
    if (changed) this.commit();
    this.waiters = this.waiters.filter((w) => {
      if (this.st.ss.every((s) => !s.anchor || this.gcDownloadFailing.has(s.name) || s.gc.reconciledVersion >= w.version)) {
        w.resolve();
        return false;
      }
      return true;
    });
  }
  /** resolves once every SS (with an anchor, whose download is not failing) reconciled every CS change made so far */
  waitForGlobalConf(): Promise<void> {
    const version = this.st.cs.version;
    return new Promise((resolve) => {
      this.waiters.push({ version, resolve });
      this.tick();
    });
  }

  /** the verification certificates an SS trusts: its anchor's and those a configuration it verified listed */
  trustedSigners(ss: SsState): Set<string> {
    const out = new Set(ss.gc.learnedSigners ?? []);
    for (const m of (ss.anchor?.xml ?? '').matchAll(/<verificationCert>([^<]+)<\/verificationCert>/g)) {
      try {
        out.add(certInfoB64(m[1]!.replace(/\s/g, '')).hash);
      } catch {
        // not a certificate: trusts nothing
      }
    }
    return out;
  }
  verifies(ss: SsState, snap: GcSnapshot): boolean {
    return !snap.signedBy || this.trustedSigners(ss).has(snap.signedBy);
  }

  generate(): GcSnapshot {
    const cs = this.st.cs;
    const inst = this.st.instance;
    const internal = (cs.signingKeys ?? []).filter((k) => k.source === 'INTERNAL');
    const active = internal.find((k) => k.active);
    return {
      ...(active ? { signedBy: active.certHash, signingCerts: internal.map((k) => k.certHash) } : {}),
      version: cs.version,
      generatedAt: this.clock.now().toISOString(),
      memberClasses: cs.memberClasses.map((m) => m.code),
      members: cs.members.map((m) => ({
        id: `${inst}:${m.memberClass}:${m.memberCode}`,
        name: m.name,
        subsystems: m.subsystems.map((s) => ({ code: s.code, name: s.name })),
      })),
      servers: cs.servers.map((s) => ({
        id: serverIdOf(inst, s),
        address: s.address,
        authCertHashes: s.authCerts.map((c) => c.hash),
        clients: s.clients.filter((c) => !s.disabled?.includes(c)),
        maintenance: s.maintenance,
        ...(s.maintenanceMessage ? { maintenanceMessage: s.maintenanceMessage } : {}),
      })),
      globalGroups: cs.globalGroups.map((g) => ({ code: g.code, members: [...g.members] })),
      caNames: this.st.cas.map((c) => c.name),
      tsas: (cs.tsas ?? []).map((t) => ({
        name: certInfoB64(t.certPem.replace(/-----[^-]+-----|\s/g, '')).subject.find((a) => a.name === 'CN')?.value ?? t.url,
        url: t.url,
      })),
    };
  }

  /**
   * GlobalConfChecker: status updates per xroad-flows §3.5 and §6.1. It marks what it changed itself
   * (the server's settings, keys, clients): the scheduler calls it, and so do writes (a client added, the
   * server initialised) that touch only their own part, while a configuration the scheduler downloaded but
   * has not reconciled yet can change the others.
   */
  reconcile(ss: SsState): boolean {
    const gc = ss.gc.downloaded;
    if (!gc) return false;
    const parts = new Set<SsPart>();
    let settings = false;
    const sid = ssServerId(this.st, ss);
    // owner change approved at the CS: the server (same code, one of our auth certs) now has another owner
    if (ss.serverCode) {
      const ours = new Set(ss.keys.flatMap((k) => k.certs.map((c) => c.hash)));
      const moved = gc.servers.find((s) => s.id !== sid && s.id.endsWith(':' + ss.serverCode) && s.authCertHashes.some((h) => ours.has(h)));
      if (moved && !gc.servers.some((s) => s.id === sid && s.authCertHashes.some((h) => ours.has(h)))) {
        const p = moved.id.split(':');
        ss.ownerClass = p[1];
        ss.ownerCode = p[2];
        settings = true;
      }
    }
    const sidNow = ssServerId(this.st, ss); // the owner may have changed above
    const server = sidNow ? gcServer(gc, sidNow) : undefined;
    for (const k of ss.keys) {
      if (k.usage !== 'AUTHENTICATION') continue;
      for (const c of k.certs) {
        const listed = !!server?.authCertHashes.includes(c.hash);
        const before = c.status;
        if (listed && (c.status === 'REGISTRATION_IN_PROGRESS' || c.status === 'SAVED' || c.status === 'GLOBAL_ERROR')) c.status = 'REGISTERED';
        else if (!listed && c.status === 'REGISTERED') c.status = 'GLOBAL_ERROR';
        if (before !== c.status) parts.add('keys');
      }
    }
    const owner = ssOwnerId(this.st, ss);
    for (const cl of ss.clients) {
      const id = clientIdOf(cl);
      const listed = !!server && (server.clients.includes(id) || id === owner);
      const before = cl.status;
      if (listed && ['SAVED', 'REGISTRATION_IN_PROGRESS', 'GLOBAL_ERROR', 'ENABLING_IN_PROGRESS'].includes(cl.status)) cl.status = 'REGISTERED';
      else if (!listed && cl.status === 'REGISTERED') cl.status = 'GLOBAL_ERROR';
      else if (!listed && cl.status === 'DISABLING_IN_PROGRESS') cl.status = 'DISABLED';
      if (before !== cl.status) parts.add('clients');
    }
    if (server) {
      if (server.maintenance !== ss.maintenance) {
        ss.maintenance = server.maintenance;
        settings = true;
      }
      if (ss.maintenanceMessage !== server.maintenanceMessage) {
        ss.maintenanceMessage = server.maintenanceMessage;
        settings = true;
      }
      if (ss.maintenancePending && (ss.maintenancePending === 'ENABLE') === server.maintenance) {
        ss.maintenancePending = undefined;
        settings = true;
      }
    }
    if (server && server.address !== ss.address) {
      ss.address = server.address;
      if (ss.requestedAddress === server.address) ss.requestedAddress = undefined;
      settings = true;
    }
    const changed = settings || parts.size > 0;
    if (changed) this.touchSsParts(ss.name, [...parts]);
    return changed;
  }

  gcOutdated(ss: SsState): boolean {
    if (!ss.gc.downloadedAt) return true;
    return this.clock.now().getTime() - new Date(ss.gc.downloadedAt).getTime() > this.periods.expire;
  }
  requireGcFresh(ss: SsState): void {
    if (this.gcOutdated(ss)) throw conflict('global_conf_outdated');
  }

  // ---------- CA / OCSP view ----------
  recordIssued(ca: CaState, der: Buffer, serial: string): void {
    ca.issued.push(serial);
    (ca.issuedHashes ??= {})[certInfo(der).hash] = serial;
    this.store.touch('cas');
  }
  /** revoke by serial (hex) or certificate hash; false if this sandbox's CAs never issued it */
  revoke(hashOrSerial: string, reason?: string): boolean {
    const key = this.uniqueHash(hashOrSerial.replace(/:/g, ''));
    for (const ca of this.st.cas) {
      const serial = ca.issued.includes(key.toLowerCase()) ? key.toLowerCase() : ca.issuedHashes?.[key.toUpperCase()];
      if (serial) {
        ca.revoked[serial] = { at: this.clock.now().toISOString(), ...(reason ? { reason } : {}) };
        this.store.touch('cas');
        this.evaluateOutages();
        this.commit();
        return true;
      }
    }
    return false;
  }
  /** A unique prefix (8+ hex digits) of an issued certificate's hash stands for the hash, like git; anything else is kept as given. */
  private uniqueHash(id: string): string {
    if (!/^[0-9A-Fa-f]{8,63}$/.test(id) || this.st.cas.some((c) => c.issued.includes(id.toLowerCase()))) return id;
    const hits = this.st.cas.flatMap((c) => Object.keys(c.issuedHashes ?? {})).filter((h) => h.startsWith(id.toUpperCase()));
    return hits.length === 1 ? hits[0]! : id;
  }
  caByName(name: string): CaState | undefined {
    return this.st.cas.find((c) => c.name === name);
  }
  caOfCert(der: Buffer): CaState | undefined {
    return this.st.cas.find((c) => verifyIssuedBy({ der }, { der: pemToDer(c.certPem) }));
  }
  ocsp(cert: { derB64: string; serial: string; caName: string }): 'GOOD' | 'REVOKED' | 'UNKNOWN' {
    const ca = this.caByName(cert.caName);
    if (ca?.external) {
      // as a real SS: the admin API reads the cached OCSP response; a stale or missing one is refreshed in the background
      const hash = certInfoB64(cert.derB64).hash;
      const fresh = this.ocspClient.cached(hash);
      if (fresh) return fresh;
      if (ca.ocspResponders?.length) this.ocspClient.query(hash, Buffer.from(cert.derB64, 'base64'), ca).catch(() => {});
      return this.ocspClient.last(hash) ?? 'UNKNOWN';
    }
    if (!ca || !this.issuedSet(ca).has(cert.serial)) return 'UNKNOWN';
    return ca.revoked[cert.serial] ? 'REVOKED' : 'GOOD';
  }
  /** the serials a CA issued, as a set (the list only grows, by recordIssued; a restore replaces the CA object) */
  private issued = new WeakMap<CaState, { n: number; last: string | undefined; set: Set<string> }>();
  private issuedSet(ca: CaState): Set<string> {
    const n = ca.issued.length;
    const last = ca.issued[n - 1];
    let m = this.issued.get(ca);
    if (!m || m.n !== n || m.last !== last) {
      m = { n, last, set: new Set(ca.issued) };
      this.issued.set(ca, m);
    }
    return m.set;
  }
  /** a fresh OCSP answer (waits for the responder if the cache is stale; bounded by the client's timeout) */
  async ocspFresh(cert: { derB64: string; serial: string; caName: string }): Promise<'GOOD' | 'REVOKED' | 'UNKNOWN'> {
    const ca = this.caByName(cert.caName);
    if (!ca?.external) return this.ocsp(cert);
    const der = Buffer.from(cert.derB64, 'base64');
    const hash = certInfo(der).hash;
    const fresh = this.ocspClient.cached(hash);
    if (fresh) return fresh;
    if (!ca.ocspResponders?.length) return 'UNKNOWN';
    return this.ocspClient.query(hash, der, ca);
  }
  certExpired(c: CertState): boolean {
    const v = certValidity(c.derB64);
    const now = this.clock.now();
    return now > v.notAfter || now < v.notBefore;
  }
  ocspStatus(c: CertState): CertificateOcspStatus {
    if (!c.active) return 'DISABLED';
    if (this.certExpired(c)) return 'EXPIRED';
    const o = this.ocsp(c);
    return o === 'GOOD' ? 'OCSP_RESPONSE_GOOD' : o === 'REVOKED' ? 'OCSP_RESPONSE_REVOKED' : 'OCSP_RESPONSE_UNKNOWN';
  }
  /** the outage record (outages.ts): re-evaluated after every write, tick, clock move and revocation */
  private outageCache = new Map<string, ServerStatus>();
  private outagesAt = 0;
  /**
   * The referee (outages.ts). After a write on some servers only they are re-evaluated (the others'
   * status can change only with time or the global configuration, which the scheduler's evaluations
   * cover); without `only`, every server.
   */
  evaluateOutages(only?: string[]): boolean {
    if (!only) this.outagesAt = performance.now();
    const had = !!this.st.outages;
    const changed = evaluateOutages({
      st: this.st,
      now: () => this.clock.now(),
      certWorking: (ss, c) => this.certUsable(ss, c),
      cache: this.outageCache,
      ...(only ? { only: new Set(only) } : {}),
    });
    if (changed || !had) this.store.touch('outages');
    return changed;
  }
  certUsable(ss: SsState, c: CertState): boolean {
    return ss.loggedIn && c.active && c.status === 'REGISTERED' && !this.certExpired(c) && this.ocsp(c) === 'GOOD';
  }
  hasUsableAuth(ss: SsState): boolean {
    return ss.keys.some((k) => k.usage === 'AUTHENTICATION' && k.certs.some((c) => this.certUsable(ss, c)));
  }
  hasUsableSign(ss: SsState, memberId: string): boolean {
    return ss.keys.some((k) => k.usage === 'SIGNING' && k.certs.some((c) => c.ownerId === memberId && this.certUsable(ss, c)));
  }
  /** has_valid_local_sign_cert: REGISTERED + OCSP good (ignores active) */
  hasValidLocalSign(ss: SsState, memberId: string): boolean {
    return ss.keys.some(
      (k) =>
        k.usage === 'SIGNING' && k.certs.some((c) => c.ownerId === memberId && c.status === 'REGISTERED' && !this.certExpired(c) && this.ocsp(c) === 'GOOD'),
    );
  }
  requireSigner(ss: SsState, memberIds: string[], needAuth: boolean): void {
    if (needAuth && !this.hasUsableAuth(ss))
      throw new ApiError(500, 'management_request_sending_failed', ['Security server has no valid authentication certificate']);
    for (const m of memberIds) {
      if (!ss.loggedIn) throw new ApiError(500, 'management_request_sending_failed', [`Member '${m}' has no suitable certificates (token not logged in)`]);
      if (!this.hasUsableSign(ss, m)) throw new ApiError(500, 'management_request_sending_failed', [`Member '${m}' has no suitable certificates`]);
    }
  }

  memberName(ss: SsState | undefined, memberId: string): string | undefined {
    const gc = ss?.gc.downloaded ?? this.st.cs.published;
    return gc?.members.find((m) => m.id === memberId)?.name;
  }

  // ---------- views ----------
  certPossibleActions(ss: SsState, k: KeyState, c: CertState): PossibleAction[] {
    const a: PossibleAction[] = [];
    const unregisterable = k.usage === 'AUTHENTICATION' && (c.status === 'REGISTRATION_IN_PROGRESS' || c.status === 'REGISTERED');
    if (unregisterable) a.push('UNREGISTER');
    if (k.usage === 'AUTHENTICATION' && c.status === 'SAVED') a.push('REGISTER');
    if (k.usage) a.push(c.active ? 'DISABLE' : 'ACTIVATE');
    if (!unregisterable) a.push('DELETE');
    return a;
  }
  certView(ss: SsState, k: KeyState, c: CertState): TokenCertificate {
    const v: TokenCertificate = {
      ocsp_status: this.ocspStatus(c),
      owner_id: c.ownerId ?? '',
      active: c.active,
      saved_to_configuration: true,
      certificate_details: certificateDetails(Buffer.from(c.derB64, 'base64')),
      status: c.status,
      possible_actions: this.certPossibleActions(ss, k, c),
    };
    if (c.ocspVerifyBeforeActivationError) v.ocsp_verify_before_activation_error = c.ocspVerifyBeforeActivationError;
    return v;
  }
  keyPossibleActions(ss: SsState, k: KeyState): PossibleAction[] {
    const a: PossibleAction[] = ['DELETE', 'EDIT_FRIENDLY_NAME'];
    const free = k.certs.length === 0 && ss.loggedIn;
    if (free && (!k.usage || k.usage === 'AUTHENTICATION')) a.push('GENERATE_AUTH_CSR');
    if (free && (!k.usage || k.usage === 'SIGNING')) a.push('GENERATE_SIGN_CSR');
    return a;
  }
  keyView(ss: SsState, k: KeyState): Key {
    const v: Key = {
      id: k.id,
      name: k.name,
      label: k.label,
      certificates: k.certs.map((c) => this.certView(ss, k, c)),
      certificate_signing_requests: k.csrs.map((r) => ({
        id: r.id,
        owner_id: r.ownerId ?? '',
        certificate_profile: this.caByName(r.caName) ? profileClass(this.caByName(r.caName)!.profile) : undefined,
        possible_actions: ['DELETE'],
      })),
      available: true,
      saved_to_configuration: true,
      possible_actions: this.keyPossibleActions(ss, k),
      key_algorithm: 'RSA',
    };
    if (k.usage) v.usage = k.usage;
    return v;
  }
  tokenView(ss: SsState): Token {
    const pa: PossibleAction[] = [];
    if (ss.tokenInitialized) {
      if (ss.loggedIn) pa.push('LOGOUT', 'GENERATE_KEY', 'TOKEN_CHANGE_PIN');
      else pa.push('LOGIN');
      pa.push('EDIT_FRIENDLY_NAME');
    }
    return {
      id: '0',
      name: ss.tokenName,
      type: 'SOFTWARE',
      keys: ss.keys.map((k) => this.keyView(ss, k)),
      status: ss.tokenInitialized ? 'OK' : 'NOT_INITIALIZED',
      logged_in: ss.loggedIn,
      available: ss.tokenInitialized,
      saved_to_configuration: true,
      read_only: false,
      serial_number: `sandbox-${ss.name}`,
      token_infos: [],
      possible_actions: pa,
    };
  }

  findCert(ss: SsState, hash: string): { k: KeyState; c: CertState } | undefined {
    const h = hash.toUpperCase();
    for (const k of ss.keys) for (const c of k.certs) if (c.hash === h) return { k, c };
    return undefined;
  }
  findClient(ss: SsState, id: string): ClientState | undefined {
    return ss.clients.find((c) => clientIdOf(c) === id);
  }

  // ---------- CS: management requests ----------
  csMember(memberId: string) {
    const p = parseClientId(memberId);
    if (!p || p.subsystemCode || p.instance !== this.st.instance) return undefined;
    return this.st.cs.members.find((m) => m.memberClass === p.memberClass && m.memberCode === p.memberCode);
  }
  csServer(serverId: string): CsServer | undefined {
    return this.st.cs.servers.find((s) => serverIdOf(this.st.instance, s) === serverId);
  }

  /** Add a management request at the CS (both origins); throws the CS's ApiError on refusal. */
  csAddRequest(r: Omit<MgmtRequest, 'id' | 'createdAt' | 'updatedAt' | 'status'>): MgmtRequest {
    const cs = this.st.cs;
    const now = this.clock.now().toISOString();
    const parts = r.serverId.split(':');
    if (parts.length !== 4 || parts[0] !== this.st.instance) throw bad('invalid_encoded_id', r.serverId);
    const server = this.csServer(r.serverId);
    const req: MgmtRequest = { ...r, id: cs.requests.reduce((m, x) => Math.max(m, x.id), 0) + 1, createdAt: now, updatedAt: now };
    const pending = (pred: (x: MgmtRequest) => boolean) =>
      cs.requests.filter((x) => x.type === r.type && (x.status === 'WAITING' || x.status === 'SUBMITTED FOR APPROVAL') && pred(x));
    switch (r.type) {
      case 'AUTH_CERT_REGISTRATION_REQUEST': {
        const der = Buffer.from(r.authCertB64 ?? '', 'base64');
        let hash: string;
        try {
          hash = certInfo(der).hash;
        } catch {
          throw bad('management_request_invalid_auth_certificate');
        }
        if (!this.caOfCert(der)) throw bad('management_request_invalid_auth_certificate', 'unknown CA');
        if (cs.servers.some((s) => s.authCerts.some((c) => c.hash === hash))) throw conflict('management_request_security_server_exists', r.serverId);
        const same = pending((x) => x.authCertB64 === r.authCertB64);
        if (same.some((x) => x.origin === r.origin)) throw conflict('management_request_exists', String(same[0]!.id));
        return this.pairOrWait(req, same);
      }
      case 'CLIENT_REGISTRATION_REQUEST':
      case 'OWNER_CHANGE_REQUEST': {
        if (!server) throw conflict('management_request_server_not_found', r.serverId);
        const cid = parseClientId(r.clientId ?? '');
        if (!cid) throw bad('invalid_encoded_id', r.clientId ?? '');
        if (!this.csMember(memberIdOf(cid))) throw conflict('management_request_member_not_found', r.clientId!);
        if (r.type === 'CLIENT_REGISTRATION_REQUEST') {
          if (memberIdOf(cid) === `${this.st.instance}:${server.ownerClass}:${server.ownerCode}` && !cid.subsystemCode)
            throw bad('management_request_cannot_register_owner');
          if (server.clients.includes(r.clientId!)) throw conflict('management_request_client_already_registered', r.clientId!);
        }
        const same = pending((x) => x.serverId === r.serverId && x.clientId === r.clientId);
        if (same.some((x) => x.origin === r.origin)) throw conflict('management_request_exists', String(same[0]!.id));
        return this.pairOrWait(req, same);
      }
      case 'AUTH_CERT_DELETION_REQUEST': {
        if (!server) throw conflict('management_request_server_not_found', r.serverId);
        const der = Buffer.from(r.authCertB64 ?? '', 'base64');
        const hash = (() => {
          try {
            return certInfo(der).hash;
          } catch {
            throw bad('management_request_invalid_auth_certificate');
          }
        })();
        const waiting = cs.requests.filter(
          (x) =>
            x.type === 'AUTH_CERT_REGISTRATION_REQUEST' && (x.status === 'WAITING' || x.status === 'SUBMITTED FOR APPROVAL') && x.authCertB64 === r.authCertB64,
        );
        const onServer = server.authCerts.some((c) => c.hash === hash);
        if (!onServer && !waiting.length) throw conflict('management_request_invalid_auth_certificate', hash);
        server.authCerts = server.authCerts.filter((c) => c.hash !== hash);
        this.touchCsServer(server);
        for (const w of waiting) {
          w.status = 'REVOKED';
          w.updatedAt = now;
          this.touchRequest(w);
        }
        break;
      }
      case 'CLIENT_DELETION_REQUEST': {
        if (!server) throw conflict('management_request_server_not_found', r.serverId);
        const waiting = cs.requests.filter(
          (x) =>
            x.type === 'CLIENT_REGISTRATION_REQUEST' &&
            (x.status === 'WAITING' || x.status === 'SUBMITTED FOR APPROVAL') &&
            x.serverId === r.serverId &&
            x.clientId === r.clientId,
        );
        if (!server.clients.includes(r.clientId ?? '') && !waiting.length) throw conflict('management_request_server_client_not_found', r.clientId ?? '');
        server.clients = server.clients.filter((c) => c !== r.clientId);
        this.touchCsServer(server);
        for (const w of waiting) {
          w.status = 'REVOKED';
          w.updatedAt = now;
          this.touchRequest(w);
        }
        break;
      }
      case 'ADDRESS_CHANGE_REQUEST':
        if (!server) throw conflict('management_request_server_not_found', r.serverId);
        server.address = r.address ?? server.address;
        server.updatedAt = now;
        this.touchCsServer(server);
        break;
      case 'CLIENT_DISABLE_REQUEST':
      case 'CLIENT_ENABLE_REQUEST': {
        if (!server) throw conflict('management_request_server_not_found', r.serverId);
        server.disabled = (server.disabled ?? []).filter((c) => c !== r.clientId);
        if (r.type === 'CLIENT_DISABLE_REQUEST') server.disabled.push(r.clientId ?? '');
        this.touchCsServer(server);
        break;
      }
      case 'CLIENT_RENAME_REQUEST': {
        const cid = parseClientId(r.clientId ?? '');
        const m = cid && this.csMember(memberIdOf(cid));
        const sub = m?.subsystems.find((s) => s.code === cid?.subsystemCode);
        if (sub) sub.name = r.subsystemName;
        if (m) this.touchCsMember(m);
        break;
      }
      case 'MAINTENANCE_MODE_ENABLE_REQUEST':
      case 'MAINTENANCE_MODE_DISABLE_REQUEST':
        if (!server) throw conflict('management_request_server_not_found', r.serverId);
        server.maintenance = r.type === 'MAINTENANCE_MODE_ENABLE_REQUEST';
        server.maintenanceMessage = server.maintenance ? r.comments : undefined;
        this.touchCsServer(server);
        break;
    }
    cs.requests.push(req);
    this.csChanged();
    return req;
  }

  private pairOrWait(req: MgmtRequest, same: MgmtRequest[]): MgmtRequest {
    const cs = this.st.cs;
    const partner = same.find((x) => x.origin !== req.origin);
    cs.requests.push(req);
    if (partner && partner.origin === 'CENTER' && req.origin === 'SECURITY_SERVER') {
      // pre-approved from the CS side: the pairing approves at once
      req.status = 'WAITING';
      this.approve(req);
      partner.status = 'APPROVED';
      partner.updatedAt = req.updatedAt;
      this.touchRequest(partner);
    } else if (partner) {
      req.status = 'SUBMITTED FOR APPROVAL';
      partner.status = 'SUBMITTED FOR APPROVAL';
      this.touchRequest(partner);
    } else {
      req.status = 'WAITING';
      if (req.origin === 'SECURITY_SERVER' && this.canAutoApprove(req)) this.approve(req);
    }
    this.csChanged();
    return req;
  }

  /** [center] auto-approve-* (all default false): only when the member exists, and for clients also the server */
  private canAutoApprove(req: MgmtRequest): boolean {
    const aa = this.st.cs.autoApprove ?? {};
    const [, cls, code] = req.serverId.split(':');
    const ownerExists = !!this.csMember(`${this.st.instance}:${cls}:${code}`);
    if (req.type === 'AUTH_CERT_REGISTRATION_REQUEST') return !!aa.authCertRegistration && ownerExists;
    const cid = parseClientId(req.clientId ?? '');
    const memberExists = !!cid && !!this.csMember(memberIdOf(cid));
    if (req.type === 'CLIENT_REGISTRATION_REQUEST') return !!aa.clientRegistration && memberExists && !!this.csServer(req.serverId);
    if (req.type === 'OWNER_CHANGE_REQUEST') return !!aa.ownerChange && memberExists;
    return false;
  }

  /** Execute an approvable request (status must be WAITING / SUBMITTED FOR APPROVAL). */
  approve(req: MgmtRequest): void {
    const cs = this.st.cs;
    const now = this.clock.now().toISOString();
    if (req.status !== 'WAITING' && req.status !== 'SUBMITTED FOR APPROVAL') throw conflict('management_request_invalid_state_for_approval', String(req.id));
    const [, cls, code, serverCode] = req.serverId.split(':') as [string, string, string, string];
    if (req.type === 'AUTH_CERT_REGISTRATION_REQUEST') {
      let m = this.csMember(`${this.st.instance}:${cls}:${code}`);
      if (!m) {
        m = { memberClass: cls, memberCode: code, name: code, createdAt: now, subsystems: [] };
        cs.members.push(m);
      }
      this.touchCsMember(m);
      let s = this.csServer(req.serverId);
      if (!s) {
        s = {
          ownerClass: cls,
          ownerCode: code,
          serverCode,
          address: req.address ?? '',
          authCerts: [],
          clients: [],
          createdAt: now,
          updatedAt: now,
          maintenance: false,
        };
        cs.servers.push(s);
      }
      this.touchCsServer(s);
      const der = Buffer.from(req.authCertB64 ?? '', 'base64');
      const hash = certInfo(der).hash;
      if (!s.authCerts.some((c) => c.hash === hash))
        s.authCerts.push({ id: cs.servers.reduce((mx, x) => Math.max(mx, ...x.authCerts.map((c) => c.id)), 0) + 1, derB64: req.authCertB64!, hash });
      const owners = cs.globalGroups.find((g) => g.code === 'security-server-owners');
      const oid = `${this.st.instance}:${cls}:${code}`;
      if (owners && !owners.members.includes(oid)) owners.members.push(oid);
    } else if (req.type === 'CLIENT_REGISTRATION_REQUEST') {
      const s = this.csServer(req.serverId);
      if (!s) throw conflict('management_request_server_not_found', req.serverId);
      const cid = parseClientId(req.clientId!)!;
      const m = this.csMember(memberIdOf(cid));
      if (!m) throw conflict('management_request_member_not_found', req.clientId!);
      if (cid.subsystemCode && !m.subsystems.some((x) => x.code === cid.subsystemCode))
        m.subsystems.push({ code: cid.subsystemCode, name: req.subsystemName, createdAt: now });
      if (!s.clients.includes(req.clientId!)) s.clients.push(req.clientId!);
      this.touchCsMember(m);
      this.touchCsServer(s);
    } else if (req.type === 'OWNER_CHANGE_REQUEST') {
      const s = this.csServer(req.serverId);
      const cid = parseClientId(req.clientId!)!;
      if (s) {
        const oldOwner = `${this.st.instance}:${s.ownerClass}:${s.ownerCode}`;
        s.ownerClass = cid.memberClass;
        s.ownerCode = cid.memberCode;
        s.clients = s.clients.filter((c) => c !== req.clientId);
        if (!s.clients.includes(oldOwner)) s.clients.push(oldOwner);
        this.touchCsServer(s);
      }
    } else throw new ApiError(403);
    req.status = 'APPROVED';
    req.updatedAt = now;
    this.touchRequest(req);
    this.csChanged();
  }
}

export function profileClass(p: string): string {
  return profileOf(p).className;
}

export function sha224Hex(b: Buffer): string {
  return createHash('sha224').update(b).digest('hex').toUpperCase();
}
export function pinHash(pin: string): string {
  return createHash('sha256')
    .update('xrdctl-sandbox-pin:' + pin)
    .digest('hex');
}

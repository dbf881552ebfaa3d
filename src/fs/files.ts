import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { FileError } from '../errors/index.js';

/**
 * The one place xrdctl reads and writes files it is handed or owns.
 *
 * Reads: only regular files (a FIFO, a device such as /dev/zero, a process substitution or a
 * socket is refused before a byte is read), the size cap is checked before reading, and the read
 * itself stops at the cap (a file that grows while it is read is refused, not followed).
 *
 * Writes: a temporary file in the same folder, created with O_CREAT|O_EXCL|O_NOFOLLOW and the
 * final mode (0600 unless told otherwise, whatever the umask), written, fsync'd, then renamed over
 * the target: a reader never sees half a file, a crash leaves the old file, and an existing file's
 * mode is replaced with the new one. A symbolic link at the target is refused, never followed.
 */

export const MiB = 1024 * 1024;

/** Caps for what xrdctl reads (bytes). */
export const READ_LIMITS = {
  manifest: 5 * MiB,
  plan: 20 * MiB,
  contexts: 1 * MiB,
  secret: 64 * 1024,
  certificate: 1 * MiB,
  key: 1 * MiB,
  caBundle: 4 * MiB,
} as const;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? 'error';
}

export interface ReadOptions {
  /** refuse files larger than this many bytes */
  maxBytes: number;
  /** what the file is, for messages: 'manifest', 'secret file', 'certificate' */
  what: string;
}

/**
 * Read a regular file, at most maxBytes. Opening uses O_NONBLOCK so that a FIFO given by mistake
 * (or on purpose) cannot hang the open; fstat on the opened descriptor decides, so a path swapped
 * between a check and the open is judged by what was actually opened.
 */
export function readBoundedFile(path: string, opts: ReadOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = errCode(e);
    throw new FileError(path, code === 'EISDIR' ? `${opts.what} is a directory` : `cannot read: ${code}`, {
      hint: code === 'EACCES' ? 'check the permissions of the file and its folders' : undefined,
      errno: code,
    });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new FileError(path, `${opts.what} is ${kindOf(st)}; only regular files are read`, { hint: 'save it to a file first and pass that file' });
    if (st.size > opts.maxBytes) throw new FileError(path, `${opts.what} is ${st.size} bytes; at most ${opts.maxBytes} are read`);
    const buf = Buffer.allocUnsafe(Math.min(opts.maxBytes + 1, Math.max(st.size + 1, 1)));
    let n = 0;
    // bounded: every round reads at least one byte or ends; at most maxBytes + 1 bytes in all
    for (let round = 0; round < 1_000_000; round++) {
      if (n >= buf.length) break;
      let got: number;
      try {
        got = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        if (errCode(e) === 'EAGAIN') continue;
        throw e;
      }
      if (got === 0) break;
      n += got;
    }
    if (n > opts.maxBytes || (n === buf.length && n > st.size)) {
      // the file grew while we read it: refuse rather than chase it
      throw new FileError(path, `${opts.what} grew while it was read; at most ${opts.maxBytes} bytes are read`);
    }
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, `cannot read ${opts.what}: ${errCode(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** readBoundedFile as UTF-8 text. */
export function readBoundedText(path: string, opts: ReadOptions): string {
  return readBoundedFile(path, opts).toString('utf8');
}

export interface WriteTarget {
  /** replace an existing regular file (otherwise an existing file is an error) */
  overwrite?: boolean;
  /** what the file is, for messages: 'private key', 'CSR', 'contexts file' */
  what?: string;
  /** the flag that allows overwriting, for the hint (default --force) */
  overwriteFlag?: string;
}

/**
 * Check, before anything else happens, that path can be written: its folder exists and is a
 * folder, and the path is not a symbolic link, a directory or a special file (and does not exist,
 * unless overwrite). Commands call this before they change anything on a server, so a bad --out
 * fails first instead of leaving an orphan behind.
 */
export function checkWriteTarget(path: string, opts: WriteTarget = {}): void {
  const what = opts.what ?? 'file';
  const dir = dirname(path);
  let dst: Stats;
  try {
    dst = statSync(dir);
  } catch (e) {
    throw new FileError(path, errCode(e) === 'ENOENT' ? `folder ${dir} does not exist` : `cannot use folder ${dir}: ${errCode(e)}`, {
      hint: 'create the folder first, or pick another path',
    });
  }
  if (!dst.isDirectory()) throw new FileError(path, `${dir} is not a folder`);
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw new FileError(path, `cannot use ${path}: ${errCode(e)}`);
  }
  if (!st) return;
  if (st.isSymbolicLink())
    throw new FileError(path, `is a symbolic link; refusing to write a ${what} through it`, { hint: 'remove the link or write to the real path' });
  if (!st.isFile()) throw new FileError(path, `is ${kindOf(st)}; a ${what} is written to a regular file only`);
  if (!opts.overwrite) throw new FileError(path, 'exists', { hint: `pass ${opts.overwriteFlag ?? '--force'} to overwrite it` });
}

export interface WriteOptions extends WriteTarget {
  /** final mode of the file (default 0600) */
  mode?: number;
  /** fsync the file and its folder (default true); false keeps the atomicity (rename) and skips the disk flush */
  durable?: boolean;
}

/**
 * Write a file atomically with a fixed mode (default 0600). Without overwrite the final step is
 * link(2), which fails if the name exists: O_EXCL semantics for the target too.
 */
export function writeFileSafe(path: string, data: string | Uint8Array, opts: WriteOptions = {}): void {
  const mode = opts.mode ?? 0o600;
  checkWriteTarget(path, opts);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (e) {
    throw new FileError(path, `cannot create a file in ${dirname(path)}: ${errCode(e)}`);
  }
  let moved = false;
  try {
    fchmodSync(fd, mode); // the umask may have taken bits away; never added any
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (opts.durable !== false) fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    if (opts.overwrite) {
      // rename replaces a link at the target, never writes through it
      renameSync(tmp, path);
      moved = true;
    } else {
      try {
        linkSync(tmp, path);
      } catch (e) {
        if (errCode(e) === 'EEXIST') throw new FileError(path, 'exists', { hint: `pass ${opts.overwriteFlag ?? '--force'} to overwrite it` });
        throw e;
      }
    }
    if (opts.durable !== false) fsyncDir(dirname(path));
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(path, `cannot write ${opts.what ?? 'file'}: ${errCode(e)}`);
  } finally {
    if (fd! >= 0) closeSync(fd!);
    if (!moved) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
    }
  }
}

function fsyncDir(dir: string): void {
  try {
    const d = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    /* some filesystems refuse fsync on folders; the rename is still atomic */
  }
}

/**
 * Refuse a file or folder that others can change (as ssh does): writable by group or others, or
 * owned by another user (root excepted). Whoever can write the contexts file chooses where the API
 * key is sent.
 */
export function checkPrivate(path: string, what: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    if (errCode(e) === 'ENOENT') return;
    throw new FileError(path, `cannot check ${what}: ${errCode(e)}`);
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
    throw new FileError(path, `${what} is owned by another user (uid ${st.uid}); refusing to use it`, {
      hint: `chown it to yourself, or point XRDCTL_CONFIG_DIR at a folder of your own`,
    });
  }
  if (st.mode & 0o022) {
    const perm = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new FileError(path, `${what} is writable by ${st.mode & 0o002 ? 'others' : 'group'} (mode ${perm}); refusing to use it`, {
      hint: `chmod go-w '${path}' (whoever can change it chooses where your API keys are sent)`,
    });
  }
}

export interface LockOptions {
  /** give up after this long (ms) */
  timeoutMs?: number;
  /** a lock older than this (ms) is stale even if its pid lives (pid reuse) */
  staleMs?: number;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Run fn holding an exclusive lock file (O_EXCL; content: pid and time). A lock whose process is
 * gone, or that is older than staleMs, is broken; otherwise we wait, bounded by timeoutMs.
 */
/** create lockPath holding token, atomically; false when it exists */
function takeLock(lockPath: string, token: string): boolean {
  const tmp = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, token);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, lockPath);
    return true;
  } catch (e) {
    if (errCode(e) === 'EEXIST') return false;
    throw new FileError(lockPath, `cannot create lock: ${errCode(e)}`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* not created */
    }
  }
}

export async function withFileLock<T>(lockPath: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const staleMs = opts.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const token = `${process.pid} ${Date.now()} ${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    // the lock appears with its owner in it (written aside, then link(2), which fails if the name exists): a
    // reader never sees an empty lock, which it could take for a stale one and break while its owner holds it
    if (takeLock(lockPath, token)) break;
    let content = '';
    let mtime = Date.now();
    try {
      content = readBoundedText(lockPath, { maxBytes: 256, what: 'lock file' });
      mtime = lstatSync(lockPath).mtimeMs;
    } catch {
      continue; // released meanwhile (or not a lock we understand yet): try again
    }
    const pid = Number(content.split(' ')[0]);
    const since = Number(content.split(' ')[1]) || mtime;
    // a lock whose owner cannot be read (another tool's, a truncated file) is judged by its age alone
    const alive = Number.isInteger(pid) && pid > 0 ? pidAlive(pid) : Date.now() - mtime <= staleMs;
    if (!alive || Date.now() - since > staleMs) {
      // stale: move it aside under a unique name, so two breakers cannot both remove a fresh lock
      const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
      try {
        renameSync(lockPath, aside);
        const moved = readBoundedText(aside, { maxBytes: 256, what: 'lock file' });
        if (moved !== content) {
          // we moved someone's fresh lock: put it back if the name is still free
          try {
            linkSync(aside, lockPath);
          } catch {
            /* a third process holds it now */
          }
        }
        unlinkSync(aside);
      } catch {
        /* someone else broke or released it */
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new FileError(lockPath, `locked by process ${pid} for ${Math.round((Date.now() - since) / 1000)} s`, {
        hint: `wait for it to finish; if no xrdctl is running, remove ${lockPath}`,
      });
    }
    await sleep(Math.min(10 + attempt * 5, 100) + Math.floor(Math.random() * 10));
  }
  try {
    return await fn();
  } finally {
    try {
      if (readBoundedText(lockPath, { maxBytes: 256, what: 'lock file' }) === token) unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  }
}

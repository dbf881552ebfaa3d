import { Config, run } from '@oclif/core';
import { repoRoot, type CliResult } from './cli.js';

let config: Config | undefined;
/** runs are queued: a caller that gave up waiting (a fuzzer's time limit) cannot overlap the next */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Run the built CLI (dist/) in this process: the same commands, flags, output layer and exit codes
 * as bin/run.js, without a node start per run. For tables of many short runs (the fault matrix);
 * runs are serialised (stdout, stderr, the environment and the exit code are the process's).
 */
export function runInProcess(args: string[], env: Record<string, string | undefined> = {}, cwd?: string): Promise<CliResult> {
  const next = queue.then(() => (cwd ? inDir(cwd, () => runOne(args, env)) : runOne(args, env)));
  queue = next.catch(() => undefined);
  return next;
}

async function inDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}

async function runOne(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  config ??= await Config.load({ root: repoRoot });
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries({ CI: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env })) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => (
    out.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => (
    err.push(typeof c === 'string' ? c : Buffer.from(c).toString('utf8')),
    true
  )) as typeof process.stderr.write;
  process.exitCode = undefined;
  let exitCode = 0;
  try {
    await run(args, config);
    exitCode = Number(process.exitCode ?? 0);
  } catch (e) {
    const oclif = (e as { oclif?: { exit?: number } }).oclif;
    exitCode = oclif?.exit ?? -1;
    err.push(String((e as Error).stack ?? e));
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const stdout = out.join('');
  return { exitCode, stdout, stderr: err.join(''), json: () => JSON.parse(stdout) };
}

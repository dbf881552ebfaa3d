import { InterruptedError, redact } from '../errors/index.js';

/**
 * Process-wide state of the one HTTP layer that the command line sets: the request trace
 * (--verbose, XRDCTL_DEBUG=http) and the interruption (SIGINT, SIGTERM). Every client checks them,
 * whichever service made it.
 */

/** one line per exchange: method, path, status, milliseconds (no header, no body) */
let traceSink: ((line: string) => void) | undefined;
let stopSignal: NodeJS.Signals | undefined;
let stopStep: string | undefined;
let lastStep: string | undefined;

export function setHttpTrace(fn: ((line: string) => void) | undefined): void {
  traceSink = fn;
}

/** XRDCTL_DEBUG=http (or a list naming http, or *) turns the trace on like --verbose. */
export function httpTraceWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.XRDCTL_DEBUG ?? '').split(/[\s,]+/).some((s) => s === 'http' || s === '*' || s === 'all');
}

export function traceExchange(server: string, method: string, path: string, status: number | string, ms: number): void {
  if (!traceSink) return;
  // a path can carry a query value: the redaction of every registered secret applies to it as to everything else
  traceSink(redact(`http ${server} ${method} ${path} → ${status} (${Math.round(ms)} ms)`));
}

/** Ask every client to stop after the request in flight: later requests are refused. */
export function requestStop(signal: NodeJS.Signals): void {
  stopSignal ??= signal;
}

export function stopRequested(): NodeJS.Signals | undefined {
  return stopSignal;
}

/** The step of the first request refused after the stop (or of the last one sent). */
export function stoppedAt(): string | undefined {
  return stopStep ?? lastStep;
}

/** Called before each request: refuses it once a stop was asked for. */
export function checkStop(server: string, step: string): void {
  if (stopSignal) {
    stopStep ??= `${server} ${step}`;
    throw new InterruptedError(stopSignal, stopStep);
  }
  lastStep = `${server} ${step}`;
}

/** for tests running the CLI in one process */
export function resetStop(): void {
  stopSignal = undefined;
  stopStep = undefined;
  lastStep = undefined;
}

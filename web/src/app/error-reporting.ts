/**
 * Reports the app's uncaught errors to the server (POST /api/client-errors), so a bug seen only on
 * someone's phone leaves a trace: the error's name, its stack frames, the app version, the page's
 * path and the id of the request that failed, if the error carries one. Never the message, which
 * can quote what the person wrote. At most a few reports a minute, so a loop of errors cannot
 * flood the server or the person's data plan.
 */

export interface ClientErrorReport {
  appVersion: string;
  kind: 'error' | 'unhandledrejection';
  name: string;
  stack?: string;
  path?: string;
  requestId?: string;
}

export interface ErrorReporterOptions {
  appVersion: string;
  send: (body: string) => void;
  now: () => number;
  maxPerMinute?: number;
}

/** The frames of a stack, without its first line (V8 repeats "Name: message" there). */
function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at\s/.test(line) || /@\S+:\d+/.test(line));
  return frames.length ? frames.join('\n').slice(0, 4000) : undefined;
}

export function reportOf(kind: ClientErrorReport['kind'], error: unknown, appVersion: string, path: string): ClientErrorReport {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; stack?: unknown; requestId?: unknown };
  const report: ClientErrorReport = {
    appVersion,
    kind,
    name: typeof e.name === 'string' && e.name ? e.name.slice(0, 100) : typeof error,
    path: path.slice(0, 200),
  };
  const stack = framesOf(e.stack);
  if (stack) report.stack = stack;
  if (typeof e.requestId === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(e.requestId)) report.requestId = e.requestId;
  return report;
}

export function createErrorReporter(options: ErrorReporterOptions) {
  const limit = options.maxPerMinute ?? 5;
  let sent: number[] = [];
  return {
    /** Sends a report unless `limit` were sent in the last minute; returns whether it was sent. */
    report(kind: ClientErrorReport['kind'], error: unknown, path: string): boolean {
      const now = options.now();
      sent = sent.filter((t) => now - t < 60_000);
      if (sent.length >= limit) return false;
      sent.push(now);
      options.send(JSON.stringify(reportOf(kind, error, options.appVersion, path)));
      return true;
    },
  };
}

/** Listens for the window's uncaught errors and unhandled rejections. */
export function installErrorReporting(target: Window, appVersion: string): void {
  const reporter = createErrorReporter({
    appVersion,
    now: () => Date.now(),
    send(body) {
      const blob = new Blob([body], { type: 'application/json' });
      if (!target.navigator.sendBeacon?.('/api/client-errors', blob)) {
        void fetch('/api/client-errors', { method: 'POST', body, headers: { 'content-type': 'application/json' }, keepalive: true }).catch(
          () => {},
        );
      }
    },
  });
  target.addEventListener('error', (event) => reporter.report('error', event.error ?? { name: 'Error' }, target.location.pathname));
  target.addEventListener('unhandledrejection', (event) => reporter.report('unhandledrejection', event.reason, target.location.pathname));
}

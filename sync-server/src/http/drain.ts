/**
 * Graceful shutdown of the HTTP side. Once draining: every answer says `Connection: close` (so a
 * kept-alive connection is not reused), a request that arrives now is refused with `503
 * unavailable` (the client tries again, on another instance), `/api/ready` included, and the
 * requests already running are left to finish: their waits on Postgres are bounded by the
 * statement and query timeouts, and `graceMs` bounds the whole drain should anything else hang.
 */
import { ErrorCode } from '@duet/shared';
import type http from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { TimerHandle, Timers } from '../clock.ts';
import { ApiError } from './api-error.ts';

/** How long idle kept-alive connections stay open once draining (see drain). */
const KEEP_ALIVE_LINGER_MS = 1000;

export class Drain {
  private draining = false;
  private readonly inFlight = new Set<Response>();
  private idle: (() => void) | null = null;

  constructor(private readonly timers: Timers) {}

  get active(): boolean {
    return this.draining;
  }

  /** First in the chain: counts what runs, refuses what comes after the drain began. */
  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.draining) {
      next(
        new ApiError(503, ErrorCode.unavailable, 'the server is shutting down; try again', undefined, {
          Connection: 'close',
          'Retry-After': '1',
        }),
      );
      return;
    }
    this.inFlight.add(res);
    res.once('close', () => {
      this.inFlight.delete(res);
      if (this.inFlight.size === 0) this.idle?.();
    });
    next();
  };

  /**
   * Lets the running requests finish (at most graceMs, at least a short linger), then stops taking
   * connections and closes what is left (idle connections, refused latecomers). `closed` is the server's close,
   * which also waits for upgraded sockets (WebSockets): close those meanwhile.
   */
  async drain(server: http.Server, graceMs: number): Promise<{ closed: Promise<void> }> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    // Idle kept-alive connections stay open a moment: one closed now could cross a request its
    // client is sending on it (a reset, not an answer). Meanwhile a request on one is answered 503
    // with Connection: close, which closes it; what is still idle after the linger is closed. So the
    // server stops listening only then (its close() also closes idle connections); a connection
    // opened meanwhile is answered 503 like the rest.
    let timer: TimerHandle | undefined;
    let lingerTimer: TimerHandle | undefined;
    const idle = this.inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.idle = resolve));
    const linger = new Promise<void>((resolve) => {
      lingerTimer = this.timers.setTimeout(resolve, Math.min(KEEP_ALIVE_LINGER_MS, graceMs));
    });
    await Promise.race([
      Promise.all([idle, linger]),
      new Promise<void>((resolve) => {
        timer = this.timers.setTimeout(resolve, graceMs);
      }),
    ]);
    this.timers.clearTimeout(timer);
    this.timers.clearTimeout(lingerTimer);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    return { closed };
  }
}

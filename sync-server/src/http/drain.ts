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
import type { Timers } from '../clock.ts';
import { ApiError } from './api-error.ts';

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
      next(new ApiError(503, ErrorCode.unavailable, 'the server is shutting down; try again', undefined, { Connection: 'close', 'Retry-After': '1' }));
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
   * Stops taking connections, lets the running requests finish (at most graceMs), then closes what
   * is left (idle connections, refused latecomers). `closed` is the server's close,
   * which also waits for upgraded sockets (WebSockets): close those meanwhile.
   */
  async drain(server: http.Server, graceMs: number): Promise<{ closed: Promise<void> }> {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.idle = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = this.timers.setTimeout(resolve, graceMs);
        }),
      ]);
      this.timers.clearTimeout(timer);
    }
    server.closeAllConnections();
    return { closed };
  }
}

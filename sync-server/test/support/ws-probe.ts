/**
 * A WebSocket client for black-box tests of GET /api/sync/ws: records every server frame (validated
 * against the protocol's frame shapes) with the time it arrived, and waits for frames or the close.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { z } from 'zod';
import type { HasUrl } from './api.ts';

export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('poke') }).strict(),
  z
    .object({
      type: z.literal('presence'),
      userId: z.string(),
      state: z.enum(['online', 'offline', 'typing']),
      conversationId: z.string().optional(),
      activity: z.enum(['recording', 'reviewing', 'idle']).optional(),
      lastSeen: z.number().int().nonnegative().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('job'),
      transcriptId: z.string(),
      submission: z.number().int().nonnegative(),
      status: z.enum(['queued', 'processing', 'done', 'failed']),
      progress: z.number().min(0).max(1).optional(),
    })
    .strict(),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

export interface Received {
  frame: ServerFrame;
  /** performance.now() when it arrived. */
  at: number;
  index: number;
}

export interface Closed {
  code: number;
  reason: string;
}

export const wsUrlOf = (server: HasUrl) => `${server.url.replace(/^http/, 'ws')}/api/sync/ws`;

const DEFAULT_WAIT_MS = 5000;

export class WsProbe {
  readonly received: Received[] = [];
  /** Frames that did not match the protocol (must stay empty). */
  readonly malformed: string[] = [];
  private closedWith: Closed | null = null;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const text = (data as Buffer).toString();
      let parsed: ReturnType<typeof ServerFrameSchema.safeParse>;
      try {
        parsed = ServerFrameSchema.safeParse(JSON.parse(text));
      } catch {
        this.malformed.push(text);
        return this.wake();
      }
      if (parsed.success) this.received.push({ frame: parsed.data, at: performance.now(), index: this.received.length });
      else this.malformed.push(text);
      this.wake();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closedWith = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => {});
  }

  /** Opens a socket to the server's /api/sync/ws (no auth yet). */
  static open(server: HasUrl, timeoutMs = DEFAULT_WAIT_MS): Promise<WsProbe> {
    const ws = new WebSocket(wsUrlOf(server));
    const probe = new WsProbe(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`WebSocket did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(probe);
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Opens a socket, sends the auth frame and waits for the poke the server sends after a good auth. */
  static async authed(server: HasUrl, token: string, timeoutMs = DEFAULT_WAIT_MS): Promise<WsProbe> {
    const probe = await WsProbe.open(server, timeoutMs);
    probe.send({ type: 'auth', token });
    await probe.waitFor((f) => f.type === 'poke', { what: 'the poke that follows a good auth', timeoutMs });
    return probe;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  get closed(): Closed | null {
    return this.closedWith;
  }

  /** How many frames arrived so far: pass as `after` to wait only for later ones. */
  get mark(): number {
    return this.received.length;
  }

  frames(after = 0, predicate: (f: ServerFrame) => boolean = () => true): ServerFrame[] {
    return this.received
      .slice(after)
      .map((r) => r.frame)
      .filter(predicate);
  }

  pokes(after = 0): number {
    return this.frames(after, (f) => f.type === 'poke').length;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private until<T>(check: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return false;
        this.waiters.delete(attempt);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(attempt);
        reject(new Error(describe()));
      }, timeoutMs);
      if (!attempt()) this.waiters.add(attempt);
    });
  }

  /** The first frame at index >= `after` matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (f: ServerFrame) => boolean, options: { after?: number; timeoutMs?: number; what?: string } = {}): Promise<Received> {
    const after = options.after ?? 0;
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return this.until(
      () => this.received.find((r) => r.index >= after && predicate(r.frame)),
      timeoutMs,
      () =>
        `no ${options.what ?? 'matching frame'} within ${timeoutMs} ms; frames since #${after}: ` +
        `${JSON.stringify(this.frames(after))}; closed: ${JSON.stringify(this.closedWith)}`,
    );
  }

  /** Waits for the server to close the socket. */
  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<Closed> {
    return this.until(
      () => this.closedWith ?? undefined,
      timeoutMs,
      () => `socket still open after ${timeoutMs} ms; frames: ${JSON.stringify(this.frames())}`,
    );
  }

  /** Closes from the client side and waits until the close completes. */
  async close(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    if (this.closedWith) return;
    this.ws.close(1000, 'test done');
    await this.waitForClose(timeoutMs).catch(() => this.ws.terminate());
  }
}

/** Closes every probe given, ignoring ones that are already closed. */
export async function closeAll(probes: ReadonlyArray<WsProbe | undefined>): Promise<void> {
  await Promise.all(probes.map((p) => (p ? p.close() : Promise.resolve())));
}

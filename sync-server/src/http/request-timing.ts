/**
 * Where a request's time goes: every Postgres query and cache call made on its behalf adds its
 * duration to the request's account (found through AsyncLocalStorage, so the repositories need not
 * pass it along), and the answer says it in a `Server-Timing` header (db, cache, total). Each query
 * is also timed by name in a histogram, and one slower than the threshold is logged with its name.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import type { KvStore } from '../cache/kv.ts';

export interface RequestAccount {
  started: number;
  dbMs: number;
  cacheMs: number;
  /** Set by the request timeout: the request was answered 503, its work must not commit. */
  timedOut: boolean;
  /** Set by a writer about to COMMIT: too late for the timeout to answer for it. */
  committing: boolean;
}

const MAX_QUERY_NAMES = 200;

/**
 * A short, stable name for a statement, for the histogram's label: its own (a leading comment,
 * `/* push_end *\/`), a function's name, or the
 * statement's verb and first table (`insert entities`, `select spaces`), or its first word.
 */
export function queryName(text: string): string {
  const named = /^\s*\/\*\s*([a-z_]+)\s*\*\//i.exec(text);
  if (named?.[1]) return named[1];
  const fn = /\bFROM\s+(duet_[a-z_]+)\s*\(/i.exec(text);
  if (fn?.[1]) return fn[1].toLowerCase();
  const body = text.replace(/^\s*WITH\s+[\s\S]*?\bAS\s*\(/i, '');
  const write = /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([a-z_.]+)/i.exec(body);
  if (write?.[1] && write[2]) return `${write[1].split(/\s+/)[0]?.toLowerCase()} ${write[2].toLowerCase()}`;
  const read = /\bFROM\s+"?([a-z_.]+)/i.exec(body);
  if (/^\s*SELECT/i.test(body) && read?.[1]) return `select ${read[1].toLowerCase()}`;
  return (/^\s*([a-z]+)/i.exec(text)?.[1] ?? 'other').toLowerCase();
}

export class RequestTiming {
  private readonly storage = new AsyncLocalStorage<RequestAccount>();
  private readonly names = new Map<string, string>();

  constructor(
    private readonly queries: Histogram<'query'>,
    private readonly slowQueryMs: number,
    private readonly logger: Logger,
  ) {}

  /** The account of the request this code runs for, if any. */
  current(): RequestAccount | undefined {
    return this.storage.getStore();
  }

  /** Middleware: opens the request's account and writes Server-Timing when the answer's head goes out. */
  middleware = (_req: Request, res: Response, next: NextFunction): void => {
    const account: RequestAccount = { started: performance.now(), dbMs: 0, cacheMs: 0, timedOut: false, committing: false };
    // Called with the response as `this`, below.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (!this.headersSent) {
        const total = performance.now() - account.started;
        this.setHeader(
          'Server-Timing',
          `db;dur=${account.dbMs.toFixed(1)}, cache;dur=${account.cacheMs.toFixed(1)}, total;dur=${total.toFixed(1)}`,
        );
      }
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    this.storage.run(account, next);
  };

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = this.names.size < MAX_QUERY_NAMES ? queryName(text) : 'other';
      this.names.set(text, name);
    }
    return name;
  }

  private noteQuery(text: string, ms: number, account: RequestAccount | undefined): void {
    const name = this.nameOf(text);
    this.queries.observe({ query: name }, ms / 1000);
    if (account) account.dbMs += ms;
    if (ms >= this.slowQueryMs) this.logger.warn({ query: name, ms: Math.round(ms) }, 'slow query');
  }

  /**
   * Times every promise-style query: pool.query (its wait for a connection included) and the
   * queries of checked-out connections (transactions). pool.query runs its connection's query with
   * a callback, which is not timed again. The request's account is taken when the query is made:
   * pg-pool may call back in another request's context.
   */
  instrumentPool(pool: pg.Pool): void {
    this.wrapQuery(pool);
    pool.on('connect', (client) => this.wrapQuery(client));
  }

  private wrapQuery(target: pg.Pool | pg.ClientBase): void {
    const original = target.query.bind(target) as (...args: unknown[]) => unknown;
    (target as { query: unknown }).query = (...args: unknown[]) => {
      const [config] = args;
      const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
      // Callback and Submittable forms (streams, cursors) go through untimed.
      if (typeof text !== 'string' || args.some((a) => typeof a === 'function')) return original(...args);
      const account = this.storage.getStore();
      const started = performance.now();
      const note = () => this.noteQuery(text, performance.now() - started, account);
      return (original(...args) as Promise<unknown>).then(
        (value) => {
          note();
          return value;
        },
        (error: unknown) => {
          note();
          throw error;
        },
      );
    };
  }

  /** The cache's store, with each call's time added to the request's account. */
  timeKv(kv: KvStore): KvStore {
    return new Proxy(kv, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const account = this.storage.getStore();
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!account || !(result instanceof Promise)) return result;
          const started = performance.now();
          return result.finally(() => (account.cacheMs += performance.now() - started));
        };
      },
    });
  }
}

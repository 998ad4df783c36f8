/** Prometheus metrics on a registry of the app's own (no global default registry). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  pushedMutations: Counter<'status'>;
  pushes: Counter;
  pulls: Counter;
  pulledChanges: Counter;
  cacheRequests: Counter<'cache' | 'result'>;
  /** Postgres statements by name (http/request-timing.ts). */
  dbQueries: Histogram<'query'>;
  pokes: Counter;
  sockets: Gauge;
  /** Requests answered 500 internal: bugs, not outages. */
  internalErrors: Counter;
}

export function createMetrics(pool: pg.Pool): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const poolGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  poolGauge('duet_pg_pool_total', 'Postgres connections open in the pool', () => pool.totalCount);
  poolGauge('duet_pg_pool_idle', 'Postgres connections idle in the pool', () => pool.idleCount);
  poolGauge('duet_pg_pool_waiting', 'requests waiting for a Postgres connection', () => pool.waitingCount);
  const checkouts = new Counter({
    name: 'duet_pg_checkouts_total',
    help: 'Postgres connections taken from the pool (one per query or transaction)',
    registers: [registry],
  });
  pool.on('acquire', () => checkouts.inc());
  const cacheRequests = new Counter({
    name: 'duet_cache_requests_total',
    help: 'cache look-ups by cache (token, spaces, heads, pull, stats) and result (hit, miss)',
    labelNames: ['cache', 'result'],
    registers: [registry],
  });
  new Gauge({
    name: 'duet_cache_hit_ratio',
    help: 'hits over look-ups since the process started, by cache',
    labelNames: ['cache'],
    registers: [registry],
    async collect() {
      const counts = new Map<string, { hit: number; miss: number }>();
      for (const { labels, value } of (await cacheRequests.get()).values) {
        const cache = String(labels.cache);
        const entry = counts.get(cache) ?? { hit: 0, miss: 0 };
        if (labels.result === 'hit') entry.hit += value;
        else entry.miss += value;
        counts.set(cache, entry);
      }
      for (const [cache, { hit, miss }] of counts) if (hit + miss > 0) this.set({ cache }, hit / (hit + miss));
    },
  });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'duet_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pushedMutations: new Counter({
      name: 'duet_push_mutations_total',
      help: 'pushed mutations by result',
      labelNames: ['status'],
      registers: [registry],
    }),
    pushes: new Counter({ name: 'duet_push_requests_total', help: 'push requests answered 200', registers: [registry] }),
    pulls: new Counter({ name: 'duet_pull_requests_total', help: 'pull requests answered 200', registers: [registry] }),
    pulledChanges: new Counter({ name: 'duet_pull_changes_total', help: 'changes delivered by pulls', registers: [registry] }),
    cacheRequests,
    dbQueries: new Histogram({
      name: 'duet_db_query_duration_seconds',
      help: 'Postgres statements by name (a function, or verb and first table), including the round trip',
      labelNames: ['query'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    pokes: new Counter({ name: 'duet_ws_pokes_total', help: 'pokes sent to WebSocket clients', registers: [registry] }),
    sockets: new Gauge({ name: 'duet_ws_connections', help: 'open WebSocket connections', registers: [registry] }),
    internalErrors: new Counter({
      name: 'duet_http_internal_errors_total',
      help: 'requests answered 500 internal (bugs, not outages)',
      registers: [registry],
    }),
  };
}

/**
 * Reads a streaming replica may serve (DATABASE_REPLICA_URL): pulls, /api/me and /api/stats. Design
 * in docs/read-replicas.md. In short: the caller reads, on the primary, the small position its
 * answer must reach (heads, lastMutationId, memberships); the replica then answers from one
 * REPEATABLE READ snapshot that first reads the same position and gives up (BEHIND) when it is
 * short of it, and the primary answers instead. So an answer from the replica holds everything
 * committed before the request began, exactly as one from the primary.
 *
 * A replica that fails or stalls is bypassed by a circuit breaker (cockatiel) and a timeout; one
 * that is further behind than `maxLagMs` (measured every second) or no longer in recovery (promoted:
 * no longer a copy of this primary) is bypassed until that changes. None of these is an error.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  timeout,
  wrap,
  TaskCancelledError,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type pg from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { Timers, TimerHandle } from '../clock.ts';
import { failureKind } from '../http/failure-kind.ts';
import type { Metrics } from '../http/metrics.ts';
import { createPool, inTransaction, type PgTimeouts } from './pool.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export type ReadRoute = 'pull' | 'me' | 'stats';

/** What a read on the replica returns when its snapshot is short of what the caller needs. */
export const BEHIND = Symbol('behind');

export interface ReadPlan<N, T> {
  /** On the primary, before the replica is asked: what the answer must include. */
  needed(primary: Queryable): Promise<N>;
  /**
   * The read, on `db`: the replica's snapshot with `needed` (return BEHIND when it is short of it),
   * or the primary with null (never BEHIND there).
   */
  read(db: Queryable, needed: N | null): Promise<T | typeof BEHIND>;
}

export interface ReplicaStatus {
  configured: boolean;
  /** The replica answered the last check and is a standby. */
  up: boolean;
  /** How far replay is behind (ms), from the last check; null when unknown. */
  lagMs: number | null;
  /** WAL the primary has written that the replica has not replayed (bytes); null when unknown. */
  lagBytes: number | null;
  /** Reads go to the primary now. */
  bypassed: boolean;
  reason: 'none' | 'not_configured' | 'down' | 'lagging' | 'promoted' | 'breaker_open';
}

/** Reads served, by route, by which database and why. */
type ServedReason = 'fresh' | 'not_configured' | 'bypassed' | 'behind' | 'failed';

const LAG_CHECK_MS = 1000;
const HALF_OPEN_AFTER_MS = 2000;

export interface ReadReplicaOptions {
  url: string | null;
  maxLagMs: number;
  timeoutMs: number;
  poolMax: number;
  pgTimeouts: PgTimeouts;
  primary: pg.Pool;
  metrics: Metrics;
  logger: Logger;
  timers: Timers;
}

export class ReadReplica {
  private readonly pool: pg.Pool | null;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy;
  private readonly reads: Counter<'route' | 'served_by' | 'reason'>;
  private readonly lagGauge: Gauge;
  private readonly upGauge: Gauge;
  private checked: Omit<ReplicaStatus, 'bypassed' | 'reason' | 'configured'> & { promoted: boolean } = {
    up: false,
    lagMs: null,
    lagBytes: null,
    promoted: false,
  };
  private monitor: TimerHandle | null = null;
  private checking: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: ReadReplicaOptions) {
    const { url, timeoutMs, poolMax, pgTimeouts, metrics } = options;
    // Bounded tighter than the primary: a slow replica is worth less than asking the primary.
    this.pool = url ? createPool(url, poolMax, { ...pgTimeouts, connectMs: timeoutMs, statementMs: timeoutMs }) : null;
    // Only outages open the breaker; a bug fails on the primary too and is reported from there.
    this.breaker = circuitBreaker(
      handleWhen((error) => failureKind(error) === 'infrastructure' || error instanceof TaskCancelledError),
      { halfOpenAfter: HALF_OPEN_AFTER_MS, breaker: new ConsecutiveBreaker(1) },
    );
    this.policy = wrap(this.breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive));
    this.reads = new Counter({
      name: 'duet_db_reads_total',
      help: 'reads a replica may serve (pull, me, stats), by the database that served them and why',
      labelNames: ['route', 'served_by', 'reason'],
      registers: [metrics.registry],
    });
    this.lagGauge = new Gauge({
      name: 'duet_replica_lag_seconds',
      help: 'how far the read replica replays behind the primary (-1: unknown or no replica)',
      registers: [metrics.registry],
      collect: () => this.lagGauge.set(this.checked.lagMs === null ? -1 : this.checked.lagMs / 1000),
    });
    this.upGauge = new Gauge({
      name: 'duet_replica_up',
      help: '1 when the read replica is used for reads, 0 when bypassed or not configured',
      registers: [metrics.registry],
      collect: () => this.upGauge.set(this.status().bypassed ? 0 : 1),
    });
  }

  /** Checks the replica once (bounded), then every second. */
  async start(): Promise<void> {
    if (!this.pool) return;
    await this.check();
    this.monitor = this.options.timers.setInterval(() => void this.check(), LAG_CHECK_MS);
  }

  status(): ReplicaStatus {
    const { up, lagMs, lagBytes, promoted } = this.checked;
    const base = { configured: this.pool !== null, up, lagMs, lagBytes };
    if (!this.pool) return { ...base, bypassed: true, reason: 'not_configured' };
    if (!up) return { ...base, bypassed: true, reason: promoted ? 'promoted' : 'down' };
    if (lagMs === null || lagMs > this.options.maxLagMs) return { ...base, bypassed: true, reason: 'lagging' };
    if (this.breaker.state === CircuitState.Open || this.breaker.state === CircuitState.HalfOpen) {
      return { ...base, bypassed: true, reason: 'breaker_open' };
    }
    return { ...base, bypassed: false, reason: 'none' };
  }

  /** Runs `plan` on the replica when it can answer for the caller, else on the primary. */
  async read<N, T>(route: ReadRoute, plan: ReadPlan<N, T>): Promise<T> {
    const pool = this.pool;
    const { reason, bypassed } = this.status();
    // The breaker's own state (open, trial) is left to the policy: an open one lets a trial through.
    if (!pool || (bypassed && reason !== 'breaker_open')) return this.onPrimary(route, plan, pool ? 'bypassed' : 'not_configured');
    const needed = await plan.needed(this.options.primary);
    let answer: T | typeof BEHIND;
    try {
      answer = await this.policy.execute(() =>
        inTransaction(pool, async (client) => {
          // The first statement takes the snapshot every read of the plan then sees.
          await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
          return plan.read(client, needed);
        }),
      );
    } catch (error) {
      if (!(error instanceof BrokenCircuitError)) {
        this.options.logger.warn(
          { err: error instanceof Error ? error.message : String(error), route },
          'read replica failed; reading the primary',
        );
      }
      return this.onPrimary(route, plan, error instanceof BrokenCircuitError ? 'bypassed' : 'failed');
    }
    if (answer === BEHIND) return this.onPrimary(route, plan, 'behind');
    this.reads.inc({ route, served_by: 'replica', reason: 'fresh' });
    return answer;
  }

  private async onPrimary<N, T>(route: ReadRoute, plan: ReadPlan<N, T>, reason: ServedReason): Promise<T> {
    const answer = await plan.read(this.options.primary, null);
    if (answer === BEHIND) throw new Error(`the ${route} read said BEHIND on the primary`);
    this.reads.inc({ route, served_by: 'primary', reason });
    return answer;
  }

  private check(): Promise<void> {
    this.checking ??= this.measure().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async measure(): Promise<void> {
    const pool = this.pool;
    if (!pool || this.closed) return;
    try {
      const replica = await pool.query<{ in_recovery: boolean; replay_lsn: string | null; lag_ms: number | null }>(
        `SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replay_lsn,
                CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                     ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000) END::float8 AS lag_ms`,
      );
      const row = replica.rows[0];
      if (!row?.in_recovery || row.replay_lsn === null) {
        this.checked = { up: false, lagMs: null, lagBytes: null, promoted: Boolean(row && !row.in_recovery) };
        return;
      }
      const primary = await this.options.primary
        .query<{ behind: string }>('SELECT greatest(0, pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn))::text AS behind', [
          row.replay_lsn,
        ])
        .catch(() => null);
      const lagBytes = primary?.rows[0] ? Number(primary.rows[0].behind) : null;
      // Nothing left to replay: not behind, however long ago the last change was.
      const lagMs = lagBytes === 0 ? 0 : row.lag_ms;
      const wasUp = this.checked.up;
      this.checked = { up: true, lagMs, lagBytes, promoted: false };
      if (!wasUp) this.options.logger.info({ lagMs }, 'read replica is serving reads');
    } catch (error) {
      if (this.checked.up) {
        this.options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'read replica unreachable; reading the primary',
        );
      }
      this.checked = { up: false, lagMs: null, lagBytes: null, promoted: false };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.monitor) this.options.timers.clearInterval(this.monitor);
    await this.checking?.catch(() => {});
    await this.pool?.end();
  }
}

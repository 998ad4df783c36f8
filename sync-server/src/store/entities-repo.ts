/** The synced records: one row per entity with its whole state and its space's version at its last change. */
import type { EntityKind, SessionTimes } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** A session field as milliseconds, or NULL when it is not a number a date can hold (±8.64e15). */
const epochMs = (field: string) =>
  `CASE WHEN jsonb_typeof(data->'${field}') = 'number' AND abs((data->'${field}')::numeric) <= 8.64e15
        THEN (data->'${field}')::numeric::float8 END`;

export interface EntityRow {
  kind: EntityKind;
  id: string;
  spaceId: string;
  version: number;
  deleted: boolean;
  data: unknown;
}

interface Record {
  kind: EntityKind;
  id: string;
  space_id: string;
  version: number;
  deleted: boolean;
  data: unknown;
}

const toRow = (r: Record): EntityRow => ({
  kind: r.kind,
  id: r.id,
  spaceId: r.space_id,
  version: r.version,
  deleted: r.deleted,
  data: r.data,
});

export class EntitiesRepo {
  constructor(private readonly db: Queryable) {}

  async get(kind: EntityKind, id: string): Promise<EntityRow | null> {
    const result = await this.db.query<Record>('SELECT * FROM entities WHERE kind = $1 AND id = $2', [kind, id]);
    return result.rows[0] ? toRow(result.rows[0]) : null;
  }

  /** The space of an entity, without reading its data. */
  async spaceOf(kind: EntityKind, id: string): Promise<string | null> {
    const result = await this.db.query<{ space_id: string }>('SELECT space_id FROM entities WHERE kind = $1 AND id = $2', [kind, id]);
    return result.rows[0]?.space_id ?? null;
  }

  async getMany(refs: ReadonlyArray<{ kind: EntityKind; id: string }>): Promise<EntityRow[]> {
    if (refs.length === 0) return [];
    const result = await this.db.query<Record>(
      `SELECT e.* FROM unnest($1::text[], $2::text[]) AS r(kind, id) JOIN entities e ON e.kind = r.kind AND e.id = r.id`,
      [refs.map((r) => r.kind), refs.map((r) => r.id)],
    );
    return result.rows.map(toRow);
  }

  /** Writes many entities in one statement. */
  async upsertMany(rows: readonly EntityRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO entities (kind, id, space_id, version, deleted, data, updated_at)
       SELECT * , now() FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::jsonb[])
       ON CONFLICT (kind, id) DO UPDATE
         SET space_id = EXCLUDED.space_id, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
             data = EXCLUDED.data, updated_at = now()`,
      [
        rows.map((r) => r.kind),
        rows.map((r) => r.id),
        rows.map((r) => r.spaceId),
        rows.map((r) => r.version),
        rows.map((r) => r.deleted),
        rows.map((r) => JSON.stringify(r.data)),
      ],
    );
  }

  /**
   * Changes after the given version of each space, ordered by space then version: the pull query,
   * served by the (space_id, version) index.
   */
  async changesSince(since: ReadonlyMap<string, number>, limit: number): Promise<EntityRow[]> {
    if (since.size === 0) return [];
    const result = await this.db.query<Record>(
      `SELECT e.kind, e.id, e.space_id, e.version, e.deleted, e.data
         FROM unnest($1::text[], $2::bigint[]) AS c(space_id, after)
         CROSS JOIN LATERAL (
           SELECT * FROM entities e WHERE e.space_id = c.space_id AND e.version > c.after
           ORDER BY e.version LIMIT $3
         ) e
        ORDER BY e.space_id, e.version
        LIMIT $3`,
      [[...since.keys()], [...since.values()], limit],
    );
    return result.rows.map(toRow);
  }

  /** A space's sessions and its head version, read in one statement (one snapshot). */
  async sessionsOfSpace(spaceId: string): Promise<{ head: number; sessions: unknown[] }> {
    const result = await this.db.query<{ head: number; data: unknown }>(
      `SELECT s.head_version AS head, e.data FROM spaces s
         LEFT JOIN entities e ON e.space_id = s.id AND e.kind = 'session'
        WHERE s.id = $1`,
      [spaceId],
    );
    return { head: result.rows[0]?.head ?? 0, sessions: result.rows.flatMap((r) => (r.data ? [r.data] : [])) };
  }

  /**
   * What `GET /api/stats` needs of a space's sessions, found by Postgres so that years of sessions
   * never leave it: the day numbers (days since 1970-01-01 of the calendar date in `timeZone`) that
   * sessions started on, up to `today`, and the times of the sessions of the 7 days ending `today`.
   * A session whose times are not numbers a date can hold is left out. `timeZone` must be one
   * Postgres knows (see `postgresKnowsZone`).
   */
  async sessionDays(spaceId: string, timeZone: string, today: number): Promise<{ head: number; days: number[]; recent: SessionTimes[] }> {
    const result = await this.db.query<{ head: number | null; days: number[]; recent: Array<[number, number | null, number]> }>(
      `/* session_days */
       WITH times AS (
         SELECT ${epochMs('startedAt')} AS started_at, ${epochMs('endedAt')} AS ended_at,
                ${epochMs('lastActivityAt')} AS last_activity_at, jsonb_typeof(data->'endedAt') = 'null' AS open
           FROM entities WHERE space_id = $1 AND kind = 'session'
       ), started AS (
         SELECT started_at, ended_at, last_activity_at,
                (to_timestamp(started_at / 1000.0) AT TIME ZONE $2)::date - DATE '1970-01-01' AS day
           FROM times
          WHERE started_at IS NOT NULL AND last_activity_at IS NOT NULL AND (ended_at IS NOT NULL OR open)
       )
       SELECT (SELECT head_version FROM spaces WHERE id = $1) AS head,
              ARRAY(SELECT DISTINCT day FROM started WHERE day <= $3) AS days,
              coalesce((SELECT json_agg(json_build_array(started_at, ended_at, last_activity_at)) FROM started
                         WHERE day > $3 - 7 AND day <= $3), '[]') AS recent`,
      [spaceId, timeZone, today],
    );
    const row = result.rows[0];
    return {
      head: row?.head ?? 0,
      days: row?.days ?? [],
      recent: (row?.recent ?? []).map(([startedAt, endedAt, lastActivityAt]) => ({ startedAt, endedAt, lastActivityAt })),
    };
  }
}

/**
 * A push's two statements besides BEGIN and COMMIT: its start (the client's and the spaces' locks
 * and every read the batch needs, in the function duet_push_begin) and its end (the entities, the
 * moved heads and the client's lastMutationId, written in one statement). A push used to take ten
 * round trips to Postgres; it takes four.
 */
import type { EntityKind } from '@duet/shared';
import type pg from 'pg';
import type { EntityRow } from './entities-repo.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface PushStart {
  lastMutationId: number;
  /** Null when the batch held nothing past lastMutationId (nothing locked, nothing read). */
  locked: {
    member: string[];
    heads: Map<string, number>;
    /** Each member of the user's spaces, by user id: their personal space. */
    owners: Map<string, string>;
    entities: EntityRow[];
  } | null;
}

interface StartRow {
  last_mutation_id: number;
  member_spaces: string[] | null;
  locked_ids: string[] | null;
  locked_heads: number[] | null;
  owner_ids: string[] | null;
  owner_spaces: string[] | null;
  entities: Array<{ kind: EntityKind; id: string; space_id: string; version: number; deleted: boolean; data: unknown }> | null;
}

export interface PushEnd {
  rows: readonly EntityRow[];
  heads: ReadonlyMap<string, number>;
  client: { userId: string; clientId: string; lastMutationId: number } | null;
}

export class PushStatements {
  constructor(private readonly db: Queryable) {}

  /**
   * Locks the client's row; when `highestId` is past its lastMutationId, also locks the spaces the
   * user may write to and reads the entities named by `refs` (after the locks are held).
   */
  async begin(
    userId: string,
    clientId: string,
    highestId: number,
    refs: ReadonlyArray<{ kind: EntityKind; id: string }>,
  ): Promise<PushStart> {
    const result = await this.db.query<StartRow>('SELECT * FROM duet_push_begin($1, $2, $3, $4::text[], $5::text[])', [
      userId,
      clientId,
      highestId,
      refs.map((r) => r.kind),
      refs.map((r) => r.id),
    ]);
    const row = result.rows[0];
    if (!row) throw new Error('duet_push_begin returned no row');
    if (row.locked_ids === null) return { lastMutationId: row.last_mutation_id, locked: null };
    const heads = new Map<string, number>();
    row.locked_ids.forEach((id, i) => heads.set(id, Number(row.locked_heads?.[i] ?? 0)));
    const owners = new Map<string, string>();
    (row.owner_ids ?? []).forEach((id, i) => owners.set(id, row.owner_spaces?.[i] ?? ''));
    const entities = (row.entities ?? []).map((e) => ({
      kind: e.kind,
      id: e.id,
      spaceId: e.space_id,
      version: e.version,
      deleted: e.deleted,
      data: e.data,
    }));
    return { lastMutationId: row.last_mutation_id, locked: { member: row.member_spaces ?? [], heads, owners, entities } };
  }

  /** Writes the entities, the heads and the client's lastMutationId in one statement. */
  async end({ rows, heads, client }: PushEnd): Promise<void> {
    await this.db.query(
      `/* push_end */ WITH upserted AS (
         INSERT INTO entities (kind, id, space_id, version, deleted, data, updated_at)
         SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::jsonb[])
         ON CONFLICT (kind, id) DO UPDATE
           SET space_id = EXCLUDED.space_id, version = EXCLUDED.version, deleted = EXCLUDED.deleted,
               data = EXCLUDED.data, updated_at = now()
         RETURNING 1
       ), moved AS (
         UPDATE spaces s SET head_version = h.v FROM unnest($7::text[], $8::bigint[]) AS h(id, v) WHERE s.id = h.id RETURNING 1
       ), client AS (
         UPDATE clients SET last_mutation_id = $11, updated_at = now() WHERE user_id = $9 AND client_id = $10 RETURNING 1
       )
       SELECT (SELECT count(*) FROM upserted) AS entities, (SELECT count(*) FROM moved) AS heads, (SELECT count(*) FROM client) AS clients`,
      [
        rows.map((r) => r.kind),
        rows.map((r) => r.id),
        rows.map((r) => r.spaceId),
        rows.map((r) => r.version),
        rows.map((r) => r.deleted),
        rows.map((r) => JSON.stringify(r.data)),
        [...heads.keys()],
        [...heads.values()],
        client?.userId ?? null,
        client?.clientId ?? null,
        client?.lastMutationId ?? null,
      ],
    );
  }
}

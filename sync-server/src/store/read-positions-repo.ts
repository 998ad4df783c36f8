/**
 * How far a database has got, for the reads a replica may serve (db/read-replica.ts): read on the
 * primary, what the caller must see; read first in the replica's snapshot, what it holds.
 */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** A user's spaces with their head versions, and a client's lastMutationId, from one snapshot. */
export interface PullPosition {
  lastMutationId: number;
  /** Member spaces in id order, with their heads. */
  heads: Map<string, number>;
}

export class ReadPositionsRepo {
  constructor(private readonly db: Queryable) {}

  /** In one statement, so lastMutationId and the heads come from one snapshot even at READ COMMITTED. */
  async pullPosition(userId: string, clientId: string): Promise<PullPosition> {
    const result = await this.db.query<{ last_mutation_id: number; space_ids: string[]; heads: string[] }>(
      `SELECT coalesce((SELECT last_mutation_id FROM clients WHERE user_id = $1 AND client_id = $2), 0)::bigint AS last_mutation_id,
              coalesce(array_agg(s.id ORDER BY s.id), '{}') AS space_ids,
              coalesce(array_agg(s.head_version ORDER BY s.id), '{}') AS heads
         FROM space_members m JOIN spaces s ON s.id = m.space_id
        WHERE m.user_id = $1`,
      [userId, clientId],
    );
    const row = result.rows[0];
    const ids = row?.space_ids ?? [];
    return {
      lastMutationId: Number(row?.last_mutation_id ?? 0),
      heads: new Map(ids.map((id, i) => [id, Number(row?.heads[i] ?? 0)])),
    };
  }

  /**
   * The pull positions of the clients that pushed most recently (at most `limit`, within
   * `withinHours`): what an empty pull of each needs (cache warming at start).
   */
  async recentPullPositions(limit: number, withinHours: number): Promise<Array<PullPosition & { userId: string; clientId: string }>> {
    const result = await this.db.query<{
      user_id: string;
      client_id: string;
      last_mutation_id: string;
      space_ids: string[];
      heads: string[];
    }>(
      `/* recent_pull_positions */
       WITH recent AS (
         SELECT user_id, client_id, last_mutation_id FROM clients
          WHERE updated_at > now() - make_interval(hours => $2) ORDER BY updated_at DESC LIMIT $1
       )
       SELECT r.user_id, r.client_id, r.last_mutation_id,
              coalesce(array_agg(s.id ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL), '{}') AS space_ids,
              coalesce(array_agg(s.head_version ORDER BY s.id) FILTER (WHERE s.id IS NOT NULL), '{}') AS heads
         FROM recent r LEFT JOIN space_members m ON m.user_id = r.user_id LEFT JOIN spaces s ON s.id = m.space_id
        GROUP BY r.user_id, r.client_id, r.last_mutation_id`,
      [limit, withinHours],
    );
    return result.rows.map((row) => ({
      userId: row.user_id,
      clientId: row.client_id,
      lastMutationId: Number(row.last_mutation_id),
      heads: new Map(row.space_ids.map((id, i) => [id, Number(row.heads[i] ?? 0)])),
    }));
  }

  /** One space's head version (0 for an unknown space). */
  async head(spaceId: string): Promise<number> {
    const result = await this.db.query<{ head_version: number }>('SELECT head_version FROM spaces WHERE id = $1', [spaceId]);
    return result.rows[0]?.head_version ?? 0;
  }
}

/**
 * Whether a snapshot at `here` holds everything of `needed`: the same spaces, each at least at the
 * needed head, and at least the needed lastMutationId. Heads only move up and a space's versions
 * commit in order, so such a snapshot holds every change committed when `needed` was read.
 */
export function covers(here: PullPosition, needed: PullPosition): boolean {
  if (here.lastMutationId < needed.lastMutationId || here.heads.size !== needed.heads.size) return false;
  for (const [space, head] of needed.heads) {
    const mine = here.heads.get(space);
    if (mine === undefined || mine < head) return false;
  }
  return true;
}

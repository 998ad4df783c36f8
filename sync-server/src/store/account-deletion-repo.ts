/**
 * The SQL of deleting an account (see docs/everyday-features.md for the rule): run inside the
 * SpaceWrite that locked the person's spaces, in foreign-key order.
 */
import type pg from 'pg';

type Queryable = Pick<pg.PoolClient, 'query'>;

export class AccountDeletionRepo {
  constructor(private readonly db: Queryable) {}

  /** Token hashes and ids of every device of the user (to drop them from the cache and close their sockets). */
  async devices(userId: string): Promise<Array<{ id: string; tokenHash: string }>> {
    const result = await this.db.query<{ id: string; token_hash: string }>('SELECT id, token_hash FROM devices WHERE user_id = $1', [
      userId,
    ]);
    return result.rows.map((r) => ({ id: r.id, tokenHash: r.token_hash }));
  }

  /** The user's audio uploads (their bytes go after the commit). */
  async uploadIds(userId: string, personalSpaceId: string): Promise<string[]> {
    const result = await this.db.query<{ id: string }>('SELECT id FROM uploads WHERE user_id = $1 OR space_id = $2', [
      userId,
      personalSpaceId,
    ]);
    return result.rows.map((r) => r.id);
  }

  /** What the user wrote in a shared space and has not deleted: messages they authored, transcripts they created. */
  async writtenInSpace(spaceId: string, userId: string): Promise<Array<{ kind: 'message' | 'transcript'; id: string; data: unknown }>> {
    const result = await this.db.query<{ kind: 'message' | 'transcript'; id: string; data: unknown }>(
      `SELECT kind, id, data FROM entities
        WHERE space_id = $1 AND NOT deleted
          AND ((kind = 'message' AND data->>'authorId' = $2) OR (kind = 'transcript' AND data->>'createdBy' = $2))`,
      [spaceId, userId],
    );
    return result.rows;
  }

  /** Everything of the user but what stays in shared spaces (rewritten before by the caller). */
  async deleteAll(userId: string, personalSpaceId: string): Promise<void> {
    const statements: Array<[string, unknown[]]> = [
      ['DELETE FROM entities WHERE space_id = $1', [personalSpaceId]],
      ['DELETE FROM uploads WHERE user_id = $1 OR space_id = $2', [userId, personalSpaceId]],
      ['DELETE FROM space_members WHERE user_id = $1 OR space_id = $2', [userId, personalSpaceId]],
      ['DELETE FROM spaces WHERE id = $1', [personalSpaceId]],
      ['DELETE FROM invites WHERE inviter_id = $1 OR accepted_by = $1', [userId]],
      ['DELETE FROM clients WHERE user_id = $1', [userId]],
      ['DELETE FROM known_devices WHERE user_id = $1', [userId]],
      ['DELETE FROM devices WHERE user_id = $1', [userId]],
      ['DELETE FROM users WHERE id = $1', [userId]],
    ];
    // Strip the user id from the parameters a statement does not use.
    for (const [sql, params] of statements) await this.db.query(sql, sql.includes('$2') ? params : params.slice(0, 1));
  }
}

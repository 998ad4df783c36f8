/** Spaces, their members and their head versions. */
import type { Space } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export class SpacesRepo {
  constructor(private readonly db: Queryable) {}

  async memberSpaceIds(userId: string): Promise<string[]> {
    const result = await this.db.query<{ space_id: string }>(
      'SELECT space_id FROM space_members WHERE user_id = $1 ORDER BY space_id',
      [userId],
    );
    return result.rows.map((r) => r.space_id);
  }

  async listForUser(userId: string): Promise<Space[]> {
    const result = await this.db.query<{ id: string; kind: Space['kind']; user_id: string; display_name: string }>(
      `SELECT s.id, s.kind, m.user_id, u.display_name
         FROM space_members mine
         JOIN spaces s ON s.id = mine.space_id
         JOIN space_members m ON m.space_id = s.id
         JOIN users u ON u.id = m.user_id
        WHERE mine.user_id = $1
        ORDER BY s.kind, s.id, m.joined_at, m.user_id`,
      [userId],
    );
    const spaces = new Map<string, Space>();
    for (const row of result.rows) {
      const space = spaces.get(row.id) ?? { id: row.id, kind: row.kind, members: [] };
      space.members.push({ userId: row.user_id, displayName: row.display_name });
      spaces.set(row.id, space);
    }
    return [...spaces.values()];
  }

  async get(spaceId: string): Promise<Space | null> {
    const result = await this.db.query<{ id: string; kind: Space['kind']; user_id: string; display_name: string }>(
      `SELECT s.id, s.kind, m.user_id, u.display_name FROM spaces s
         JOIN space_members m ON m.space_id = s.id JOIN users u ON u.id = m.user_id
        WHERE s.id = $1 ORDER BY m.joined_at, m.user_id`,
      [spaceId],
    );
    const first = result.rows[0];
    if (!first) return null;
    return { id: first.id, kind: first.kind, members: result.rows.map((r) => ({ userId: r.user_id, displayName: r.display_name })) };
  }

  /** The spaces a push may write to: the user's own, plus the personal spaces of co-members (for their conflicts). */
  async writableSpaceIds(userId: string): Promise<{ member: string[]; lockable: string[] }> {
    const result = await this.db.query<{ space_id: string; is_member: boolean }>(
      `SELECT space_id, true AS is_member FROM space_members WHERE user_id = $1
       UNION
       SELECT u.personal_space_id, false FROM space_members mine
         JOIN space_members other ON other.space_id = mine.space_id AND other.user_id <> mine.user_id
         JOIN users u ON u.id = other.user_id
        WHERE mine.user_id = $1`,
      [userId],
    );
    const member = result.rows.filter((r) => r.is_member).map((r) => r.space_id);
    const lockable = [...new Set(result.rows.map((r) => r.space_id))].sort();
    return { member, lockable };
  }

  /**
   * Locks the spaces' rows in id order (so two pushes never deadlock) and returns their head
   * versions. Holding the lock until commit is what makes a space's versions commit in order.
   */
  async lockHeads(spaceIds: readonly string[]): Promise<Map<string, number>> {
    const sorted = [...spaceIds].sort();
    const result = await this.db.query<{ id: string; head_version: number }>(
      'SELECT id, head_version FROM spaces WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [sorted],
    );
    return new Map(result.rows.map((r) => [r.id, r.head_version]));
  }

  async heads(spaceIds: readonly string[]): Promise<Map<string, number>> {
    const result = await this.db.query<{ id: string; head_version: number }>(
      'SELECT id, head_version FROM spaces WHERE id = ANY($1::text[])',
      [spaceIds],
    );
    return new Map(result.rows.map((r) => [r.id, r.head_version]));
  }

  async setHeads(heads: ReadonlyMap<string, number>): Promise<void> {
    if (heads.size === 0) return;
    await this.db.query(
      `UPDATE spaces s SET head_version = h.v FROM unnest($1::text[], $2::bigint[]) AS h(id, v) WHERE s.id = h.id`,
      [[...heads.keys()], [...heads.values()]],
    );
  }
}

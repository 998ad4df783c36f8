/** Spaces, their members and their head versions. */
import type { Space } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export class SpacesRepo {
  constructor(private readonly db: Queryable) {}

  async memberSpaceIds(userId: string): Promise<string[]> {
    const result = await this.db.query<{ space_id: string }>('SELECT space_id FROM space_members WHERE user_id = $1 ORDER BY space_id', [
      userId,
    ]);
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

  /** A new space at head 0, without members. */
  async create(id: string, kind: Space['kind']): Promise<void> {
    await this.db.query('INSERT INTO spaces (id, kind) VALUES ($1, $2)', [id, kind]);
  }

  async addMember(spaceId: string, userId: string): Promise<void> {
    await this.db.query('INSERT INTO space_members (space_id, user_id) VALUES ($1, $2)', [spaceId, userId]);
  }

  /** The user's shared space (a couple has one), or null. */
  async sharedSpaceOf(userId: string): Promise<string | null> {
    const result = await this.db.query<{ id: string }>(
      `SELECT s.id FROM spaces s JOIN space_members m ON m.space_id = s.id AND m.user_id = $1
        WHERE s.kind = 'shared' ORDER BY s.id LIMIT 1`,
      [userId],
    );
    return result.rows[0]?.id ?? null;
  }

  /** Removes every member of a space; it stays, readable by nobody. */
  async removeAllMembers(spaceId: string): Promise<string[]> {
    const result = await this.db.query<{ user_id: string }>('DELETE FROM space_members WHERE space_id = $1 RETURNING user_id', [spaceId]);
    return result.rows.map((r) => r.user_id);
  }

  /** Whether the two users already share a space of kind 'shared'. */
  async shareASpace(a: string, b: string): Promise<boolean> {
    const result = await this.db.query(
      `SELECT 1 FROM spaces s
         JOIN space_members x ON x.space_id = s.id AND x.user_id = $1
         JOIN space_members y ON y.space_id = s.id AND y.user_id = $2
        WHERE s.kind = 'shared' LIMIT 1`,
      [a, b],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Each of these users' space ids. */
  async memberships(userIds: readonly string[]): Promise<Map<string, string[]>> {
    const result = await this.db.query<{ user_id: string; spaces: string[] }>(
      'SELECT user_id, array_agg(space_id) AS spaces FROM space_members WHERE user_id = ANY($1::text[]) GROUP BY user_id',
      [userIds],
    );
    return new Map(result.rows.map((r) => [r.user_id, r.spaces] as const));
  }

  /** The personal space of each member of these spaces, by user id. */
  async personalSpacesOfMembers(spaceIds: readonly string[]): Promise<Map<string, string>> {
    const result = await this.db.query<{ id: string; personal_space_id: string }>(
      `SELECT u.id, u.personal_space_id FROM users u
        WHERE u.id IN (SELECT user_id FROM space_members WHERE space_id = ANY($1::text[]))`,
      [spaceIds],
    );
    return new Map(result.rows.map((r) => [r.id, r.personal_space_id]));
  }

  async setHeads(heads: ReadonlyMap<string, number>): Promise<void> {
    if (heads.size === 0) return;
    await this.db.query(`UPDATE spaces s SET head_version = h.v FROM unnest($1::text[], $2::bigint[]) AS h(id, v) WHERE s.id = h.id`, [
      [...heads.keys()],
      [...heads.values()],
    ]);
  }
}

/** What export and import read: the live entities of a person's spaces, and whether an account is still empty. */
import type { EntityKind } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The kinds an export carries (conflicts and notifications are about the moment, not the person's data). */
export const EXPORTED_KINDS = ['conversation', 'message', 'session', 'transcript', 'readMark'] as const satisfies readonly EntityKind[];
export type ExportedKind = (typeof EXPORTED_KINDS)[number];

export class DataTransferRepo {
  constructor(private readonly db: Queryable) {}

  /**
   * The data of every live entity of these kinds in these spaces, oldest version first, and the
   * tombstones of deleted messages (a reply to one still says "message deleted").
   */
  async liveEntities(spaceIds: readonly string[]): Promise<Array<{ kind: ExportedKind; data: unknown }>> {
    const result = await this.db.query<{ kind: ExportedKind; data: unknown }>(
      `SELECT kind, data FROM entities
        WHERE space_id = ANY($1::text[]) AND kind = ANY($2::text[]) AND (NOT deleted OR kind = 'message')
        ORDER BY space_id, version`,
      [spaceIds, EXPORTED_KINDS],
    );
    return result.rows;
  }

  /**
   * Whether the account may be imported into: a member of its personal space only (no partner)
   * and no conversation, message or transcript there, live or deleted. Sessions, read marks and
   * notifications do not count: the app records a session as soon as it opens.
   */
  async isEmptyAccount(userId: string, personalSpaceId: string): Promise<boolean> {
    const result = await this.db.query<{ other_spaces: number; content: number }>(
      `SELECT (SELECT count(*) FROM space_members WHERE user_id = $1 AND space_id <> $2)::int AS other_spaces,
              (SELECT count(*) FROM entities WHERE space_id = $2 AND kind IN ('conversation', 'message', 'transcript'))::int AS content`,
      [userId, personalSpaceId],
    );
    const row = result.rows[0];
    return row !== undefined && row.other_spaces === 0 && row.content === 0;
  }
}

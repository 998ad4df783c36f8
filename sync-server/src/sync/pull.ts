/**
 * Pull: the changes a user's spaces had since the cursor, a page at a time, ordered by space and
 * version. Versions in a space commit in order (push takes them under the space row's lock), so
 * reading "version > cursor" at READ COMMITTED can never step over a change that commits later.
 * A read replica may answer, from one snapshot that holds at least what the primary had when the
 * pull began (db/read-replica.ts); a replica short of that leaves the pull to the primary.
 */
import type { Change, PullRequest, PullResponse } from '@duet/shared';
import { DEFAULT_PULL_LIMIT } from '@duet/shared';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import { BEHIND, type ReadReplica } from '../db/read-replica.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { ReadPositionsRepo, covers, type PullPosition } from '../store/read-positions-repo.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export async function pullChanges(
  reads: ReadReplica,
  cache: SyncCache,
  userId: string,
  request: PullRequest,
  now: () => number,
): Promise<PullResponse> {
  const limit = request.limit ?? DEFAULT_PULL_LIMIT;
  const decoded = request.cursor === null ? null : decodeCursor(request.cursor, userId);
  if (decoded && request.cursor !== null) {
    const lastMutationId = await cache.emptyPull(userId, request.clientId, decoded.versions);
    if (lastMutationId !== null) {
      return { cursor: request.cursor, changes: [], hasMore: false, lastMutationId, serverTime: now() };
    }
  }
  // The epoch is read before Postgres, so what this pull caches is dropped if Redis flushes meanwhile.
  const epoch = await cache.epoch();
  const { response, heads } = await reads.read('pull', {
    needed: (primary) => new ReadPositionsRepo(primary).pullPosition(userId, request.clientId),
    read: (db, needed) => readPage(db, needed, userId, request, decoded?.versions ?? null, limit, now),
  });
  if (request.cursor !== null && decoded === null) response.reset = true;
  await cache.rememberPull(epoch, userId, request.clientId, [...heads.keys()], heads, response.lastMutationId);
  return response;
}

/** One page of changes from `db`; on a replica's snapshot, BEHIND when it is short of `needed`. */
async function readPage(
  db: Queryable,
  needed: PullPosition | null,
  userId: string,
  request: PullRequest,
  seen: ReadonlyMap<string, number> | null,
  limit: number,
  now: () => number,
): Promise<{ response: PullResponse; heads: Map<string, number> } | typeof BEHIND> {
  // lastMutationId and the heads in one statement, before the changes: every mutation it covers
  // committed before the changes are read, so the pulled state includes them all once hasMore is false.
  const position = await new ReadPositionsRepo(db).pullPosition(userId, request.clientId);
  if (needed && !covers(position, needed)) return BEHIND;
  const { lastMutationId, heads } = position;
  const serverTime = now();
  const memberSpaces = [...heads.keys()];

  const changes: Change[] = [];
  const versions = new Map<string, number>();
  for (const [spaceId, version] of seen ?? []) {
    if (heads.has(spaceId)) versions.set(spaceId, version);
    else changes.push({ kind: 'space', id: spaceId, version, deleted: true, data: null });
  }
  for (const spaceId of memberSpaces) if (!versions.has(spaceId)) versions.set(spaceId, 0);

  const room = Math.max(0, limit - changes.length);
  const rows = room > 0 ? await new EntitiesRepo(db).changesSince(versions, room + 1) : [];
  const page = rows.slice(0, room);
  for (const row of page) {
    changes.push({ kind: row.kind, id: row.id, version: row.version, deleted: row.deleted, data: row.data });
    versions.set(row.spaceId, row.version);
  }
  const response: PullResponse = {
    cursor: encodeCursor({ userId, versions }),
    changes,
    hasMore: room === 0 || rows.length > room,
    lastMutationId,
    serverTime,
  };
  return { response, heads };
}

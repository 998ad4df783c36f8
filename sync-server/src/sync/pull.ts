/**
 * Pull: the changes a user's spaces had since the cursor, a page at a time, ordered by space and
 * version. Versions in a space commit in order (push takes them under the space row's lock), so
 * reading "version > cursor" at READ COMMITTED can never step over a change that commits later.
 */
import type { Change, PullRequest, PullResponse } from '@duet/shared';
import { DEFAULT_PULL_LIMIT } from '@duet/shared';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import { ClientsRepo } from '../store/clients-repo.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

export async function pullChanges(
  pool: pg.Pool,
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
  // Read lastMutationId before the changes: every mutation it covers committed before the
  // changes are read, so the pulled state includes them all once hasMore is false.
  const lastMutationId = await new ClientsRepo(pool).lastMutationId(userId, request.clientId);
  const serverTime = now();

  const spacesRepo = new SpacesRepo(pool);
  const memberSpaces = await spacesRepo.memberSpaceIds(userId);
  const heads = await spacesRepo.heads(memberSpaces);
  const reset = request.cursor !== null && decoded === null;
  const seen = decoded?.versions ?? new Map<string, number>();

  const changes: Change[] = [];
  const versions = new Map<string, number>();
  for (const [spaceId, version] of seen) {
    if (memberSpaces.includes(spaceId)) versions.set(spaceId, version);
    else changes.push({ kind: 'space', id: spaceId, version, deleted: true, data: null });
  }
  for (const spaceId of memberSpaces) if (!versions.has(spaceId)) versions.set(spaceId, 0);

  const room = Math.max(0, limit - changes.length);
  const rows = room > 0 ? await new EntitiesRepo(pool).changesSince(versions, room + 1) : [];
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
  if (reset) response.reset = true;
  await cache.rememberPull(epoch, userId, request.clientId, memberSpaces, heads, lastMutationId);
  return response;
}

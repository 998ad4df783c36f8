/**
 * Pulls until caught up. Each page is written in its own transaction (server state, cursor, clock,
 * and a rebase of what it changed), so a large first sync shows data as it arrives and resumes
 * from the last page after a reload. Only the last page (hasMore false) drops acknowledged
 * outbox entries: only then does the pulled state include every mutation up to lastMutationId.
 */
import { MAX_PULL_LIMIT } from '@duet/shared';
import type { PullResponse } from '@duet/shared';
import { localMutationContext } from './local-tx.ts';
import { getMeta, setMeta } from './meta.ts';
import { advanceClock, dropAcknowledged } from './outbox.ts';
import { applyServerChanges, clearServerState, LOCAL_VIEW_STORES, pendingKeysOf, rebase } from './rebase.ts';
import { LOCAL_STORE, parseEntityKey } from './storage.ts';
import type { PullProgress } from './status.ts';
import type { SyncStorage } from './storage.ts';
import type { SyncTransport } from './transport.ts';

export interface PullDeps {
  storage: SyncStorage;
  transport: SyncTransport;
  token: string;
  clientId: string;
  now: () => number;
  limit?: number;
  /** After each page is stored: how many changes it held, the stores it wrote, and progress so far. */
  onPage?: (page: { changes: number; stores: readonly string[]; progress: PullProgress; done: boolean }) => void;
}

export interface PullOutcome {
  pages: number;
  items: number;
  reset: boolean;
  invalid: number;
}

/**
 * An estimate that only grows: with no total from the server, each full page is assumed to be
 * followed by at least one more, so n pages read as n/(n+1); the last page reads 100.
 */
export function estimatePercent(pages: number, done: boolean): number {
  return done ? 100 : Math.floor((100 * pages) / (pages + 1));
}

/**
 * The stores a page can have written: those of the keys it changed and of every key the outbox
 * touches (a rebase replays entries there), with the outbox and the meta keys it set; every local store after a
 * reset or a lost space. Live queries over other stores need not run again.
 */
function storesWritten(page: PullResponse, keys: readonly string[], pending: ReadonlySet<string>): string[] {
  if (page.reset || page.changes.some((c) => c.kind === 'space' && c.deleted)) return [...LOCAL_VIEW_STORES, 'outbox', 'meta'];
  // Meta by key (see live-query.ts): a query that reads who is signed in need not run per page.
  const stores = new Set<string>(['meta:cursor', 'meta:hlc']);
  // The outbox changes when the last page drops what it acknowledged, or when a rebase replays entries.
  if (!page.hasMore) stores.add('outbox').add('meta:serverLastMutationId').add('meta:lastSyncAt');
  if (pending.size > 0) stores.add('outbox');
  for (const key of [...keys, ...pending]) {
    const parsed = parseEntityKey(key);
    if (parsed) stores.add(LOCAL_STORE[parsed.kind]);
  }
  return [...stores];
}

async function storePage(deps: PullDeps, page: PullResponse): Promise<{ invalid: number; stores: string[] }> {
  // Relaxed: a page lost to a crash is pulled again, since the cursor is stored with it.
  return deps.storage.write(
    async (tx) => {
      if (page.reset) await clearServerState(tx);
      const pending = pendingKeysOf(await tx.getAll('outbox'));
      const { keys, known, invalid } = await applyServerChanges(tx, page.changes, pending);
      const stores = storesWritten(page, keys, pending);
      await setMeta(tx, 'cursor', page.cursor);
      await advanceClock(tx, deps.clientId, deps.now(), page.serverTime);
      if (!page.hasMore) {
        keys.push(...(await dropAcknowledged(tx, page.lastMutationId)));
        await setMeta(tx, 'serverLastMutationId', page.lastMutationId);
        await setMeta(tx, 'lastSyncAt', deps.now());
      }
      await rebase(tx, keys, await localMutationContext(tx, deps.now()), { full: page.reset === true, known });
      return { invalid, stores };
    },
    { durability: 'relaxed' },
  );
}

export async function pullUntilCaughtUp(deps: PullDeps): Promise<PullOutcome> {
  const outcome: PullOutcome = { pages: 0, items: 0, reset: false, invalid: 0 };
  const fetchPage = (cursor: string | null) =>
    deps.transport.pull(deps.token, {
      clientId: deps.clientId,
      cursor,
      // The largest pages the server gives: fewer round trips and transactions on a first sync.
      limit: deps.limit ?? MAX_PULL_LIMIT,
    });
  let next = fetchPage(await deps.storage.read((tx) => getMeta(tx, 'cursor')));
  for (;;) {
    const page = await next;
    // The next page is fetched while this one is written: the network and IndexedDB overlap.
    // Its cursor is the one this page stores, so a failure in between loses nothing.
    if (page.hasMore) {
      next = fetchPage(page.cursor);
      next.catch(() => undefined);
    }
    const { invalid, stores } = await storePage(deps, page);
    outcome.invalid += invalid;
    outcome.pages += 1;
    outcome.items += page.changes.length;
    outcome.reset ||= page.reset === true;
    const done = !page.hasMore;
    deps.onPage?.({
      changes: page.changes.length,
      stores,
      progress: { items: outcome.items, pages: outcome.pages, percent: estimatePercent(outcome.pages, done) },
      done,
    });
    if (done) return outcome;
  }
}

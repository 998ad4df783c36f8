/**
 * Pushes the outbox: entries after the server's lastMutationId, in batches within the protocol's
 * limits (500 mutations, 1 MiB). Applied and duplicate entries stay in the outbox until a pull
 * confirms them (so the UI never flickers back to server state); rejected ones leave it at once,
 * are reverted locally, and are listed for the user; out_of_order restarts after the server's
 * lastMutationId. A 500 (a bug on the server, not an outage) is narrowed down by halving the batch,
 * so the changes before the one it fails on still go through; PushFailed then names that batch.
 */
import { MAX_BODY_BYTES, MAX_PUSH_MUTATIONS } from '@duet/shared';
import type { MutationEnvelope, PushResponse } from '@duet/shared';
import { ApiError } from '../api/errors.ts';
import { localMutationContext } from './local-tx.ts';
import { getMeta, setMeta } from './meta.ts';
import { renumberOutbox } from './outbox.ts';
import { rebase } from './rebase.ts';
import type { RejectedMutation } from './status.ts';
import type { OutboxEntry, SyncStorage } from './storage.ts';
import type { SyncTransport } from './transport.ts';

/** How many rejected notices are kept; older ones fall off. */
const MAX_REJECTED_KEPT = 100;
/** Room left in the 1 MiB body for the envelope around the mutations. */
const BODY_BUDGET = MAX_BODY_BYTES - 4096;
/** Out-of-order answers in a row without progress before the engine gives up and backs off. */
const MAX_STALLED_ROUNDS = 3;

export interface PushDeps {
  storage: SyncStorage;
  transport: SyncTransport;
  token: string;
  clientId: string;
  now: () => number;
  batchSize?: number;
}

export interface PushOutcome {
  sent: number;
  rejected: RejectedMutation[];
}

/**
 * The server answered 500 for the smallest batch tried (one mutation unless smaller ones passed):
 * a bug on its side with these changes. The engine backs off and counts repeats (engine.ts).
 */
export class PushFailed extends Error {
  override readonly name = 'PushFailed';

  constructor(
    /** Ids of the outbox entries in the failing batch. */
    readonly ids: readonly number[],
    override readonly cause: ApiError,
  ) {
    super(`the server failed on changes ${ids.join(', ')}`);
  }
}

const encoder = new TextEncoder();

/** The longest prefix of `entries` that fits in one request body. */
function fitBatch(entries: readonly OutboxEntry[]): MutationEnvelope[] {
  const batch: MutationEnvelope[] = [];
  let bytes = 0;
  for (const e of entries) {
    const envelope = { id: e.id, name: e.name, args: e.args, hlc: e.hlc };
    const size = encoder.encode(JSON.stringify(envelope)).length + 1;
    if (batch.length > 0 && bytes + size > BODY_BUDGET) break;
    batch.push(envelope);
    bytes += size;
  }
  return batch;
}

async function recordAnswer(deps: PushDeps, answer: PushResponse): Promise<RejectedMutation[]> {
  return deps.storage.write(async (tx) => {
    const rejected: RejectedMutation[] = [];
    const staleKeys: string[] = [];
    for (const result of answer.results) {
      if (result.status !== 'rejected') continue;
      const entry = await tx.get('outbox', result.id);
      if (!entry) continue;
      staleKeys.push(...entry.touched);
      await tx.delete('outbox', entry.id);
      rejected.push({
        id: entry.id,
        name: entry.name,
        code: result.error?.code ?? 'rejected',
        message: result.error?.message ?? '',
        args: entry.args,
        at: deps.now(),
      });
    }
    await setMeta(tx, 'serverLastMutationId', answer.lastMutationId);
    if (rejected.length > 0) {
      const kept = [...(await getMeta(tx, 'rejected')), ...rejected].slice(-MAX_REJECTED_KEPT);
      await setMeta(tx, 'rejected', kept);
      await rebase(tx, staleKeys, await localMutationContext(tx, deps.now()));
    }
    const firstAfter = (await tx.getAll('outbox', { after: answer.lastMutationId, limit: 1 }))[0];
    const outOfOrder = answer.results.some((r) => r.status === 'out_of_order');
    // A gap: the server expects an id we no longer hold (it lost state, or an entry was dropped).
    if (outOfOrder && firstAfter && firstAfter.id > answer.lastMutationId + 1) await renumberOutbox(tx, answer.lastMutationId);
    return rejected;
  });
}

export async function pushOutbox(deps: PushDeps): Promise<PushOutcome> {
  let batchSize = Math.min(deps.batchSize ?? MAX_PUSH_MUTATIONS, MAX_PUSH_MUTATIONS);
  const outcome: PushOutcome = { sent: 0, rejected: [] };
  let stalled = 0;
  for (;;) {
    const { after, entries } = await deps.storage.read(async (tx) => {
      const after = await getMeta(tx, 'serverLastMutationId');
      return { after, entries: await tx.getAll('outbox', { after, limit: batchSize }) };
    });
    const batch = fitBatch(entries);
    if (batch.length === 0) return outcome;
    let answer: PushResponse;
    try {
      answer = await deps.transport.push(deps.token, { clientId: deps.clientId, mutations: batch });
    } catch (error) {
      if (error instanceof ApiError && error.status === 500) {
        // Halving finds the change the server fails on; those before it are sent meanwhile. At
        // most log2(500) requests before the single failing change is reported and backed off.
        if (batch.length > 1) {
          batchSize = Math.max(1, Math.floor(batch.length / 2));
          continue;
        }
        throw new PushFailed(
          batch.map((m) => m.id),
          error,
        );
      }
      if (!(error instanceof ApiError && error.status === 413)) throw error;
      // Too large although within our budget (a stricter proxy): halve the batch and go on; a
      // single mutation that is still too large can never pass, so it is rejected here.
      if (batch.length > 1) {
        batchSize = Math.max(1, Math.floor(batch.length / 2));
        continue;
      }
      const only = batch[0] as MutationEnvelope;
      answer = {
        lastMutationId: after,
        results: [{ id: only.id, status: 'rejected', error: { code: error.code, message: error.message } }],
      };
    }
    outcome.sent += batch.length;
    outcome.rejected.push(...(await recordAnswer(deps, answer)));
    const outOfOrder = answer.results.some((r) => r.status === 'out_of_order');
    stalled = outOfOrder && answer.lastMutationId <= after ? stalled + 1 : 0;
    if (stalled >= MAX_STALLED_ROUNDS) {
      throw new ApiError({ code: 'out_of_order', status: 200, message: 'the server keeps answering out_of_order' });
    }
  }
}

/**
 * The outbox: mutations made on this device that the server has not confirmed yet, in id order.
 * Ids start at 1 per clientId and grow by 1; they are assigned in the same transaction that
 * applies the mutation locally, so a reload or another tab can never reuse or skip one.
 */
import { applyMutation, createHlc, formatHlc, isHlc, mutationArgsSchemas, newId, parseHlc, receiveHlc, tickHlc } from '@duet/shared';
import type { Hlc, Mutation, MutationArgs, MutationName } from '@duet/shared';
import { ClientErrorCode, DuetError } from '../api/errors.ts';
import { conversationOfTouched, LocalMutationTx, localMutationContext } from './local-tx.ts';
import { getMeta, setMeta } from './meta.ts';
import type { OutboxEntry, StorageTx } from './storage.ts';

/** The client id of this store, created on first use. */
export async function ensureClientId(tx: StorageTx, now: number, random: () => number): Promise<string> {
  const existing = await getMeta(tx, 'clientId');
  if (existing) return existing;
  const created = newId(now, random);
  await setMeta(tx, 'clientId', created);
  return created;
}

async function readClock(tx: StorageTx, clientId: string): Promise<Hlc> {
  const stored = await getMeta(tx, 'hlc');
  if (stored && isHlc(stored)) {
    const hlc = parseHlc(stored);
    if (hlc.clientId === clientId) return hlc;
  }
  return createHlc(clientId);
}

/** Ticks (local event) or advances (server time) this store's clock and saves it. */
export async function advanceClock(tx: StorageTx, clientId: string, now: number, serverTime?: number): Promise<string> {
  const current = await readClock(tx, clientId);
  const next = serverTime === undefined ? tickHlc(current, now) : receiveHlc(current, serverTime, now);
  const formatted = formatHlc(next);
  await setMeta(tx, 'hlc', formatted);
  return formatted;
}

/**
 * Validates a user action, applies it to the local view and appends it to the outbox, all in the
 * caller's transaction. A refusal (bad args, no user, the local mutator says no) throws DuetError
 * and, as the transaction then aborts, leaves nothing behind.
 */
export async function appendMutation<N extends MutationName>(
  tx: StorageTx,
  input: { name: N; args: MutationArgs<N>; now: number; random: () => number },
): Promise<OutboxEntry> {
  const parsed = mutationArgsSchemas[input.name].safeParse(input.args);
  if (!parsed.success) throw new DuetError(ClientErrorCode.invalidArgs, parsed.error.issues[0]?.message);
  const ctx = await localMutationContext(tx, input.now);
  if (!ctx) throw new DuetError(ClientErrorCode.signedOut);
  const clientId = await ensureClientId(tx, input.now, input.random);
  const hlc = await advanceClock(tx, clientId, input.now);
  const id = (await getMeta(tx, 'lastMutationId')) + 1;
  await setMeta(tx, 'lastMutationId', id);
  const mutation = { id, name: input.name, args: parsed.data, hlc } as Mutation;
  const local = new LocalMutationTx(tx);
  const outcome = await applyMutation(local, mutation, ctx);
  if (outcome.status === 'rejected') throw new DuetError(outcome.code, outcome.message);
  const entry: OutboxEntry = {
    id,
    name: mutation.name,
    args: mutation.args,
    hlc,
    touched: [...local.touched],
    conversationId: await conversationOfTouched(tx, local.touched),
    createdAt: input.now,
  };
  await tx.put('outbox', entry);
  return entry;
}

/** Removes entries the server has processed (id <= lastMutationId); returns the keys they touched. */
export async function dropAcknowledged(tx: StorageTx, lastMutationId: number): Promise<string[]> {
  const touched: string[] = [];
  for (const entry of await tx.getAll('outbox')) {
    if (entry.id > lastMutationId) break;
    touched.push(...entry.touched);
    await tx.delete('outbox', entry.id);
  }
  return touched;
}

/**
 * Gives the entries after `serverLastMutationId` consecutive ids from serverLastMutationId + 1.
 * Only for a gap the server reported (out_of_order while our next entry is further on): the server
 * has seen none of these ids, so they can be renamed safely.
 */
export async function renumberOutbox(tx: StorageTx, serverLastMutationId: number): Promise<void> {
  const entries = await tx.getAll('outbox', { after: serverLastMutationId });
  let next = serverLastMutationId;
  for (const entry of entries) {
    next += 1;
    if (entry.id === next) continue;
    await tx.delete('outbox', entry.id);
    await tx.put('outbox', { ...entry, id: next });
  }
  await setMeta(tx, 'lastMutationId', next);
}

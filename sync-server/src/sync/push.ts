/**
 * Push: applies a client's batch in order inside one transaction. Mutation ids give idempotency
 * (a resent batch is reported "duplicate"), the locked space rows give ordered versions.
 */
import type { Mutation, MutationEffects, ParsedMutation, PushRequest, PushResponse } from '@duet/shared';
import { applyMutation, clampHlc, classifyPush, ErrorCode, parseMutation } from '@duet/shared';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import { isDataError } from '../http/failure-kind.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import type { DeviceIdentity } from '../store/users-repo.ts';
import { PgMutationTx } from './pg-mutation-tx.ts';
import { referencedEntities } from './prefetch.ts';

export interface PushOutcome {
  response: PushResponse;
  /** Spaces whose data changed, to poke their members. */
  changedSpaces: Set<string>;
  /** Their new head versions, as committed. */
  heads: ReadonlyMap<string, number>;
  applied: number;
  /** Transcripts deleted by the batch (their audio files are removed after commit). */
  deletedTranscripts: string[];
}

/** The client's lastMutationId, its row locked until commit (the upsert takes the lock either way). */
async function lockClient(client: pg.PoolClient, userId: string, clientId: string): Promise<number> {
  const result = await client.query<{ last_mutation_id: number }>(
    `INSERT INTO clients (user_id, client_id) VALUES ($1, $2)
     ON CONFLICT (user_id, client_id) DO UPDATE SET last_mutation_id = clients.last_mutation_id
     RETURNING last_mutation_id`,
    [userId, clientId],
  );
  return result.rows[0]?.last_mutation_id ?? 0;
}

async function personalSpaces(client: pg.PoolClient, spaceIds: readonly string[]): Promise<Map<string, string>> {
  const result = await client.query<{ id: string; personal_space_id: string }>(
    `SELECT u.id, u.personal_space_id FROM users u
      WHERE u.id IN (SELECT user_id FROM space_members WHERE space_id = ANY($1::text[]))`,
    [spaceIds],
  );
  return new Map(result.rows.map((r) => [r.id, r.personal_space_id]));
}

export interface BatchEffects {
  /** The new head versions of the spaces the batch changed. */
  heads: ReadonlyMap<string, number>;
  lastMutationId: number;
  /** Transcripts submitted by the batch, with their submission number. */
  submitted: ReadonlyMap<string, number>;
}

export interface PushHooks {
  /** Runs before each valid mutation: a refusal rejects it (a per-user limit, say), null lets it run. */
  refuse?(client: pg.PoolClient, mutation: Mutation, tx: PgMutationTx, submittedSoFar: number): Promise<{ code: ErrorCode; message: string } | null>;
  /** Runs inside the transaction just before COMMIT. */
  beforeCommit(client: pg.PoolClient, effects: BatchEffects): Promise<void>;
}

/** A write of one mutation that Postgres refused as data (careful mode pins the failure on it). */
class MutationWriteRefused extends Error {
  constructor(
    readonly mutationId: number,
    readonly refusal: unknown,
  ) {
    super(`mutation ${mutationId} could not be stored`);
  }
}

interface BatchInput {
  client: pg.PoolClient;
  who: DeviceIdentity;
  request: PushRequest;
  parsed: ReadonlyArray<ParsedMutation | null>;
  firstLastMutationId: number;
  member: readonly string[];
  lockedHeads: ReadonlyMap<string, number>;
  owners: ReadonlyMap<string, string>;
  clock: number;
  hooks: PushHooks;
}

/**
 * Applies a batch. A mutation whose write Postgres refuses as data (SQLSTATE classes 22 and 23) must
 * not fail the batch, yet writes are flushed in one statement at the end, where the culprit is not
 * known. So the batch runs under a savepoint: when the flush fails with a data error, it is rolled
 * back and run again in careful mode, flushing after every mutation; the first flush that fails names
 * the mutation, which is rejected on the next run. In the common case this costs one SAVEPOINT;
 * a batch of 500 with one refused mutation takes a few times as long as a plain one.
 */
export async function pushBatch(
  pool: pg.Pool,
  who: DeviceIdentity,
  request: PushRequest,
  now: () => number,
  hooks: PushHooks,
): Promise<PushOutcome> {
  return inTransaction(pool, async (client) => {
    const userId = who.user.id;
    const lastMutationId = await lockClient(client, userId, request.clientId);
    const pending = request.mutations.filter((m) => m.id > lastMutationId);
    if (pending.length === 0) {
      return {
        response: { lastMutationId, results: request.mutations.map((m) => ({ id: m.id, status: 'duplicate' as const })) },
        changedSpaces: new Set<string>(),
        heads: new Map<string, number>(),
        applied: 0,
        deletedTranscripts: [],
      };
    }

    const spaces = new SpacesRepo(client);
    const { member, lockable } = await spaces.writableSpaceIds(userId);
    const lockedHeads = await spaces.lockHeads(lockable);
    const owners = await personalSpaces(client, member);
    const clock = now();
    // Parse once, for every run of the batch.
    const parsed = request.mutations.map((m) => (m.id > lastMutationId ? parseMutation(m) : null));
    const input: BatchInput = { client, who, request, parsed, firstLastMutationId: lastMutationId, member, lockedHeads, owners, clock, hooks };

    const refused = new Map<number, string>();
    let careful = false;
    // A careful run pins one more mutation (or throws), a fast one succeeds or leads to a careful
    // one, so this ends within 2n + 1 runs for a batch of n.
    for (;;) {
      await client.query('SAVEPOINT push_batch');
      try {
        const outcome = await applyBatch(input, refused, careful);
        await client.query('RELEASE SAVEPOINT push_batch');
        return outcome;
      } catch (error) {
        const pinned = error instanceof MutationWriteRefused;
        if (!pinned && (careful || !isDataError(error))) throw error;
        await client.query('ROLLBACK TO SAVEPOINT push_batch');
        if (pinned) refused.set(error.mutationId, refusalMessage(error.refusal));
        // With the culprit known, the next run is fast again; careful only after a new data error.
        careful = !pinned;
      }
    }
  });
}

/** Says what kind of refusal it was (the SQLSTATE), not Postgres's message, which names tables. */
function refusalMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `this change cannot be stored: the database refused one of its values (SQLSTATE ${String(code)})`;
}

async function applyBatch(input: BatchInput, refused: ReadonlyMap<number, string>, careful: boolean): Promise<PushOutcome> {
  const { client, who, request, parsed, member, owners, clock, hooks } = input;
  const userId = who.user.id;
  const heads = new Map(input.lockedHeads);
  const tx = new PgMutationTx(new EntitiesRepo(client), new Set(member), heads, (id) => owners.get(id), clock);
  // Load every entity the new mutations name in one query.
  await tx.prefetch(referencedEntities(parsed.flatMap((p) => (p?.ok ? [p.mutation] : []))));

  // Careful runs flush after each mutation: the spaces each flush changed add up here.
  const changedSpaces = new Set<string>();
  /** What the applied mutations said they set in motion (see MutationEffects). */
  const submitted = new Map<string, number>();
  const deletedTranscripts = new Set<string>();
  let applied = 0;
  const response = await classifyPush(input.firstLastMutationId, request.mutations, {
    parse: (_envelope, index) => parsed[index] ?? null,
    async apply(parsedMutation, envelope) {
      const refusal = refused.get(envelope.id);
      if (refusal !== undefined) return { status: 'rejected', code: ErrorCode.invalidArgs, message: refusal };
      const mutation = { ...parsedMutation, hlc: clampHlc(parsedMutation.hlc, clock) };
      const limited = await hooks.refuse?.(client, mutation, tx, submitted.size);
      if (limited) return { status: 'rejected', ...limited };
      const outcome = await applyMutation(tx, mutation, { userId, personalSpaceId: who.personalSpaceId, now: clock });
      if (outcome.status === 'applied') {
        applied += 1;
        noteEffects(outcome.effects, submitted, deletedTranscripts);
      }
      if (careful) {
        const flushed = await tx.flush().catch((error: unknown) => {
          throw isDataError(error) ? new MutationWriteRefused(envelope.id, error) : error;
        });
        for (const space of flushed) changedSpaces.add(space);
      }
      return outcome;
    },
  });
  const { lastMutationId } = response;

  for (const space of await tx.flush()) changedSpaces.add(space);
  const moved = new Map([...heads].filter(([id, v]) => input.lockedHeads.get(id) !== v));
  await new SpacesRepo(client).setHeads(moved);
  await client.query(
    'UPDATE clients SET last_mutation_id = $3, updated_at = now() WHERE user_id = $1 AND client_id = $2',
    [userId, request.clientId, lastMutationId],
  );
  await hooks.beforeCommit(client, { heads: moved, lastMutationId, submitted });
  return { response, changedSpaces, heads: moved, applied, deletedTranscripts: [...deletedTranscripts] };
}

/** A submit queues a job unless a later mutation of the batch deletes the transcript; a delete removes its audio. */
function noteEffects(effects: MutationEffects | undefined, submitted: Map<string, number>, deleted: Set<string>): void {
  if (effects?.submitted) submitted.set(effects.submitted.transcriptId, effects.submitted.submission);
  if (effects?.deletedTranscript) {
    submitted.delete(effects.deletedTranscript);
    deleted.add(effects.deletedTranscript);
  }
}

/**
 * Push: applies a client's batch in order inside one space write (SpaceWriter). Mutation ids give
 * idempotency (a resent batch is reported "duplicate"), the locked space rows give ordered versions.
 */
import type { Mutation, MutationEffects, ParsedMutation, PushRequest, PushResponse } from '@duet/shared';
import { applyMutation, clampHlc, classifyPush, ErrorCode, parseMutation } from '@duet/shared';
import type pg from 'pg';
import type { ServerClock } from '../clock.ts';
import { isDataError } from '../http/failure-kind.ts';
import { ClientsRepo } from '../store/clients-repo.ts';
import type { SpaceWrite, SpaceWriter } from '../store/space-writer.ts';
import type { DeviceIdentity } from '../store/users-repo.ts';
import { PgMutationTx } from './pg-mutation-tx.ts';
import { referencedEntities } from './prefetch.ts';

export interface PushOutcome {
  response: PushResponse;
  applied: number;
  /** Transcripts deleted by the batch (their audio files are removed after commit). */
  deletedTranscripts: string[];
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
  refuse?(
    client: pg.PoolClient,
    mutation: Mutation,
    tx: PgMutationTx,
    submittedSoFar: number,
  ): Promise<{ code: ErrorCode; message: string } | null>;
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
  write: SpaceWrite;
  who: DeviceIdentity;
  request: PushRequest;
  parsed: ReadonlyArray<ParsedMutation | null>;
  firstLastMutationId: number;
  member: readonly string[];
  owners: ReadonlyMap<string, string>;
  /** The server's time for the whole batch (ms). */
  now: number;
  newId: () => string;
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
  writer: SpaceWriter,
  who: DeviceIdentity,
  request: PushRequest,
  clock: Pick<ServerClock, 'now' | 'newId'>,
  hooks: PushHooks,
): Promise<PushOutcome> {
  return writer.write(async (write) => {
    const userId = who.user.id;
    const clients = new ClientsRepo(write.client);
    const lastMutationId = await clients.lock(userId, request.clientId);
    const pending = request.mutations.filter((m) => m.id > lastMutationId);
    if (pending.length === 0) {
      write.setLastMutationId(userId, request.clientId, lastMutationId);
      return {
        response: { lastMutationId, results: request.mutations.map((m) => ({ id: m.id, status: 'duplicate' as const })) },
        applied: 0,
        deletedTranscripts: [],
      };
    }

    const { member, lockable } = await write.spaces.writableSpaceIds(userId);
    await write.lock(lockable);
    const owners = await write.spaces.personalSpacesOfMembers(member);
    const now = clock.now();
    // Parse once, for every run of the batch.
    const parsed = request.mutations.map((m) => (m.id > lastMutationId ? parseMutation(m) : null));
    const input: BatchInput = {
      write,
      who,
      request,
      parsed,
      firstLastMutationId: lastMutationId,
      member,
      owners,
      now,
      newId: clock.newId,
      hooks,
    };

    const refused = new Map<number, string>();
    let careful = false;
    // A careful run pins one more mutation (or throws), a fast one succeeds or leads to a careful
    // one, so this ends within 2n + 1 runs for a batch of n.
    for (;;) {
      const retried = (error: unknown) => error instanceof MutationWriteRefused || (!careful && isDataError(error));
      try {
        const outcome = await write.savepoint(() => applyBatch(input, refused, careful), retried);
        await clients.setLastMutationId(userId, request.clientId, outcome.response.lastMutationId);
        write.setLastMutationId(userId, request.clientId, outcome.response.lastMutationId);
        await hooks.beforeCommit(write.client, outcome.effects);
        return { response: outcome.response, applied: outcome.applied, deletedTranscripts: outcome.deletedTranscripts };
      } catch (error) {
        if (!retried(error)) throw error;
        const pinned = error instanceof MutationWriteRefused;
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

interface BatchRun extends PushOutcome {
  effects: BatchEffects;
}

async function applyBatch(input: BatchInput, refused: ReadonlyMap<number, string>, careful: boolean): Promise<BatchRun> {
  const { write, who, request, parsed, member, owners, now, hooks } = input;
  const { client } = write;
  const userId = who.user.id;
  const tx = new PgMutationTx(write.entities, new Set(member), write, (id) => owners.get(id), input.newId);
  // Load every entity the new mutations name in one query.
  await tx.prefetch(referencedEntities(parsed.flatMap((p) => (p?.ok ? [p.mutation] : []))));

  /** What the applied mutations said they set in motion (see MutationEffects). */
  const submitted = new Map<string, number>();
  const deletedTranscripts = new Set<string>();
  let applied = 0;
  const response = await classifyPush(input.firstLastMutationId, request.mutations, {
    parse: (_envelope, index) => parsed[index] ?? null,
    async apply(parsedMutation, envelope) {
      const refusal = refused.get(envelope.id);
      if (refusal !== undefined) return { status: 'rejected', code: ErrorCode.invalidArgs, message: refusal };
      const mutation = { ...parsedMutation, hlc: clampHlc(parsedMutation.hlc, now) };
      const limited = await hooks.refuse?.(client, mutation, tx, submitted.size);
      if (limited) return { status: 'rejected', ...limited };
      const outcome = await applyMutation(tx, mutation, { userId, personalSpaceId: who.personalSpaceId, now });
      if (outcome.status === 'applied') {
        applied += 1;
        noteEffects(outcome.effects, submitted, deletedTranscripts);
      }
      if (careful) {
        await tx.flush().catch((error: unknown) => {
          throw isDataError(error) ? new MutationWriteRefused(envelope.id, error) : error;
        });
      }
      return outcome;
    },
  });

  await tx.flush();
  return {
    response,
    applied,
    deletedTranscripts: [...deletedTranscripts],
    effects: { heads: write.moved(), lastMutationId: response.lastMutationId, submitted },
  };
}

/** A submit queues a job unless a later mutation of the batch deletes the transcript; a delete removes its audio. */
function noteEffects(effects: MutationEffects | undefined, submitted: Map<string, number>, deleted: Set<string>): void {
  if (effects?.submitted) submitted.set(effects.submitted.transcriptId, effects.submitted.submission);
  if (effects?.deletedTranscript) {
    submitted.delete(effects.deletedTranscript);
    deleted.add(effects.deletedTranscript);
  }
}

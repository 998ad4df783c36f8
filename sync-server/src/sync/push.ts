/**
 * Push: applies a client's batch in order inside one space write (SpaceWriter). Mutation ids give
 * idempotency (a resent batch is reported "duplicate"), the locked space rows give ordered versions.
 * The client's and the spaces' locks and the batch's reads are one statement (PushStatements).
 */
import type { EntityKind, Mutation, MutationEffects, ParsedMutation, PushRequest, PushResponse } from '@duet/shared';
import { applyMutation, clampHlc, classifyPush, ErrorCode, parseMutation } from '@duet/shared';
import type pg from 'pg';
import type { ServerClock } from '../clock.ts';
import { isDataError } from '../http/failure-kind.ts';
import type { EntityRow } from '../store/entities-repo.ts';
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
  /** The space of each submitted transcript (the batch's writes reach the table only at its end). */
  submittedIn: ReadonlyMap<string, string>;
}

export interface PushHooks {
  /** Runs at the start of each transaction the push takes (a push whose writes Postgres refused takes a second one). */
  beginAttempt?(): void;
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
  /** What the batch's mutations name, read with the locks (PushStatements.begin). */
  refs: ReadonlyArray<{ kind: EntityKind; id: string }>;
  prefetched: readonly EntityRow[];
  /** The server's time for the whole batch (ms). */
  now: number;
  newId: () => string;
  hooks: PushHooks;
}

/**
 * Applies a batch in one transaction of four round trips: BEGIN, the start (locks and reads,
 * PushStatements.begin), the end (entities, heads and lastMutationId in one statement) and COMMIT.
 *
 * A mutation whose write Postgres refuses as data (SQLSTATE classes 22 and 23) must not fail the
 * batch, yet the writes go in one statement at the end, where the culprit is not known. So when
 * that statement fails with a data error, the transaction is rolled back and the batch runs again
 * in a careful transaction: under a savepoint, flushing after every mutation; the first flush that
 * fails names the mutation, which is rejected on the next run (rolled back to the savepoint). The
 * common case pays for no savepoint; a batch with a refused mutation takes a few times as long.
 */
export async function pushBatch(
  writer: SpaceWriter,
  who: DeviceIdentity,
  request: PushRequest,
  clock: Pick<ServerClock, 'now' | 'newId'>,
  hooks: PushHooks,
): Promise<PushOutcome> {
  // Parse once, for every run of the batch (those at or below lastMutationId are not used).
  const parsed = request.mutations.map((m) => parseMutation(m));
  const refs = referencedEntities(parsed.flatMap((p) => (p.ok ? [p.mutation] : [])));
  const highestId = Math.max(0, ...request.mutations.map((m) => m.id));
  try {
    return await writer.write((write) => pushInTransaction(write, who, request, parsed, refs, highestId, clock, hooks, false));
  } catch (error) {
    if (!isDataError(error)) throw error;
    return writer.write((write) => pushInTransaction(write, who, request, parsed, refs, highestId, clock, hooks, true));
  }
}

async function pushInTransaction(
  write: SpaceWrite,
  who: DeviceIdentity,
  request: PushRequest,
  allParsed: ReadonlyArray<ParsedMutation>,
  refs: ReadonlyArray<{ kind: EntityKind; id: string }>,
  highestId: number,
  clock: Pick<ServerClock, 'now' | 'newId'>,
  hooks: PushHooks,
  careful: boolean,
): Promise<PushOutcome> {
  hooks.beginAttempt?.();
  const userId = who.user.id;
  const start = await write.beginPush(userId, request.clientId, highestId, refs);
  const { lastMutationId } = start;
  if (start.locked === null) {
    write.setLastMutationId(userId, request.clientId, lastMutationId);
    return {
      response: { lastMutationId, results: request.mutations.map((m) => ({ id: m.id, status: 'duplicate' as const })) },
      applied: 0,
      deletedTranscripts: [],
    };
  }
  const input: BatchInput = {
    write,
    who,
    request,
    parsed: request.mutations.map((m, i) => (m.id > lastMutationId ? (allParsed[i] ?? null) : null)),
    firstLastMutationId: lastMutationId,
    member: start.locked.member,
    owners: start.locked.owners,
    refs,
    prefetched: start.locked.entities,
    now: clock.now(),
    newId: clock.newId,
    hooks,
  };
  const outcome = careful ? await carefulRuns(input) : await applyBatch(input, new Map(), 'staged');
  write.saveLastMutationId(userId, request.clientId, outcome.response.lastMutationId);
  await hooks.beforeCommit(write.client, outcome.effects);
  return { response: outcome.response, applied: outcome.applied, deletedTranscripts: outcome.deletedTranscripts };
}

/** Runs the batch under a savepoint until no write of it is refused (see pushBatch). */
async function carefulRuns(input: BatchInput): Promise<BatchRun> {
  const refused = new Map<number, string>();
  let careful = true;
  // A careful run pins one more mutation (or throws), a fast one succeeds or leads to a careful
  // one, so this ends within 2n + 1 runs for a batch of n.
  for (;;) {
    const retried = (error: unknown) => error instanceof MutationWriteRefused || (!careful && isDataError(error));
    try {
      return await input.write.savepoint(() => applyBatch(input, refused, careful), retried);
    } catch (error) {
      if (!retried(error)) throw error;
      const pinned = error instanceof MutationWriteRefused;
      if (pinned) refused.set(error.mutationId, refusalMessage(error.refusal));
      // With the culprit known, the next run is fast again; careful only after a new data error.
      careful = !pinned;
    }
  }
}

/** Says what kind of refusal it was (the SQLSTATE), not Postgres's message, which names tables. */
function refusalMessage(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return `this change cannot be stored: the database refused one of its values (SQLSTATE ${String(code)})`;
}

interface BatchRun extends PushOutcome {
  effects: BatchEffects;
}

/**
 * One run of the batch. `stageWrites`: the writes go to SpaceWrite, for its one statement before
 * COMMIT; else (inside a savepoint) they are written at the end of the run, or after every mutation
 * when careful.
 */
async function applyBatch(input: BatchInput, refused: ReadonlyMap<number, string>, careful: boolean | 'staged'): Promise<BatchRun> {
  const { write, who, request, parsed, member, owners, now, hooks } = input;
  const { client } = write;
  const userId = who.user.id;
  const stage = careful === 'staged' ? (rows: readonly EntityRow[]) => write.stage(rows) : undefined;
  const tx = new PgMutationTx(write.entities, new Set(member), write, (id) => owners.get(id), input.newId, stage);
  tx.preload(input.refs, input.prefetched);

  /** What the applied mutations said they set in motion (see MutationEffects). */
  const submitted = new Map<string, number>();
  const submittedIn = new Map<string, string>();
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
        if (outcome.effects?.submitted) submittedIn.set(outcome.effects.submitted.transcriptId, outcome.effects.submitted.spaceId);
      }
      if (careful === true) {
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
    effects: { heads: write.moved(), lastMutationId: response.lastMutationId, submitted, submittedIn },
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

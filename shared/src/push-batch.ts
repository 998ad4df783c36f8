/**
 * How a push classifies its batch, the same on the server and in the client tests' fake server:
 * mutations at or below the client's lastMutationId are duplicates, a gap stops the batch (this
 * one and every later one are out_of_order), each next one is parsed and applied. What applying
 * means (storage, limits, retries) is the caller's.
 */
import type { MutationResult, PushResponse } from './api.ts';
import type { MutationOutcome } from './mutators.ts';
import { parseMutation, type Mutation, type MutationEnvelope, type ParsedMutation } from './mutations.ts';

export interface PushBatchSteps {
  /** The `index`-th envelope parsed ahead (the server parses each once, for every run of a batch); null: parse it here. */
  parse?(envelope: MutationEnvelope, index: number): ParsedMutation | null;
  /** Applies the next mutation in order; a parse failure is rejected without calling it. */
  apply(mutation: Mutation, envelope: MutationEnvelope): Promise<MutationOutcome>;
}

export async function classifyPush(
  lastMutationId: number,
  mutations: readonly MutationEnvelope[],
  steps: PushBatchSteps,
): Promise<PushResponse> {
  let last = lastMutationId;
  const results: MutationResult[] = [];
  let stopped = false;
  for (const [index, envelope] of mutations.entries()) {
    if (stopped || envelope.id > last + 1) {
      stopped = true;
      results.push({ id: envelope.id, status: 'out_of_order' });
      continue;
    }
    if (envelope.id <= last) {
      results.push({ id: envelope.id, status: 'duplicate' });
      continue;
    }
    last = envelope.id;
    const parsed = steps.parse?.(envelope, index) ?? parseMutation(envelope);
    const outcome: MutationOutcome = parsed.ok
      ? await steps.apply(parsed.mutation, envelope)
      : { status: 'rejected', code: parsed.code, message: parsed.message };
    results.push(
      outcome.status === 'applied'
        ? { id: envelope.id, status: 'applied' }
        : { id: envelope.id, status: 'rejected', error: { code: outcome.code, message: outcome.message } },
    );
  }
  return { lastMutationId: last, results };
}

import { describe, expect, it } from 'vitest';
import { formatHlc } from './hlc.ts';
import type { MutationEnvelope } from './mutations.ts';
import { classifyPush } from './push-batch.ts';

const hlc = formatHlc({ wall: 1_763_980_000_000, counter: 0, clientId: 'c1' });
const envelope = (id: number, name = 'conversation.update'): MutationEnvelope => ({ id, name, args: { id: 'k1', title: 'T' }, hlc });

describe('classifyPush', () => {
  it('reports duplicates, applies the next ones in order, and stops at a gap', async () => {
    const applied: number[] = [];
    const response = await classifyPush(2, [envelope(1), envelope(2), envelope(3), envelope(4), envelope(6), envelope(7)], {
      apply: async (mutation) => {
        applied.push(mutation.id);
        return { status: 'applied' };
      },
    });
    expect(applied).toEqual([3, 4]);
    expect(response).toEqual({
      lastMutationId: 4,
      results: [
        { id: 1, status: 'duplicate' },
        { id: 2, status: 'duplicate' },
        { id: 3, status: 'applied' },
        { id: 4, status: 'applied' },
        { id: 6, status: 'out_of_order' },
        { id: 7, status: 'out_of_order' },
      ],
    });
  });

  it('rejects what does not parse without applying it, and counts it as processed', async () => {
    const response = await classifyPush(0, [envelope(1, 'no.such'), envelope(2)], {
      apply: async () => ({ status: 'rejected', code: 'forbidden', message: 'not allowed' }),
    });
    expect(response).toEqual({
      lastMutationId: 2,
      results: [
        { id: 1, status: 'rejected', error: { code: 'unknown_mutation', message: 'unknown mutation "no.such"' } },
        { id: 2, status: 'rejected', error: { code: 'forbidden', message: 'not allowed' } },
      ],
    });
  });

  it('uses a parse done ahead when the caller has one', async () => {
    const response = await classifyPush(0, [envelope(1)], {
      parse: () => ({ ok: false, code: 'invalid_args', message: 'parsed ahead' }),
      apply: async () => ({ status: 'applied' }),
    });
    expect(response.results).toEqual([{ id: 1, status: 'rejected', error: { code: 'invalid_args', message: 'parsed ahead' } }]);
  });
});

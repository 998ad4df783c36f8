import { describe, expect, it } from 'vitest';
import { isMutationName, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH, MUTATION_NAMES, parseMutation, type MutationEnvelope } from './mutations.ts';

const HLC = '001763980000000:00000:c1';
const envelope = (name: string, args: unknown, hlc = HLC): MutationEnvelope => ({ id: 1, name, args, hlc });

function codeOf(e: MutationEnvelope): string | undefined {
  const parsed = parseMutation(e);
  return parsed.ok ? undefined : parsed.code;
}

/** Valid args for every mutation, as a client sends them. */
const VALID: Record<string, unknown> = {
  'conversation.create': { id: 'k1', spaceId: 'sp', title: 'Trip' },
  'conversation.update': { id: 'k1', archived: true },
  'conversation.read': { id: 'k1', upTo: 1_763_980_000_000 },
  'message.add': { id: 'm1', conversationId: 'k1', body: 'hi', replyTo: 'm0' },
  'message.edit': { id: 'm1', body: 'hello' },
  'message.delete': { id: 'm1' },
  'session.start': { id: 's1', startedAt: 1_763_980_000_000 },
  'session.activity': { id: 's1', kind: 'review', at: 1_763_980_000_000 },
  'session.end': { id: 's1', endedAt: 1_763_980_000_000 },
  'transcript.create': { id: 't1', spaceId: 'sp', text: '', language: 'es-MX' },
  'transcript.update': { id: 't1', text: 'hola' },
  'transcript.submit': { id: 't1' },
  'transcript.delete': { id: 't1' },
  'notification.read': { id: 'n1' },
  'conflict.resolve': { id: 'x1', resolution: 'dismissed' },
};

describe('parseMutation', () => {
  it('covers every mutation of the protocol', () => {
    expect([...MUTATION_NAMES].sort()).toEqual(Object.keys(VALID).sort());
  });

  it.each(Object.entries(VALID))('accepts %s', (name, args) => {
    const parsed = parseMutation({ id: 7, name, args, hlc: HLC });
    expect(parsed).toEqual({ ok: true, mutation: { id: 7, name, args, hlc: HLC } });
  });

  it('trims titles and keeps optional args absent', () => {
    const parsed = parseMutation(envelope('conversation.create', { id: 'k1', spaceId: 'sp', title: '  Trip  ' }));
    expect(parsed.ok && parsed.mutation.args).toEqual({ id: 'k1', spaceId: 'sp', title: 'Trip' });
    // No title: the app shows a default in the reader's language, nothing English is stored.
    const untitled = parseMutation(envelope('conversation.create', { id: 'k1', spaceId: 'sp', title: '   ' }));
    expect(untitled.ok && untitled.mutation.args).toEqual({ id: 'k1', spaceId: 'sp', title: '' });
    const update = parseMutation(envelope('conversation.update', { id: 'k1', title: 'New' }));
    expect(update.ok && update.mutation.args).toEqual({ id: 'k1', title: 'New' });
  });

  it.each(['conversation.delete', 'message', '', 'toString', '__proto__', 'constructor', 'Message.add'])(
    'rejects the unknown name %j as unknown_mutation',
    (name) => {
      expect(isMutationName(name)).toBe(false);
      expect(codeOf(envelope(name, {}))).toBe('unknown_mutation');
      // The name is checked first: a bad hlc does not change the answer.
      expect(codeOf(envelope(name, {}, 'bad'))).toBe('unknown_mutation');
    },
  );

  it.each([
    ['a title over 200 characters', 'conversation.create', { id: 'k1', spaceId: 'sp', title: 'x'.repeat(MAX_TITLE_LENGTH + 1) }],
    ['an updated title over 200 characters', 'conversation.update', { id: 'k1', title: 'x'.repeat(MAX_TITLE_LENGTH + 1) }],
    ['a blank title in a rename', 'conversation.update', { id: 'k1', title: '   ' }],
    ['an update that changes nothing', 'conversation.update', { id: 'k1' }],
    ['a message over 20,000 characters', 'message.add', { id: 'm1', conversationId: 'k1', body: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['an edit over 20,000 characters', 'message.edit', { id: 'm1', body: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['an empty message', 'message.add', { id: 'm1', conversationId: 'k1', body: '' }],
    [
      'a transcript over 20,000 characters',
      'transcript.create',
      { id: 't1', spaceId: 'sp', text: 'x'.repeat(MAX_TEXT_LENGTH + 1), language: 'en' },
    ],
    ['a transcript update over 20,000 characters', 'transcript.update', { id: 't1', text: 'x'.repeat(MAX_TEXT_LENGTH + 1) }],
    ['an id with a space', 'message.delete', { id: 'm 1' }],
    ['an id with a slash', 'message.delete', { id: '../m1' }],
    ['an id with a non-ASCII letter', 'message.delete', { id: 'mé' }],
    ['an empty id', 'message.delete', { id: '' }],
    ['an id over 64 characters', 'message.delete', { id: 'm'.repeat(65) }],
    ['a bad spaceId', 'conversation.create', { id: 'k1', spaceId: 'sp;drop', title: 'Trip' }],
    ['a numeric id', 'message.delete', { id: 1 }],
    ['a missing id', 'transcript.submit', {}],
    ['args that are not an object', 'transcript.submit', 't1'],
    ['null args', 'transcript.submit', null],
    ['an unknown activity kind', 'session.activity', { id: 's1', kind: 'sleep', at: 1 }],
    ['a negative time', 'session.start', { id: 's1', startedAt: -1 }],
    ['a fractional time', 'session.end', { id: 's1', endedAt: 1.5 }],
    ['a time as a string', 'session.start', { id: 's1', startedAt: '1763980000000' }],
    ['a bad language tag', 'transcript.create', { id: 't1', spaceId: 'sp', text: 'x', language: 'english!' }],
    ['a negative duration', 'transcript.create', { id: 't1', spaceId: 'sp', text: 'x', language: 'en', durationMs: -5 }],
  ])('rejects %s as invalid_args', (_, name, args) => {
    expect(codeOf(envelope(name, args))).toBe('invalid_args');
  });

  it('accepts texts and titles at their limits', () => {
    expect(parseMutation(envelope('conversation.create', { id: 'k1', spaceId: 'sp', title: 'x'.repeat(MAX_TITLE_LENGTH) })).ok).toBe(true);
    expect(parseMutation(envelope('message.add', { id: 'm1', conversationId: 'k1', body: 'x'.repeat(MAX_TEXT_LENGTH) })).ok).toBe(true);
    expect(parseMutation(envelope('transcript.update', { id: 't1', text: 'x'.repeat(MAX_TEXT_LENGTH) })).ok).toBe(true);
    expect(parseMutation(envelope('message.delete', { id: 'A-z_0'.repeat(12) + 'abcd' })).ok).toBe(true);
  });

  it.each([
    '',
    'soon',
    '1763980000000:00000:c1',
    '001763980000000:0:c1',
    '001763980000000:00000:',
    '001763980000000:00000:c/1',
    '001763980000000-00000-c1',
  ])('rejects the hlc %j as invalid_args', (hlc) => {
    const parsed = parseMutation(envelope('message.delete', { id: 'm1' }, hlc));
    expect(parsed).toMatchObject({ ok: false, code: 'invalid_args', message: expect.stringContaining('hlc') });
  });

  it('names the field at fault', () => {
    const parsed = parseMutation(envelope('conversation.create', { id: 'k1', spaceId: 'sp', title: 'x'.repeat(201) }));
    expect(parsed).toMatchObject({ ok: false, message: expect.stringContaining('title') });
  });
});

import { describe, expect, it } from 'vitest';
import { AcceptInviteRequestSchema, LoginRequestSchema, SignupRequestSchema } from './api.ts';
import { parseMutation } from './mutations.ts';
import { cutAtGrapheme, isStorableText } from './text.ts';

const HLC = '001763980000000:00000:c1';
const BAD = {
  nul: 'a\u0000b',
  'lone high surrogate': 'a\ud800b',
  'lone low surrogate': 'a\udc00b',
  'high surrogate at the end': 'ab\ud83d',
};

describe('isStorableText', () => {
  it.each<[string, string, boolean]>([
    ['plain text', 'hola, ¿qué tal?', true],
    ['Arabic with a right-to-left mark', 'مرحبا\u200f', true],
    ['an emoji (a surrogate pair)', 'hi 😀', true],
    ['a family emoji (pairs joined by ZWJ)', '👨‍👩‍👧', true],
    ['the empty string', '', true],
    ...Object.entries(BAD).map(([name, text]): [string, string, boolean] => [name, text, false]),
  ])('%s: %s', (_name, text, storable) => {
    expect(isStorableText(text)).toBe(storable);
  });
});

describe('every text field of the protocol refuses unstorable strings', () => {
  const mutations: Array<[string, (bad: string) => unknown]> = [
    ['conversation.create', (bad) => ({ id: 'k1', spaceId: 'sp', title: bad })],
    ['conversation.update', (bad) => ({ id: 'k1', title: bad })],
    ['message.add', (bad) => ({ id: 'm1', conversationId: 'k1', body: bad })],
    ['message.edit', (bad) => ({ id: 'm1', body: bad })],
    ['transcript.create', (bad) => ({ id: 't1', spaceId: 'sp', text: bad, language: 'en' })],
    ['transcript.update', (bad) => ({ id: 't1', text: bad })],
  ];
  for (const [kind, bad] of Object.entries(BAD)) {
    it.each(mutations)(`%s with a ${kind}: invalid_args`, (name, args) => {
      const parsed = parseMutation({ id: 1, name, args: args(bad), hlc: HLC });
      expect(parsed.ok ? 'ok' : parsed.code).toBe('invalid_args');
    });
    it(`signup, login and invite bodies with a ${kind}`, () => {
      const signup = { email: 'a@example.test', password: 'long enough', displayName: 'Ana' };
      expect(SignupRequestSchema.safeParse({ ...signup, displayName: bad }).success).toBe(false);
      expect(SignupRequestSchema.safeParse({ ...signup, password: `long enough${bad}` }).success).toBe(false);
      expect(SignupRequestSchema.safeParse({ ...signup, email: `a${bad}@example.test` }).success).toBe(false);
      expect(LoginRequestSchema.safeParse({ email: 'a@example.test', password: 'x', deviceName: bad }).success).toBe(false);
      expect(AcceptInviteRequestSchema.safeParse({ code: `ABCD${bad}` }).success).toBe(false);
      expect(SignupRequestSchema.safeParse(signup).success).toBe(true);
    });
  }
});

describe('cutAtGrapheme', () => {
  it.each<[string, string, number, string]>([
    ['short text is kept whole', 'hola', 10, 'hola'],
    ['a cut between letters', 'abcdef', 3, 'abc'],
    ['a cut inside an emoji drops the whole emoji', 'ab😀', 3, 'ab'],
    ['a cut inside a ZWJ family drops the whole family', 'a👨‍👩‍👧', 5, 'a'],
    ['a cut inside a letter with its accent keeps neither half', 'ae\u0301', 2, 'a'],
    ['a cut right after an emoji keeps it', 'ab😀c', 4, 'ab😀'],
  ])('%s', (_name, text, max, expected) => {
    const cut = cutAtGrapheme(text, max);
    expect(cut).toBe(expected);
    expect(isStorableText(cut)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import {
  AcceptInviteRequestSchema,
  ErrorBodySchema,
  LoginRequestSchema,
  MAX_PUSH_MUTATIONS,
  PullRequestSchema,
  PushRequestSchema,
  SignupRequestSchema,
} from './api.ts';

const mutation = (id: number) => ({ id, name: 'message.delete', args: { id: 'm1' }, hlc: '001763980000000:00000:c1' });

describe('signup and login', () => {
  it('normalises the email and keeps optional fields absent', () => {
    expect(SignupRequestSchema.parse({ email: '  Ana@Example.COM ', password: '12345678', displayName: ' Ana ' })).toEqual({
      email: 'ana@example.com',
      password: '12345678',
      displayName: 'Ana',
    });
  });

  it.each([
    ['a password under 8 characters', { password: '1234567' }],
    ['an email that is not one', { email: 'ana' }],
    ['a blank display name', { displayName: '   ' }],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }],
    ['a malformed locale', { locale: 'english' }],
  ])('rejects %s', (_, change) => {
    const body = { email: 'ana@example.com', password: '12345678', displayName: 'Ana', ...change };
    expect(SignupRequestSchema.safeParse(body).success).toBe(false);
  });

  it('accepts a real time zone and locale', () => {
    const body = { email: 'a@b.co', password: '12345678', displayName: 'A', timeZone: 'America/New_York', locale: 'es-MX' };
    expect(SignupRequestSchema.parse(body)).toMatchObject({ timeZone: 'America/New_York', locale: 'es-MX' });
  });

  it('matches emails case-insensitively at login', () => {
    expect(LoginRequestSchema.parse({ email: 'ANA@example.com', password: 'x' }).email).toBe('ana@example.com');
  });
});

describe('push', () => {
  it(`takes at most ${MAX_PUSH_MUTATIONS} mutations`, () => {
    const many = (n: number) => ({ clientId: 'c1', mutations: Array.from({ length: n }, (_, i) => mutation(i + 1)) });
    expect(PushRequestSchema.safeParse(many(MAX_PUSH_MUTATIONS)).success).toBe(true);
    expect(PushRequestSchema.safeParse(many(MAX_PUSH_MUTATIONS + 1)).success).toBe(false);
  });

  it.each([
    ['a bad clientId', { clientId: 'c 1', mutations: [] }],
    ['a mutation id of 0', { clientId: 'c1', mutations: [mutation(0)] }],
    ['a fractional mutation id', { clientId: 'c1', mutations: [mutation(1.5)] }],
    ['no mutations array', { clientId: 'c1' }],
  ])('rejects %s', (_, body) => {
    expect(PushRequestSchema.safeParse(body).success).toBe(false);
  });

  it('leaves mutation names and args to parseMutation', () => {
    const body = { clientId: 'c1', mutations: [{ id: 1, name: 'no.such', args: 42, hlc: 'later' }] };
    expect(PushRequestSchema.safeParse(body).success).toBe(true);
  });
});

describe('pull', () => {
  it.each([
    [{ clientId: 'c1', cursor: null }, true],
    [{ clientId: 'c1', cursor: 'abc', limit: 1 }, true],
    [{ clientId: 'c1', cursor: 'abc', limit: 1000 }, true],
    [{ clientId: 'c1', cursor: 'abc', limit: 0 }, false],
    [{ clientId: 'c1', cursor: 'abc', limit: 1001 }, false],
    [{ clientId: 'c1', cursor: 'abc', limit: 2.5 }, false],
    [{ clientId: 'c1' }, false],
  ])('%j valid: %s', (body, valid) => {
    expect(PullRequestSchema.safeParse(body).success).toBe(valid);
  });
});

describe('invites and errors', () => {
  it('trims an invite code and refuses an empty one', () => {
    expect(AcceptInviteRequestSchema.parse({ code: ' ABCD1234 ' })).toEqual({ code: 'ABCD1234' });
    expect(AcceptInviteRequestSchema.safeParse({ code: '  ' }).success).toBe(false);
  });

  it('describes the error body of the protocol', () => {
    expect(ErrorBodySchema.safeParse({ error: { code: 'not_found', message: 'no such thing' } }).success).toBe(true);
    expect(ErrorBodySchema.safeParse({ error: { code: 'not_found' } }).success).toBe(false);
  });
});

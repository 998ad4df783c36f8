import { describe, expect, it } from 'vitest';
import { parseRoute, routePath } from './routes.ts';

describe('the routes of the emails’ links', () => {
  it('opens the accept screen with the invite code filled in', () => {
    expect(parseRoute('/partner', '?code=ABCD-EFGH-JKLM')).toEqual({ name: 'partner', code: 'ABCD-EFGH-JKLM' });
    expect(parseRoute('/partner', '')).toEqual({ name: 'partner' });
    expect(routePath({ name: 'partner', code: 'AB CD' })).toBe('/partner?code=AB%20CD');
  });

  it('opens the reset screen with its token, and the forgot-password screen', () => {
    expect(parseRoute('/reset-password', '?token=abc_-123')).toEqual({ name: 'resetPassword', token: 'abc_-123' });
    expect(parseRoute('/reset-password', '')).toEqual({ name: 'resetPassword', token: '' });
    expect(parseRoute('/forgot-password')).toEqual({ name: 'forgotPassword' });
    expect(routePath({ name: 'resetPassword', token: 'x y' })).toBe('/reset-password?token=x%20y');
  });
});

// The emails' words in the three languages, with the one link, and names escaped in the HTML part.
import { describe, expect, it } from 'vitest';
import { emailLanguage, renderEmail } from './email-templates.ts';

describe('renderEmail', () => {
  const reset = { kind: 'password-reset', link: 'https://duet.example/reset-password?token=abc&x=1', ttlMin: 60 } as const;

  it('picks the language from the locale, English for any other', () => {
    expect(['es-MX', 'ar', 'AR-eg', 'en-GB', 'fr', null, undefined].map(emailLanguage)).toEqual(['es', 'ar', 'ar', 'en', 'en', 'en', 'en']);
  });

  it('writes the reset email in each language with its link in both parts', () => {
    for (const [language, subject] of [
      ['en', 'Reset your Duet password'],
      ['es', 'Restablece tu contraseña de Duet'],
      ['ar', 'إعادة تعيين كلمة مرور Duet'],
    ] as const) {
      const email = renderEmail('rosa@example.com', language, reset);
      expect(email.subject).toBe(subject);
      expect(email.text).toContain(reset.link);
      expect(email.html).toContain('href="https://duet.example/reset-password?token=abc&amp;x=1"');
      expect(email.links).toEqual([reset.link]);
    }
    expect(renderEmail('r@example.com', 'ar', reset).html).toContain('dir="rtl"');
  });

  it('escapes the inviter’s name in the HTML part and shows the code and its day', () => {
    const email = renderEmail('ben@example.com', 'en', {
      kind: 'invite',
      inviterName: '<img src=x onerror=alert(1)>',
      code: 'ABCD-EFGH-JKLM',
      link: 'https://duet.example/partner?code=ABCD-EFGH-JKLM',
      expiresAt: '2026-12-08T10:00:00.000Z',
    });
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.text).toContain('Your invite code is ABCD-EFGH-JKLM (valid until 2026-12-08).');
  });
});

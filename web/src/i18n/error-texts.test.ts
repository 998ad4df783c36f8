// The codes the server refuses with are told in plain words in every language the app speaks:
// a rejected mutation's reason, and an upload's refusal.
import { ErrorCode } from '@duet/shared';
import { describe, expect, it } from 'vitest';
import ar from '../locales/ar.json';
import en from '../locales/en.json';
import es from '../locales/es.json';

const locales = { en, es, ar } as Record<string, { rejected: { reason: Record<string, string> }; errors: Record<string, string> }>;

describe('error texts in every language', () => {
  it.each(Object.keys(locales))('%s explains a submit refused for too many transcripts waiting', (language) => {
    const reason = locales[language]?.rejected.reason[ErrorCode.tooManyJobs];
    expect(reason?.trim().length).toBeGreaterThan(10);
    expect(reason).not.toBe(locales[language]?.rejected.reason.other);
  });

  it.each(Object.keys(locales))('%s explains the upload limits', (language) => {
    for (const code of [ErrorCode.tooManyUploads, ErrorCode.audioQuotaExceeded]) {
      expect(locales[language]?.errors[code]?.trim().length, code).toBeGreaterThan(10);
    }
  });
});

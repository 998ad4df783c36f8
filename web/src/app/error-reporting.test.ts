import { describe, expect, it } from 'vitest';
import { createErrorReporter, reportOf } from './error-reporting.ts';

describe('client error reports', () => {
  it('keep the name, the frames and the request id, never the message', () => {
    const error = Object.assign(new TypeError('the text Ana typed'), { requestId: '01JREQ' });
    const report = reportOf('error', error, '0.1.0', '/conversations/1');
    expect(report).toMatchObject({ appVersion: '0.1.0', kind: 'error', name: 'TypeError', path: '/conversations/1', requestId: '01JREQ' });
    expect(report.stack).toMatch(/^\s+at /);
    expect(JSON.stringify(report)).not.toContain('Ana typed');
  });

  it('describe a rejection with something other than an Error by its type', () => {
    expect(reportOf('unhandledrejection', 'a string with words', '0.1.0', '/').name).toBe('string');
    expect(JSON.stringify(reportOf('unhandledrejection', 'a string with words', '0.1.0', '/'))).not.toContain('words');
  });

  it('send at most maxPerMinute reports a minute', () => {
    const sent: string[] = [];
    let now = 0;
    const reporter = createErrorReporter({ appVersion: '0.1.0', send: (b) => sent.push(b), now: () => now, maxPerMinute: 2 });
    expect([1, 2, 3].map(() => reporter.report('error', new Error('x'), '/'))).toEqual([true, true, false]);
    now = 61_000;
    expect(reporter.report('error', new Error('x'), '/')).toBe(true);
    expect(sent).toHaveLength(3);
  });
});

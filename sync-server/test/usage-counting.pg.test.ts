// The month's usage is counted atomically in Postgres: many takes at once never pass the limit,
// and a refused take adds nothing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRepo } from '../src/store/usage-repo.ts';
import type { TestServer } from './harness.ts';
import { account, startWithAccounts, type Account } from './support/accounts.ts';

describe('usage counters', () => {
  let server: TestServer;
  let ana: Account;
  let pool: pg.Pool;

  beforeAll(async () => {
    ({ server, accounts: ana } = await startWithAccounts((started) => account(started, 'Ana')));
    pool = new pg.Pool({ connectionString: server.databaseUrl, max: 8 });
  });
  afterAll(async () => {
    await pool?.end();
    await server?.close();
  });

  it('lets exactly `limit` of many parallel takes through', async () => {
    const repo = new UsageRepo(pool);
    const results = await Promise.all(Array.from({ length: 30 }, () => repo.add(ana.userId, '2026-01', 'analyses', 1, 7)));
    expect(results.filter((r) => r !== null)).toHaveLength(7);
    expect(await repo.used(ana.userId, '2026-01', 'analyses')).toBe(7);
  });

  it('refuses a take larger than what is left, even the first of the month, and counts months apart', async () => {
    const repo = new UsageRepo(pool);
    expect(await repo.add(ana.userId, '2026-02', 'audio_minutes', 5, 4)).toBeNull();
    expect(await repo.used(ana.userId, '2026-02', 'audio_minutes')).toBe(0);
    expect(await repo.add(ana.userId, '2026-02', 'audio_minutes', 3, 4)).toBe(3);
    expect(await repo.add(ana.userId, '2026-02', 'audio_minutes', 2, 4)).toBeNull();
    expect(await repo.add(ana.userId, '2026-03', 'audio_minutes', 2, 4)).toBe(2);
    expect(await repo.usedAll(ana.userId, '2026-02')).toEqual({ analyses: 0, audio_minutes: 3 });
  });
});

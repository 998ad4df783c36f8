// The error handler tells outages from bugs on the real server: a connection Postgres drops mid-push
// is a 503 with Retry-After (try again), an error in the code is a 500 internal (counted, not "try again").
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import type { TestServer } from './harness.ts';
import { account, startWithAccounts, type Account } from './support/accounts.ts';
import { bearer, describeResponse, expectError, push, pushRequest, sleep } from './support/api.ts';
import { hlcAt } from './support/sync-client.ts';
import { sampleValue, scrapeMetrics } from './support/metrics-scrape.ts';
import { createUpload } from './support/tus-http.ts';

/** Waits (bounded) for a backend of this database that waits on a lock; returns its pid. */
async function lockWaiter(db: pg.Client): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const rows = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    if (rows.rows[0]) return rows.rows[0].pid;
    await sleep(20);
  }
  throw new Error('no push waited on the locked space within 2 s');
}

describe('outage or bug', () => {
  let server: TestServer;
  let ana: Account;
  let db: pg.Client;

  beforeAll(async () => {
    ({ server, accounts: ana } = await startWithAccounts((started) => account(started, 'Ana')));
    db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.query('ROLLBACK').catch(() => {});
    await db?.end();
    await server?.close();
  });

  it('answers a push whose Postgres connection is terminated mid-way 503 with Retry-After, and applies none of it', async () => {
    const clientId = `lost-${newId()}`;
    const mutations = [
      {
        id: 1,
        name: 'conversation.create',
        args: { id: newId(), spaceId: ana.personalSpaceId, title: 'Lost' },
        hlc: hlcAt(Date.now(), clientId),
      },
    ];
    // Hold the space's row so the push waits inside its transaction, then end its backend as a
    // restarting or failing-over Postgres would.
    await db.query('BEGIN');
    await db.query('SELECT id FROM spaces WHERE id = $1 FOR UPDATE', [ana.personalSpaceId]);
    // .then() sends it now (supertest sends lazily).
    const pending = pushRequest(server, ana.token, { clientId, mutations }).then((res) => res);
    try {
      const pid = await lockWaiter(db);
      await db.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await db.query('ROLLBACK');
    }
    const res = await pending;
    expectError(res, 503, 'unavailable');
    expect(Number(res.headers['retry-after']), describeResponse(res)).toBeGreaterThan(0);

    // Nothing was applied: the same batch, sent again, is applied now (not a duplicate).
    const again = await push(server, ana.token, clientId, mutations);
    expect(again.results).toEqual([{ id: 1, status: 'applied' }]);
  });

  it('answers an error in the code (here a table missing) 500 internal without Retry-After, and counts it', async () => {
    const before = sampleValue(await scrapeMetrics(server), 'duet_http_internal_errors_total');
    await db.query('ALTER TABLE invites RENAME TO invites_moved');
    try {
      const res = await request(server.url).post('/api/invites').set('Authorization', bearer(ana.token));
      expectError(res, 500, 'internal');
      expect(res.headers['retry-after']).toBeUndefined();
      expect(res.body.error.message).not.toMatch(/try again/i);
    } finally {
      await db.query('ALTER TABLE invites_moved RENAME TO invites');
    }
    expect(sampleValue(await scrapeMetrics(server), 'duet_http_internal_errors_total')).toBe(before + 1);
  });

  it('answers a tus upload that meets an error in the code 500 internal, not 503', async () => {
    const transcriptId = newId();
    const clientId = `tus-${newId()}`;
    const created = await push(server, ana.token, clientId, [
      {
        id: 1,
        name: 'transcript.create',
        args: { id: transcriptId, spaceId: ana.personalSpaceId, text: 'x', language: 'en' },
        hlc: hlcAt(Date.now(), clientId),
      },
    ]);
    expect(created.results[0]?.status).toBe('applied');
    await db.query('ALTER TABLE uploads RENAME TO uploads_moved');
    try {
      const { response } = await createUpload(server, ana.token, { length: 100, metadata: { transcriptId, filetype: 'audio/ogg' } });
      expect(response.status, response.body).toBe(500);
      expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe('internal');
    } finally {
      await db.query('ALTER TABLE uploads_moved RENAME TO uploads');
    }
  });
});

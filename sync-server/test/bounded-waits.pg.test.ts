// "Nothing waits without a bound" (issue 9, section 2): with Postgres stopped (SIGSTOP) or a space
// lock held elsewhere, a push answers 503 while the stall lasts instead of hanging through it, and
// goes through once Postgres answers again. Runs against a PostgreSQL cluster of this test's own,
// which it pauses; the machine's shared Postgres is never touched that way.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newId } from '@duet/shared';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { createPool, inTransaction } from '../src/db/pool.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { account, type Account } from './support/accounts.ts';
import { describeResponse, expectError, pushRequest } from './support/api.ts';
import { startPgCluster, type PgCluster } from './support/pg-cluster.ts';
import { SyncClient } from './support/sync-client.ts';

const TIMEOUTS = { connectMs: 1000, statementMs: 1000, lockMs: 500, idleInTransactionMs: 2000 };
/** How long the test holds a stall at most: far longer than every bound above. */
const STALL_MS = 20_000;

describe('bounded waits on Postgres', () => {
  let cluster: PgCluster | undefined;
  let server: TestServer | undefined;
  let who: Account;

  beforeAll(async () => {
    cluster = await startPgCluster();
    const databaseUrl = await cluster.createDatabase('duet');
    server = await startTestServer({ redisUrl: null, pgTimeouts: TIMEOUTS }, { sharedDatabaseUrl: databaseUrl });
    who = await account(server, 'Waiting');
  }, 60_000);
  afterAll(async () => {
    // Whatever a test left paused must answer again, or closing the server would wait on it.
    cluster?.resume();
    await server?.close();
    await cluster?.destroy();
  });

  it('answers a push 503 while Postgres is stopped, within the stall, and applies it once Postgres is back', async () => {
    const app = server as TestServer;
    const db = cluster as PgCluster;
    const client = new SyncClient(app, who.token);
    client.mutate('conversation.create', { id: newId(), spaceId: who.personalSpaceId, title: 'before the stall' });
    await client.push();

    const conversationId = newId();
    const envelope = client.mutate('conversation.create', { id: conversationId, spaceId: who.personalSpaceId, title: 'during the stall' });
    db.pause();
    let during: request.Response;
    let ready: request.Response;
    try {
      // Without bounds these wait for the whole stall, and the test's own timeout ends them first.
      during = await pushRequest(app, who.token, { clientId: client.clientId, mutations: [envelope] }).timeout(STALL_MS);
      ready = await request(app.url).get('/api/ready').timeout(STALL_MS);
    } finally {
      db.resume();
    }
    expectError(during, 503, 'unavailable');
    expect(ready.status, describeResponse(ready)).toBe(503);
    expect((ready.body as { postgres?: { up?: boolean } }).postgres?.up).toBe(false);

    // The pool dropped the connections it gave up on: the retry goes through, and applies once.
    const after = await client.push([envelope]);
    expect(after.results).toEqual([{ id: envelope.id, status: 'applied' }]);
    const pulled = await client.pull();
    expect(pulled.pages.flatMap((p) => p.changes).filter((c) => c.id === conversationId)).toHaveLength(1);
  }, 60_000);

  it('answers a push 503 when a space lock is held longer than the lock timeout, and applies it after', async () => {
    const app = server as TestServer;
    const client = new SyncClient(app, who.token);
    const envelope = client.mutate('conversation.create', { id: newId(), spaceId: who.personalSpaceId, title: 'behind a lock' });
    const holder = new pg.Client({ connectionString: app.databaseUrl });
    await holder.connect();
    let blocked: request.Response;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM spaces WHERE id = $1 FOR UPDATE', [who.personalSpaceId]);
      blocked = await pushRequest(app, who.token, { clientId: client.clientId, mutations: [envelope] }).timeout(STALL_MS);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      await holder.end();
    }
    expectError(blocked, 503, 'unavailable');
    const after = await client.push([envelope]);
    expect(after.results).toEqual([{ id: envelope.id, status: 'applied' }]);
  }, 60_000);

  it('gives every pooled session the statement, lock and idle-in-transaction timeouts', async () => {
    const pool = createPool((server as TestServer).databaseUrl, 1, TIMEOUTS);
    try {
      const shown = await pool.query<{ statement: string; lock: string; idle: string }>(
        `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                current_setting('idle_in_transaction_session_timeout') AS idle`,
      );
      expect(shown.rows[0]).toEqual({ statement: '1s', lock: '500ms', idle: '2s' });
    } finally {
      await pool.end();
    }
  });

  it('on the embedded PGlite, whose connections share one session, bounds each transaction and leaves the session alone', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'duet-pglite-'));
    const embedded = await startEmbeddedPostgres(dataDir, 4);
    const pool = createPool(embedded.url, 2, TIMEOUTS, { sharedSession: true });
    const settings = `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock`;
    try {
      const inside = await inTransaction(pool, async (client) => (await client.query(settings)).rows[0]);
      const outside = (await pool.query(settings)).rows[0];
      expect({ inside, outside }).toEqual({ inside: { statement: '1s', lock: '500ms' }, outside: { statement: '0', lock: '0' } });
    } finally {
      await pool.end();
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

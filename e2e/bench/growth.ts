/**
 * Growth (opt-in: `npm run bench -- --growth`): how the cost of sync grows with data. One person's
 * space is seeded with SQL (generate_series) to 10,000, 100,000 and 1,000,000 messages, with five
 * years of sessions; at each size: a push of 5 messages, the pull of those changes, an empty pull,
 * stats over the five years, a new device's first sync, and the pull query's plan.
 */
import { encodeCursor } from '@duet/sync-server';
import pg from 'pg';
import { startAppServer } from '../support/app-server.ts';
import { percentile, round } from './node-device.ts';

const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SAMPLES = 15;

export interface GrowthPoint {
  messages: number;
  seedSeconds: number;
  push5: { p50: number; p95: number };
  pullOfThose: { p50: number; p95: number };
  emptyPull: { p50: number; p95: number };
  stats: { p50: number; p95: number };
  firstSync: { pages: number; rows: number; firstPageMs: number; rowsPerSecond: number; complete: boolean };
  pullPlan: { usesIndex: boolean; executionMs: number; node: string };
}

export interface GrowthResult {
  sessions: number;
  points: GrowthPoint[];
}

async function call(base: string, token: string, path: string, body?: unknown): Promise<{ ms: number; json: Record<string, unknown> }> {
  const started = performance.now();
  const response = await fetch(`${base}/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json).slice(0, 200)}`);
  return { ms: performance.now() - started, json };
}

const figures = (values: number[]) => ({ p50: round(percentile(values, 50)), p95: round(percentile(values, 95)) });

export async function runGrowth(sizes = [10_000, 100_000, 1_000_000]): Promise<GrowthResult> {
  const server = await startAppServer();
  const base = server.url.replace('localhost', '127.0.0.1');
  const dbUrl = new URL(ADMIN_DATABASE_URL);
  dbUrl.pathname = `/${server.database}`;
  const db = new pg.Client({ connectionString: dbUrl.toString() });
  await db.connect();
  try {
    const run = Math.random().toString(36).slice(2, 8);
    const signup = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `growth-${run}@bench.test`, password: 'bench-password', displayName: 'Growth' }),
    });
    const { token, user } = (await signup.json()) as { token: string; user: { id: string } };
    const me = await call(base, token, '/me');
    const spaceId = (me.json.spaces as Array<{ id: string; kind: string }>).find((s) => s.kind === 'personal')?.id as string;
    const conversationId = `growth-${run}`;
    let mutationId = 0;
    const hlc = () => `${String(Date.now()).padStart(15, '0')}:00000:growth`;
    const pushMessages = (count: number) =>
      call(base, token, '/sync/push', {
        clientId: 'growth-writer',
        mutations: Array.from({ length: count }, () => ({
          id: ++mutationId,
          name: 'message.add',
          args: { id: `g-${run}-${mutationId}`, conversationId, body: 'a new message after years of them' },
          hlc: hlc(),
        })),
      });
    await call(base, token, '/sync/push', {
      clientId: 'growth-writer',
      mutations: [{ id: ++mutationId, name: 'conversation.create', args: { id: conversationId, spaceId, title: 'Years' }, hlc: hlc() }],
    });

    // Five years of sessions, two a day, each ten minutes of chat.
    const sessions = 2 * 365 * 5;
    const headOf = async () =>
      Number(
        (await db.query<{ head_version: number }>('SELECT head_version FROM spaces WHERE id = $1', [spaceId])).rows[0]?.head_version ?? 0,
      );
    let head = await headOf();
    await db.query(
      `WITH ins AS (
         INSERT INTO entities (kind, id, space_id, version, deleted, data)
         SELECT 'session', 'gs-' || $3::text || '-' || i, $1::text, $6::bigint + i, false,
                jsonb_build_object('id', 'gs-' || $3::text || '-' || i, 'spaceId', $1::text, 'userId', $2::text,
                  'startedAt', $4::bigint - i::bigint * 43200000, 'endedAt', $4::bigint - i::bigint * 43200000 + 600000,
                  'lastActivityAt', $4::bigint - i::bigint * 43200000 + 600000, 'activities', '["chat"]'::jsonb)
           FROM generate_series(1, $5::int) i)
       UPDATE spaces SET head_version = head_version + $5::int WHERE id = $1`,
      [spaceId, user.id, run, Date.now(), sessions, head],
    );

    const points: GrowthPoint[] = [];
    let seeded = 0;
    for (const size of sizes) {
      const seedStarted = performance.now();
      // The server writes nothing into this space meanwhile (the bench's own pushes are done).
      head = await headOf();
      await db.query(
        `WITH ins AS (
           INSERT INTO entities (kind, id, space_id, version, deleted, data)
           SELECT 'message', 'gm-' || $3::text || '-' || i, $1::text, $7::bigint + i - $5::bigint, false,
                  jsonb_build_object('id', 'gm-' || $3::text || '-' || i, 'spaceId', $1::text, 'conversationId', $4::text, 'authorId', $2::text,
                    'body', 'we talked about the plan for the weekend and what each of us wants to change next month #' || i,
                    'createdAt', 1700000000000 + i, 'editedAt', null, 'deleted', false,
                    'meta', jsonb_build_object('body', jsonb_build_object('hlc', '001700000000000:00000:seed', 'by', $2::text, 'at', 1700000000000 + i)))
             FROM generate_series($5::bigint + 1, $6::bigint) i)
         UPDATE spaces SET head_version = head_version + $6::bigint - $5::bigint WHERE id = $1`,
        [spaceId, user.id, run, conversationId, seeded, size, head],
      );
      await db.query('ANALYZE entities');
      seeded = size;
      const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);

      // A reader at the head (a cursor at the space's head version, as a device that is caught up holds).
      const reader = `growth-reader-${size}`;
      const readerHead = await headOf();
      let cursor: string = encodeCursor({ userId: user.id, versions: new Map([[spaceId, readerHead]]) });
      const push5: number[] = [];
      const pullOfThose: number[] = [];
      const emptyPull: number[] = [];
      const stats: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        push5.push((await pushMessages(5)).ms);
        const pulled = await call(base, token, '/sync/pull', { clientId: reader, cursor, limit: 1000 });
        pullOfThose.push(pulled.ms);
        cursor = pulled.json.cursor as string;
        emptyPull.push((await call(base, token, '/sync/pull', { clientId: reader, cursor, limit: 1000 })).ms);
        stats.push((await call(base, token, '/stats')).ms);
      }

      // A new device's first sync: every page (the first 20 at 1M, to keep the bench's time bounded).
      const maxPages = size > 100_000 ? 20 : Infinity;
      let pages = 0;
      let rows = 0;
      let firstPageMs = 0;
      let next: string | null = null;
      let complete = false;
      const syncStarted = performance.now();
      while (pages < maxPages) {
        const page = await call(base, token, '/sync/pull', { clientId: `growth-new-${size}`, cursor: next, limit: 1000 });
        if (pages === 0) firstPageMs = page.ms;
        pages += 1;
        rows += (page.json.changes as unknown[]).length;
        next = page.json.cursor as string;
        if (page.json.hasMore !== true) {
          complete = true;
          break;
        }
      }
      const syncSeconds = (performance.now() - syncStarted) / 1000;

      // The pull query's plan at a cursor halfway through the space.
      const plan = await db.query<{ 'QUERY PLAN': Array<{ Plan: unknown; 'Execution Time': number }> }>(
        `EXPLAIN (ANALYZE, FORMAT JSON)
         SELECT e.kind, e.id, e.space_id, e.version, e.deleted, e.data
           FROM unnest($1::text[], $2::bigint[]) AS c(space_id, after)
           CROSS JOIN LATERAL (SELECT * FROM entities e WHERE e.space_id = c.space_id AND e.version > c.after ORDER BY e.version LIMIT $3) e
          ORDER BY e.space_id, e.version LIMIT $3`,
        [[spaceId], [Math.floor(size / 2)], 1001],
      );
      const planJson = plan.rows[0]?.['QUERY PLAN'][0];
      const planText = JSON.stringify(planJson?.Plan ?? {});
      points.push({
        messages: size,
        seedSeconds,
        push5: figures(push5),
        pullOfThose: figures(pullOfThose),
        emptyPull: figures(emptyPull),
        stats: figures(stats),
        firstSync: { pages, rows, firstPageMs: round(firstPageMs), rowsPerSecond: Math.round(rows / syncSeconds), complete },
        pullPlan: {
          usesIndex: planText.includes('entities_space_version_idx'),
          executionMs: round(planJson?.['Execution Time'] ?? Number.NaN, 2),
          node: /"Node Type":"(Index Scan|Index Only Scan|Bitmap Heap Scan|Seq Scan)"/.exec(planText)?.[1] ?? 'unknown',
        },
      });
      process.stderr.write(`[bench] growth ${size}: ${JSON.stringify(points[points.length - 1])}\n`);
    }
    return { sessions, points };
  } finally {
    await db.end();
    await server.stop();
  }
}

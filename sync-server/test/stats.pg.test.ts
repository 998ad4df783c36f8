// GET /api/stats has Postgres find the days sessions started on, in the user's time zone, so it
// never reads years of sessions. These tests hold it to the shared definition (`sessionStats`,
// computed here from the same sessions) across time zones, DST changes and midnights, and show
// that a session row whose times are not dates is left out instead of failing the route.
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsResponseSchema, newId, sessionStats, type SessionTimes, type StatsResponse } from '@duet/shared';
import { signup, startTestServer, type TestServer } from './harness.ts';
import { bearer, describeResponse, personalSpaceId } from './support/api.ts';
import { Random } from './support/random.ts';

const DAY = 86_400_000;
const ZONES = ['UTC', 'Europe/Madrid', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'america/santiago'];

async function stats(server: TestServer, token: string): Promise<StatsResponse> {
  const res = await request(server.url).get('/api/stats').set('Authorization', bearer(token));
  expect(res.status, describeResponse(res)).toBe(200);
  return StatsResponseSchema.parse(res.body);
}

/** Writes session rows straight into the space (years of them would take long to push). */
async function seed(db: pg.Client, spaceId: string, rows: unknown[]): Promise<void> {
  const head = await db.query<{ head: number }>(
    'UPDATE spaces SET head_version = head_version + 1 WHERE id = $1 RETURNING head_version AS head',
    [spaceId],
  );
  const version = head.rows[0]?.head;
  if (version === undefined) throw new Error(`no space ${spaceId}`);
  await db.query(
    `INSERT INTO entities (kind, id, space_id, version, data)
     SELECT 'session', r->>'id', $1, $2, r FROM jsonb_array_elements($3::jsonb) AS r`,
    [spaceId, version, JSON.stringify(rows)],
  );
}

function session(spaceId: string, startedAt: number, endedAt: number | null, lastActivityAt: number) {
  return { id: newId(), spaceId, userId: 'u', startedAt, endedAt, lastActivityAt, activities: [] };
}

/** Sessions over three years, thick in the last month, with some at local midnights and DST changes. */
function sessionsFor(spaceId: string, random: Random, now: number): Array<ReturnType<typeof session>> {
  const out: Array<ReturnType<typeof session>> = [];
  const add = (startedAt: number) => {
    const length = random.int(0, 90) * 60_000 + random.int(0, 59_999);
    const open = random.chance(0.2);
    out.push(session(spaceId, startedAt, open ? null : startedAt + (random.chance(0.1) ? 300 : length), startedAt + length));
  };
  for (let i = 0; i < 400; i++) add(now - random.int(0, 3 * 365) * DAY - random.int(0, DAY - 1));
  // A run of days that is surely the current streak, and every hour around the last few midnights.
  for (let d = 0; d < 12; d++) add(now - d * DAY - random.int(0, 3_600_000));
  for (let h = 0; h < 96; h += 1) if (random.chance(0.3)) add(now - h * 3_600_000 + random.int(-60_000, 60_000));
  // The 2025 DST changes of both hemispheres, an hour either side.
  for (const change of [Date.UTC(2025, 2, 30, 1), Date.UTC(2025, 9, 26, 1), Date.UTC(2025, 3, 6, 2), Date.UTC(2025, 8, 7, 2)]) {
    for (let m = -60; m <= 60; m += 20) add(change + m * 60_000);
  }
  // Sessions that start in the future (a device with a fast clock) count for nothing.
  add(now + 2 * DAY);
  return out;
}

describe('GET /api/stats over years of sessions', () => {
  let server: TestServer;
  let db: pg.Client;

  beforeAll(async () => {
    server = await startTestServer();
    db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  for (const [index, zone] of ZONES.entries()) {
    it(`gives what the shared definition gives, in ${zone}`, async () => {
      const who = await signup(server, { displayName: 'Stats', timeZone: zone });
      const spaceId = await personalSpaceId(server, who.token);
      const rows = sessionsFor(spaceId, new Random(1000 + index), Date.now());
      await seed(db, spaceId, rows);

      const before = Date.now();
      const answer = await stats(server, who.token);
      const after = Date.now();
      // Around a midnight the server's "today" may be either side's.
      const expected = [sessionStats(rows, before, zone), sessionStats(rows, after, zone)];
      expect(expected).toContainEqual(answer);
      expect(answer.currentStreak, 'the seeded run of days is a streak').toBeGreaterThanOrEqual(11);
      expect(answer.sessionsLast7Days).toBeGreaterThan(0);
    });
  }

  it('leaves out a session row whose times are not dates, instead of failing', async () => {
    const who = await signup(server, { displayName: 'Odd', timeZone: 'Europe/Madrid' });
    const spaceId = await personalSpaceId(server, who.token);
    const now = Date.now();
    const good: SessionTimes[] = [
      { startedAt: now - 3_600_000, endedAt: now - 1_800_000, lastActivityAt: now - 1_800_000 },
      { startedAt: now - DAY, endedAt: null, lastActivityAt: now - DAY + 600_000 },
    ];
    const bad = [
      { ...session(spaceId, 1e300, null, 1e300) },
      { ...session(spaceId, now, null, now), startedAt: 'yesterday' },
      { ...session(spaceId, now, null, now), endedAt: 'soon' },
      { ...session(spaceId, now, null, now), lastActivityAt: undefined },
      { ...session(spaceId, -9e15, -9e15, -9e15) },
    ];
    await seed(db, spaceId, [...good.map((s) => session(spaceId, s.startedAt, s.endedAt, s.lastActivityAt)), ...bad]);

    const answer = await stats(server, who.token);
    expect([sessionStats(good, now, 'Europe/Madrid'), sessionStats(good, Date.now(), 'Europe/Madrid')]).toContainEqual(answer);
    expect(answer.sessionsLast7Days).toBe(2);
  });
});

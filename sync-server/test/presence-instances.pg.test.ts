// Issue 10, point 2 and issue 13, point 2: presence across instances, on two server processes
// sharing one database and one Redis prefix, with a short expiry bound (PRESENCE_EXPIRY_MS).
// A person with devices on two instances stays online while either is connected; the last one
// going makes them offline with a last-seen time; a SIGKILLed instance's sockets expire within the
// bound. Also what a partner is doing (activity) and the live status of a transcript's job, across
// the two instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { createTestDatabase, deleteRedisKeys, assertRedisReachable, TEST_REDIS_URL } from './harness.ts';
import { account } from './support/accounts.ts';
import { linkPartners, push, sleep } from './support/api.ts';
import { killAllServerProcesses, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { WsProbe, closeAll, type ServerFrame } from './support/ws-probe.ts';
import type { Account } from './support/accounts.ts';

const EXPIRY_MS = 1500;
/** Heartbeats and sweeps run every third of the expiry: offline at most this long after the last beat, plus slack for two shared cores. */
const OFFLINE_BOUND_MS = EXPIRY_MS + EXPIRY_MS / 3 + 2500;

const presenceOf = (userId: string, state: string) => (f: ServerFrame) => f.type === 'presence' && f.userId === userId && f.state === state;

describe('presence across two server processes (one database, one Redis prefix)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const prefix = `duet_test_presence_${newId().toLowerCase()}:`;
  let a: ServerProcess;
  let b: ServerProcess;
  let ana: Account;
  let ben: Account;
  let sharedSpaceId: string;
  const probes: WsProbe[] = [];

  async function connect(server: ServerProcess, token: string): Promise<WsProbe> {
    const probe = await WsProbe.authed(server, token, 10_000);
    probes.push(probe);
    return probe;
  }

  beforeAll(async () => {
    await assertRedisReachable();
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, PRESENCE_EXPIRY_MS: String(EXPIRY_MS) };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    ana = await account(a, 'Ana');
    ben = await account(a, 'Ben');
    sharedSpaceId = await linkPartners(a, ana.token, ben.token);
  }, 120_000);

  afterAll(async () => {
    await closeAll(probes);
    await killAllServerProcesses();
    await database?.drop();
    await deleteRedisKeys(prefix).catch(() => {});
  });

  it('keeps Ben online while one of his two devices (on two instances) is connected; the last one makes him offline with lastSeen', async () => {
    const anaOnA = await connect(a, ana.token);
    const benOnA = await connect(a, ben.token);
    const benOnB = await connect(b, ben.token);
    await anaOnA.waitFor(presenceOf(ben.userId, 'online'), { what: 'Ben online' });

    const beforeClose = anaOnA.mark;
    await benOnB.close();
    // Longer than the expiry bound: an instance that counted only its own sockets would have said offline by now.
    await sleep(OFFLINE_BOUND_MS);
    expect(anaOnA.frames(beforeClose, presenceOf(ben.userId, 'offline')), 'Ben still has a device on A').toEqual([]);

    const closedAt = Date.now();
    await benOnA.close();
    const offline = await anaOnA.waitFor(presenceOf(ben.userId, 'offline'), {
      after: beforeClose,
      timeoutMs: OFFLINE_BOUND_MS,
      what: 'Ben offline',
    });
    expect(offline.frame.type === 'presence' ? offline.frame.lastSeen : undefined).toBeGreaterThanOrEqual(closedAt - 1000);
    await anaOnA.close();

    // A device that connects later hears when Ben was last seen.
    const anaAgain = await connect(b, ana.token);
    const told = await anaAgain.waitFor(presenceOf(ben.userId, 'offline'), { what: 'Ben last seen, on arrival' });
    expect(told.frame).toMatchObject({ lastSeen: expect.any(Number) as number });
    await anaAgain.close();
  });

  it('says online once for a person who opens a second device elsewhere (no offline in between)', async () => {
    const anaOnB = await connect(b, ana.token);
    const benOnA = await connect(a, ben.token);
    await anaOnB.waitFor(presenceOf(ben.userId, 'online'), { what: 'Ben online' });
    const mark = anaOnB.mark;
    const benOnB = await connect(b, ben.token);
    await sleep(EXPIRY_MS);
    expect(anaOnB.frames(mark, (f) => f.type === 'presence' && f.userId === ben.userId)).toEqual([]);
    await closeAll([benOnA, benOnB, anaOnB]);
  });

  it('carries what Ben is doing across instances, the strongest of his devices, and stops when he stops sharing', async () => {
    const anaOnA = await connect(a, ana.token);
    const benPhoneOnB = await connect(b, ben.token);
    const benLaptopOnA = await connect(a, ben.token);
    await anaOnA.waitFor(presenceOf(ben.userId, 'online'), { what: 'Ben online' });

    let mark = anaOnA.mark;
    benPhoneOnB.send({ type: 'activity', activity: 'reviewing' });
    await anaOnA.waitFor((f) => presenceOf(ben.userId, 'online')(f) && f.type === 'presence' && f.activity === 'reviewing', {
      after: mark,
      what: 'Ben reviewing',
    });
    mark = anaOnA.mark;
    benLaptopOnA.send({ type: 'activity', activity: 'recording' });
    await anaOnA.waitFor((f) => f.type === 'presence' && f.activity === 'recording', { after: mark, what: 'Ben recording' });

    // A device of Ana that connects now hears it at once.
    const anaOnB = await connect(b, ana.token);
    await anaOnB.waitFor((f) => f.type === 'presence' && f.userId === ben.userId && f.activity === 'recording', {
      what: 'Ben recording, on arrival',
    });

    // The recording device stops sharing: the other device's activity is what is left.
    mark = anaOnA.mark;
    benLaptopOnA.send({ type: 'activity', activity: null });
    await anaOnA.waitFor((f) => f.type === 'presence' && f.activity === 'reviewing', { after: mark, what: 'back to reviewing' });
    mark = anaOnA.mark;
    benPhoneOnB.send({ type: 'activity', activity: null });
    const plain = await anaOnA.waitFor(presenceOf(ben.userId, 'online'), { after: mark, what: 'online with nothing shared' });
    expect(plain.frame).toEqual({ type: 'presence', userId: ben.userId, state: 'online' });

    // Ben never hears his own activity.
    expect(benPhoneOnB.frames(0, (f) => f.type === 'presence' && f.userId === ben.userId)).toEqual([]);
    await closeAll([anaOnA, anaOnB, benPhoneOnB, benLaptopOnA]);
  });

  it('closes a socket that sends a malformed activity frame (4400), and keeps the others', async () => {
    const benOnA = await connect(a, ben.token);
    const benOnB = await connect(b, ben.token);
    benOnA.send({ type: 'activity', activity: 'sleeping' });
    expect((await benOnA.waitForClose()).code).toBe(4400);
    benOnB.send({ type: 'activity' });
    expect((await benOnB.waitForClose()).code).toBe(4400);
  });

  it("pushes a transcript's job status (queued, processing with progress, done) to both partners' devices on other instances", async () => {
    const anaOnA = await connect(a, ana.token);
    const benOnA = await connect(a, ben.token);
    const transcriptId = newId();
    const clientId = `ana-${newId()}`;
    const hlc = (n: number) => `${String(Date.now()).padStart(15, '0')}:${String(n).padStart(5, '0')}:${clientId}`;
    const answer = await push(b, ana.token, clientId, [
      {
        id: 1,
        name: 'transcript.create',
        args: { id: transcriptId, spaceId: sharedSpaceId, text: 'Ana: good morning\nBen: hello there', language: 'en' },
        hlc: hlc(0),
      },
      { id: 2, name: 'transcript.submit', args: { id: transcriptId }, hlc: hlc(1) },
    ]);
    expect(answer.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    for (const probe of [anaOnA, benOnA]) {
      const ofJob = (status: string) => (f: ServerFrame) => f.type === 'job' && f.transcriptId === transcriptId && f.status === status;
      await probe.waitFor(ofJob('queued'), { what: 'queued', timeoutMs: 15_000 });
      const processing = await probe.waitFor(ofJob('processing'), { what: 'processing', timeoutMs: 15_000 });
      expect(processing.frame).toMatchObject({ progress: 0, submission: 1 });
      const done = await probe.waitFor(ofJob('done'), { what: 'done', timeoutMs: 15_000 });
      const statuses = probe
        .frames(0, (f) => f.type === 'job' && f.transcriptId === transcriptId)
        .map((f) => (f.type === 'job' ? f.status : ''));
      expect(statuses).toEqual(['queued', 'processing', 'processing', 'done']);
      expect(done.index).toBeGreaterThan(processing.index);
    }
    await closeAll([anaOnA, benOnA]);
  });

  it('makes the sockets of a SIGKILLed instance offline within the expiry bound', async () => {
    const anaOnA = await connect(a, ana.token);
    await connect(b, ben.token);
    await anaOnA.waitFor(presenceOf(ben.userId, 'online'), { what: 'Ben online' });
    const mark = anaOnA.mark;
    const killedAt = Date.now();
    expect((await b.stop('SIGKILL')).signal).toBe('SIGKILL');
    const offline = await anaOnA.waitFor(presenceOf(ben.userId, 'offline'), {
      after: mark,
      timeoutMs: OFFLINE_BOUND_MS,
      what: 'Ben offline after kill -9',
    });
    const tookMs = Date.now() - killedAt;
    console.log(`[presence] offline ${tookMs} ms after SIGKILL (expiry ${EXPIRY_MS} ms)`);
    // Not before his last heartbeat could have expired: nobody said it on the dead instance's behalf.
    expect(tookMs).toBeGreaterThanOrEqual(EXPIRY_MS / 3);
    expect(offline.frame.type === 'presence' ? offline.frame.lastSeen : 0).toBeLessThanOrEqual(killedAt);
  });
});

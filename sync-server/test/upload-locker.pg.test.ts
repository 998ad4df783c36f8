// The Postgres upload locker (uploads/pg-locker.ts) on the real Postgres, below tus: two lockers
// are two instances. The holder is asked to let go (across instances through NOTIFY, within one
// instance directly), a waiter gets the lock once it is released, one that waits too long is
// answered with tus's lock timeout (the protocol's 503), and a lock is only ever held once.
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { systemClock } from '../src/clock.ts';
import { migrate } from '../src/db/migrate.ts';
import { PgUploadLocker } from '../src/uploads/pg-locker.ts';
import { asProtocolError } from '../src/uploads/tus-errors.ts';
import { createTestDatabase } from './harness.ts';

const ACQUIRE_TIMEOUT_MS = 1500;

describe('the Postgres upload locker', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const lockers: PgUploadLocker[] = [];

  async function instance(): Promise<PgUploadLocker> {
    const clock = systemClock();
    const locker = new PgUploadLocker({
      databaseUrl: database.url,
      pool,
      clock,
      logger: pino({ level: 'silent' }),
      instanceId: clock.newId(),
      connectTimeoutMs: 5000,
      queryTimeoutMs: 6000,
      acquireTimeoutMs: ACQUIRE_TIMEOUT_MS,
    });
    await locker.start();
    lockers.push(locker);
    return locker;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url, pino({ level: 'silent' }));
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
  });
  afterAll(async () => {
    await Promise.all(lockers.map((l) => l.close()));
    await pool?.end();
    await database?.drop();
  });

  const signal = () => new AbortController().signal;

  it('asks the holder on another instance to let go, and hands the lock over once it does', async () => {
    const [a, b] = [await instance(), await instance()];
    const id = newId();
    const held = a.newLock(id);
    let asked = 0;
    await held.lock(signal(), () => {
      asked++;
      // tus ends the holder's request, which then unlocks.
      setTimeout(() => void held.unlock(), 200);
    });
    await b.newLock(id).lock(signal(), () => {});
    expect(asked, 'the holder on A was asked once').toBe(1);
  });

  it('answers a waiter whose holder never lets go with tus lock timeout, which the protocol answers 503 unavailable', async () => {
    const [a, b] = [await instance(), await instance()];
    const id = newId();
    await a.newLock(id).lock(signal(), () => {});
    const refusal = (await b
      .newLock(id)
      .lock(signal(), () => {})
      .then(
        () => null,
        (error: unknown) => error,
      )) as { status_code: number; body: string } | null;
    expect(refusal?.status_code).toBe(500);
    const answered = asProtocolError(refusal?.status_code ?? 0, refusal?.body ?? '');
    expect(answered.status_code).toBe(503);
    expect(JSON.parse(answered.body)).toMatchObject({ error: { code: 'unavailable' } });
  });

  it('lets two requests of one instance hold one upload one at a time: the second asks the first directly', async () => {
    const a = await instance();
    const id = newId();
    const first = a.newLock(id);
    let firstLetGo = false;
    await first.lock(signal(), () => {
      setTimeout(() => {
        firstLetGo = true;
        void first.unlock();
      }, 100);
    });
    const second = a.newLock(id);
    await second.lock(signal(), () => {});
    expect(firstLetGo, 'the second got the lock only after the first let go').toBe(true);
    // Another instance sees it held, by A's second request, until that one unlocks.
    const b = await instance();
    await expect(b.newLock(id).lock(AbortSignal.timeout(300), () => {})).rejects.toMatchObject({ status_code: 500 });
    await second.unlock();
    await b.newLock(id).lock(AbortSignal.timeout(1000), () => {});
  });

  it('releases on unlock at once: taken and released in turn on two instances, the lock never makes the next one wait', async () => {
    const [a, b] = [await instance(), await instance()];
    const id = newId();
    let taken = 0;
    for (let i = 0; i < 100; i++) {
      const lock = (i % 2 === 0 ? a : b).newLock(id);
      // A lock left behind would make this wait until the signal gives up (a rejection).
      await lock.lock(AbortSignal.timeout(1000), () => {});
      taken++;
      await lock.unlock();
    }
    expect(taken).toBe(100);
  });
});

// The Postgres upload store (uploads/pg-store.ts) on the real Postgres, below tus: bytes stored
// in chunks as they arrive, a write only at the upload's end, a cut stream keeps what came,
// ranges read back a chunk at a time, and the expiry sweep deletes unfinished uploads' chunks.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monotonicIds } from '@duet/shared';
import { Upload } from '@tus/server';
import { systemTimers, type ServerClock } from '../src/clock.ts';
import { migrate } from '../src/db/migrate.ts';
import { CHUNK_BYTES, PgUploadStore } from '../src/uploads/pg-store.ts';
import { createTestDatabase } from './harness.ts';
import { sleep } from './support/api.ts';
import { storedUpload } from './support/upload-store.ts';

const EXPIRY_MS = 60_000;

/** A stream of `bytes` in pieces of varied sizes, as a network delivers them. */
function piecesOf(bytes: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, n = 0; at < bytes.length; n++) {
    const size = [1, 1000, 65_536, 300_001, 17][n % 5] as number;
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return Readable.from(pieces);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('the Postgres upload store', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let store: PgUploadStore;
  let nowMs = Date.now();
  const clock: ServerClock = { now: () => nowMs, newId: monotonicIds(() => nowMs), timers: systemTimers };

  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.url, pino({ level: 'silent' }));
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    store = new PgUploadStore(pool, clock, EXPIRY_MS);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function created(size: number | null): Promise<string> {
    const id = clock.newId();
    await store.create(new Upload({ id, offset: 0, metadata: { filetype: 'audio/ogg' }, ...(size === null ? {} : { size }) }));
    return id;
  }

  it('stores a stream in contiguous chunks of at most CHUNK_BYTES and reads any range of it back', async () => {
    const bytes = randomBytes(3 * CHUNK_BYTES + 4242);
    const id = await created(bytes.length);
    expect(await store.write(piecesOf(bytes), id, 0)).toBe(bytes.length);

    const rows = (
      await pool.query<{ start_offset: number; end_offset: number; size: number }>(
        'SELECT start_offset, end_offset, octet_length(data) AS size FROM upload_chunks WHERE upload_id = $1 ORDER BY start_offset',
        [id],
      )
    ).rows;
    expect(rows.map((r) => r.size)).toEqual([CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES, 4242]);
    rows.forEach((row, i) => expect(row.start_offset).toBe(i === 0 ? 0 : rows[i - 1]?.end_offset));
    expect((await store.getUpload(id)).offset).toBe(bytes.length);

    for (const [start, end] of [
      [0, bytes.length - 1],
      [0, 0],
      [CHUNK_BYTES - 1, CHUNK_BYTES],
      [100, 2 * CHUNK_BYTES + 5],
      [bytes.length - 1, bytes.length - 1],
    ] as const) {
      expect((await readAll(await store.openRange(id, start, end))).equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
  });

  it('refuses a write that does not start at the end of the stored bytes, and stores none of it', async () => {
    const id = await created(1000);
    expect(await store.write(Readable.from([randomBytes(400)]), id, 0)).toBe(400);
    for (const offset of [0, 399, 401]) {
      await expect(store.write(Readable.from([randomBytes(100)]), id, offset)).rejects.toMatchObject({ status_code: 409 });
    }
    expect(await storedUpload(database.url, id)).toMatchObject({ storedBytes: 400, chunkBytes: 400, chunks: 1 });
    // Nor past the declared size.
    await expect(store.write(Readable.from([randomBytes(601)]), id, 400)).rejects.toMatchObject({ status_code: 409 });
    expect((await store.getUpload(id)).offset).toBe(400);
  });

  it('keeps the bytes a stream delivered before it failed (a cut connection), so the upload resumes there', async () => {
    const bytes = randomBytes(CHUNK_BYTES + 100_000);
    const id = await created(2 * CHUNK_BYTES);
    const cut = new Readable({ read() {} });
    const writing = store.write(cut, id, 0);
    cut.push(bytes.subarray(0, CHUNK_BYTES + 30_000));
    cut.push(bytes.subarray(CHUNK_BYTES + 30_000));
    await sleep(100);
    cut.destroy(new Error('connection reset'));
    await expect(writing).rejects.toThrow('connection reset');
    expect((await store.getUpload(id)).offset).toBe(bytes.length);
    expect((await readAll(await store.openRange(id, 0, bytes.length - 1))).equals(bytes)).toBe(true);
  });

  it('streams a range a chunk at a time: a reader that does not read holds at most one chunk', async () => {
    const bytes = randomBytes(16 * CHUNK_BYTES);
    const id = await created(bytes.length);
    await store.write(piecesOf(bytes), id, 0);
    const stream = await store.openRange(id, 0, bytes.length - 1);
    // The reader takes one chunk, then stops reading for a while.
    const first = await new Promise<Buffer>((resolve) =>
      stream.once('data', (chunk: Buffer) => {
        stream.pause();
        resolve(chunk);
      }),
    );
    await sleep(300);
    expect(first.length).toBe(CHUNK_BYTES);
    expect(stream.readableLength, 'bytes buffered ahead of the reader').toBeLessThanOrEqual(CHUNK_BYTES);
    stream.resume();
    expect(Buffer.concat([first, await readAll(stream)]).equals(bytes)).toBe(true);
  });

  it('fails a read of bytes that are not there (removed meanwhile) instead of ending short', async () => {
    const id = await created(1000);
    await store.write(Readable.from([randomBytes(1000)]), id, 0);
    const stream = await store.openRange(id, 0, 999);
    await store.remove(id);
    await expect(text(stream)).rejects.toThrow(/no bytes/);
    await expect(store.remove(id)).rejects.toMatchObject({ status_code: 404 });
    await expect(store.getUpload(id)).rejects.toMatchObject({ status_code: 404 });
  });

  it('deletes unfinished uploads past their expiry, chunks and all, and keeps finished and recent ones', async () => {
    // Only this test's uploads.
    await pool.query('DELETE FROM upload_files');
    const started = nowMs;
    const unfinished = await created(10_000);
    await store.write(Readable.from([randomBytes(CHUNK_BYTES + 10)]), unfinished, 0).catch(() => {});
    const deferred = await created(null);
    await store.write(Readable.from([randomBytes(3000)]), deferred, 0);
    const finished = await created(5000);
    await store.write(Readable.from([randomBytes(5000)]), finished, 0);
    nowMs = started + EXPIRY_MS / 2;
    const recent = await created(5000);
    await store.write(Readable.from([randomBytes(10)]), recent, 0);

    nowMs = started + EXPIRY_MS + 1;
    expect(await store.deleteExpired()).toBe(2);
    for (const id of [unfinished, deferred]) expect(await storedUpload(database.url, id)).toMatchObject({ recorded: false, chunks: 0 });
    expect(await storedUpload(database.url, finished)).toMatchObject({ recorded: true, chunkBytes: 5000 });
    expect(await storedUpload(database.url, recent)).toMatchObject({ recorded: true, chunkBytes: 10 });
    nowMs = Date.now();
  });
});

// Audio that an earlier version kept on disk (tus's FileStore under DATA_DIR/uploads) is moved into
// the Postgres upload store at start-up, finished and unfinished uploads alike, and the move can
// be re-run after it was cut short.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { Upload } from '@tus/server';
import { systemClock } from '../src/clock.ts';
import { importFileUploads } from '../src/uploads/import-file-uploads.ts';
import { PgUploadStore } from '../src/uploads/pg-store.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { queryDatabase } from './support/transcript-watch.ts';
import { storedUpload } from './support/upload-store.ts';

/** An upload as @tus/file-store left it: the bytes in `<id>`, tus's record in `<id>.json`. */
async function fileStoreUpload(directory: string, bytes: Buffer, size: number): Promise<string> {
  const id = newId();
  await writeFile(path.join(directory, id), bytes);
  const info = {
    id,
    size,
    offset: bytes.length,
    metadata: { transcriptId: newId(), filetype: 'audio/ogg' },
    creation_date: new Date().toISOString(),
  };
  await writeFile(path.join(directory, `${id}.json`), JSON.stringify(info));
  return id;
}

async function bytesOf(databaseUrl: string, id: string): Promise<Buffer> {
  const rows = await queryDatabase<{ data: Buffer }>(
    databaseUrl,
    'SELECT data FROM upload_chunks WHERE upload_id = $1 ORDER BY start_offset',
    [id],
  );
  return Buffer.concat(rows.map((r) => r.data));
}

describe('audio files from an earlier version', () => {
  let server: TestServer | undefined;
  let dataDir = '';
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('are moved into the upload store at start-up, finished or not, and leave nothing else touched', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-import-'));
    const directory = path.join(dataDir, 'uploads');
    await mkdir(directory);
    const finishedBytes = randomBytes(700_000);
    const unfinishedBytes = randomBytes(100_000);
    const finished = await fileStoreUpload(directory, finishedBytes, finishedBytes.length);
    const unfinished = await fileStoreUpload(directory, unfinishedBytes, 200_000);
    await writeFile(path.join(directory, 'notes.txt'), 'not an upload');

    server = await startTestServer({ dataDir });
    expect(await storedUpload(server.databaseUrl, finished)).toMatchObject({ recorded: true, storedBytes: 700_000 });
    expect((await bytesOf(server.databaseUrl, finished)).equals(finishedBytes)).toBe(true);
    expect(await storedUpload(server.databaseUrl, unfinished)).toMatchObject({ recorded: true, storedBytes: 100_000 });
    expect((await bytesOf(server.databaseUrl, unfinished)).equals(unfinishedBytes)).toBe(true);
    const [record] = await queryDatabase<{ size: number; metadata: Record<string, string> }>(
      server.databaseUrl,
      'SELECT size::int AS size, metadata FROM upload_files WHERE id = $1',
      [unfinished],
    );
    expect(record).toMatchObject({ size: 200_000, metadata: { filetype: 'audio/ogg' } });
    // The moved files are gone; what is not an upload stays.
    expect(await readdir(directory)).toEqual(['notes.txt']);
  });

  it('finishes a move that was cut short from where the store stands', async () => {
    const target = server as TestServer;
    const directory = await mkdtemp(path.join(os.tmpdir(), 'duet-import-again-'));
    const bytes = randomBytes(900_000);
    const id = await fileStoreUpload(directory, bytes, bytes.length);
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: 2 });
    try {
      const store = new PgUploadStore(pool, systemClock(), 0);
      // The earlier attempt recorded the upload and stored its first 300,000 bytes.
      await store.create(new Upload({ id, offset: 0, size: bytes.length, metadata: {} }));
      await store.write(Readable.from([bytes.subarray(0, 300_000)]), id, 0);

      expect(await importFileUploads(directory, store, pino({ level: 'silent' }))).toBe(1);
      expect((await bytesOf(target.databaseUrl, id)).equals(bytes)).toBe(true);
      expect(existsSync(directory), 'the emptied directory is removed').toBe(false);
      // Nothing left to do the next time.
      expect(await importFileUploads(directory, store, pino({ level: 'silent' }))).toBe(0);
    } finally {
      await pool.end();
      await rm(directory, { recursive: true, force: true });
    }
  });
});

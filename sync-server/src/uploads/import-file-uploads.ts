/**
 * Moves the audio an earlier version kept on this instance's disk (tus's FileStore: `<id>` and
 * `<id>.json` under DATA_DIR/uploads) into the upload store, once, at start-up, so recordings
 * taken before the upgrade are still served, by every instance. Safe to re-run: an upload already
 * in the store is only completed from where it stands, and a file goes only once all of it is in.
 */
import { createReadStream } from 'node:fs';
import { readFile, readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Upload } from '@tus/server';
import type { Logger } from 'pino';
import type { AudioStore } from './audio-store.ts';
import { isNotFound } from './tus-errors.ts';

/** Ids the server gave uploads (ULIDs); anything else in the directory is left alone. */
const UPLOAD_ID = /^[0-9A-Za-z_-]{1,64}$/;

interface FileStoreInfo {
  size?: unknown;
  metadata?: unknown;
}

function metadataOf(info: FileStoreInfo): Record<string, string | null> {
  if (typeof info.metadata !== 'object' || info.metadata === null) return {};
  return Object.fromEntries(Object.entries(info.metadata).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Imports every upload of `directory`; returns how many were moved. A missing directory is nothing to do. */
export async function importFileUploads(directory: string, store: AudioStore, logger: Logger): Promise<number> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return 0;
  }
  const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
  const todo = ids.filter((id) => UPLOAD_ID.test(id) && names.includes(id));
  if (todo.length === 0) return 0;
  logger.info({ uploads: todo.length, directory }, 'moving audio files from disk into the upload store');
  let moved = 0;
  for (const id of todo) {
    const file = path.join(directory, id);
    try {
      const info = JSON.parse(await readFile(`${file}.json`, 'utf8')) as FileStoreInfo;
      const bytes = (await stat(file)).size;
      let offset = 0;
      try {
        offset = (await store.getUpload(id)).offset;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        const size = typeof info.size === 'number' ? { size: info.size } : {};
        await store.create(new Upload({ id, offset: 0, metadata: metadataOf(info), ...size }));
      }
      if (offset < bytes) await store.write(createReadStream(file, { start: offset }), id, offset);
      await rm(file);
      await rm(`${file}.json`);
      moved++;
      logger.info({ uploadId: id, bytes, done: moved, of: todo.length }, 'audio file moved into the upload store');
    } catch (error) {
      // Left on disk, tried again at the next start.
      logger.warn({ err: error, uploadId: id }, 'audio file not moved into the upload store');
    }
  }
  // Gone once empty: nothing is written there any more.
  await rmdir(directory).catch(() => {});
  return moved;
}

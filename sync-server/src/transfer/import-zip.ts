/**
 * Reading an uploaded export (docs/export-import.md): the request body goes to a temporary file
 * (at most `maxBytes`, else 413), which yauzl opens. Its central directory is checked against the
 * limits before anything is unpacked (entry count, the sum of the declared sizes: 413 above), and
 * yauzl checks every entry's bytes against its declared size while they are read, so a zip bomb
 * is refused long before it could fill memory or disk. Only `duet-export.json` is read into
 * memory; recordings are streamed from the zip into the upload store.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DATA_EXPORT_JSON, ErrorCode } from '@duet/shared';
import type { Request } from 'express';
import yauzl from 'yauzl';
import { ApiError } from '../http/api-error.ts';

export interface ImportLimits {
  /** The zip's own size. */
  maxBytes: number;
  maxEntries: number;
  /** All entries unpacked. */
  maxUncompressedBytes: number;
}

export const invalidExport = (reason: string, message: string, details: Record<string, unknown> = {}) =>
  new ApiError(400, ErrorCode.exportInvalid, message, { reason, ...details });

const tooLarge = (message: string, details: Record<string, unknown>) => new ApiError(413, ErrorCode.payloadTooLarge, message, details);

/** A received zip on disk; `dispose()` removes it. */
export interface ReceivedFile {
  file: string;
  bytes: number;
  dispose(): Promise<void>;
}

/**
 * Writes the request body to a temporary file, refusing it with 413 as soon as it passes
 * `maxBytes`. The rest of an oversized body is read and dropped rather than the connection cut, so
 * the client gets the 413 (and `Connection: close` ends the connection after it).
 */
export async function receiveBody(req: Request, maxBytes: number): Promise<ReceivedFile> {
  const refuse = () => {
    req.res?.set('Connection', 'close');
    return tooLarge(`the file is larger than ${maxBytes} bytes`, { limit: maxBytes });
  };
  const declared = Number(req.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw refuse();
  const dir = await mkdtemp(path.join(tmpdir(), 'duet-import-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, 'import.zip');
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(file);
      const fail = (error: unknown) => {
        req.off('data', onData);
        out.destroy();
        // Whatever still comes is dropped: the answer goes out meanwhile.
        req.resume();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const onData = (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) return fail(refuse());
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => req.resume());
        }
      };
      req.on('data', onData);
      req.once('end', () => out.end());
      req.on('error', fail);
      req.once('close', () => {
        if (!req.complete) fail(new Error('the request was cut before the whole file arrived'));
      });
      out.once('finish', () => resolve());
      out.on('error', fail);
    });
  } catch (error) {
    await dispose();
    throw error;
  }
  if (bytes === 0) {
    await dispose();
    throw invalidExport('not_a_zip', 'no file was sent');
  }
  return { file, bytes, dispose };
}

/** An opened export zip: its JSON parsed, its other entries by name. */
export interface ExportArchive {
  json: unknown;
  /** Uncompressed sizes of the other entries, by name. */
  entries: ReadonlyMap<string, number>;
  /** The bytes of an entry, streamed (checked against its declared size as they come). */
  open(name: string): Promise<Readable>;
  close(): void;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Opens the zip and reads its JSON; throws the protocol's 400/413 for anything that is not a readable export within the limits. */
export async function openExportArchive(file: string, limits: ImportLimits): Promise<ExportArchive> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false });
  } catch {
    throw invalidExport('not_a_zip', 'the file is not a zip archive');
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw tooLarge(`the archive holds more than ${limits.maxEntries} files`, { limit: limits.maxEntries, entries: zip.entryCount });
    }
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          zip.off('end', onEnd);
          zip.off('error', onError);
          resolve(e);
        };
        const onEnd = () => {
          zip.off('entry', onEntry);
          zip.off('error', onError);
          resolve(null);
        };
        const onError = (error: Error) => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          reject(error);
        };
        zip.once('entry', onEntry);
        zip.once('end', onEnd);
        zip.once('error', onError);
        zip.readEntry();
      }).catch(() => {
        throw invalidExport('not_a_zip', 'the zip archive is damaged');
      });
      if (!entry) break;
      total += entry.uncompressedSize;
      if (total > limits.maxUncompressedBytes) {
        throw tooLarge(`the archive unpacks to more than ${limits.maxUncompressedBytes} bytes`, { limit: limits.maxUncompressedBytes });
      }
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry);
    }
    const open = async (name: string): Promise<Readable> => {
      const entry = entries.get(name);
      if (!entry) throw invalidExport('audio_missing', `the archive has no ${name}`, { path: name });
      return zip.openReadStreamPromise(entry);
    };
    const jsonEntry = entries.get(DATA_EXPORT_JSON);
    if (!jsonEntry) throw invalidExport('no_json', `the archive has no ${DATA_EXPORT_JSON}: it is not a Duet export`);
    let json: unknown;
    try {
      json = JSON.parse((await readAll(await open(DATA_EXPORT_JSON))).toString('utf8'));
    } catch {
      throw invalidExport('bad_json', `${DATA_EXPORT_JSON} is not valid JSON`);
    }
    const sizes = new Map(
      [...entries].filter(([name]) => name !== DATA_EXPORT_JSON).map(([name, e]) => [name, e.uncompressedSize] as const),
    );
    return { json, entries: sizes, open, close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}

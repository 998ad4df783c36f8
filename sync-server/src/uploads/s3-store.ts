/**
 * Audio in an S3 bucket (or an S3-compatible service) through @tus/s3-store, when S3_BUCKET is
 * set. Its metadata cache is switched off: another instance may have changed an upload since
 * (declared its length, finished it), and only the bucket knows. Range reads ask S3 for the range.
 */
import type { Readable } from 'node:stream';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { S3Store } from '@tus/s3-store';
import type { KvStore } from '@tus/server';
import type { S3Config } from '../config.ts';
import { AudioBytesMissing, type AudioStore } from './audio-store.ts';
import { isNotFound } from './tus-errors.ts';

/** A cache that keeps nothing: every instance reads an upload's metadata from the bucket. */
class NoCache<T> implements KvStore<T> {
  get(): Promise<T | undefined> {
    return Promise.resolve(undefined);
  }
  set(): Promise<void> {
    return Promise.resolve();
  }
  delete(): Promise<void> {
    return Promise.resolve();
  }
}

/** The S3 client settings of a config (exported for its tests). */
export function s3ClientConfig(config: S3Config): S3ClientConfig & { bucket: string } {
  return {
    bucket: config.bucket,
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
}

export class S3AudioStore extends S3Store implements AudioStore {
  constructor(config: S3Config, expirationMs: number) {
    super({ s3ClientConfig: s3ClientConfig(config), cache: new NoCache(), expirationPeriodInMilliseconds: expirationMs });
  }

  async openRange(id: string, start: number, end: number): Promise<Readable> {
    try {
      const object = await this.client.getObject({ Bucket: this.bucket, Key: id, Range: `bytes=${start}-${end}` });
      return object.Body as Readable;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'NoSuchKey') throw new AudioBytesMissing(`upload ${id} is not in the bucket`);
      throw error;
    }
  }

  /** Also a finished upload, whose multipart upload S3 no longer knows. */
  override async remove(id: string): Promise<void> {
    try {
      await super.remove(id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: [{ Key: id }, { Key: this.infoKey(id) }] } });
    }
  }
}

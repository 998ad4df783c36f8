import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../config.ts';
import { S3AudioStore, s3ClientConfig } from './s3-store.ts';

const minio = {
  S3_BUCKET: 'duet-audio',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY_ID: 'duet',
  S3_SECRET_ACCESS_KEY: 'a-secret-of-some-length',
};

describe('S3 configuration', () => {
  it('is off without S3_BUCKET: audio stays in Postgres', () => {
    expect(loadConfig({}).s3).toBeNull();
  });

  it('reads a bucket on an S3-compatible endpoint, path-style by default there', () => {
    expect(loadConfig(minio).s3).toEqual({
      bucket: 'duet-audio',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'duet', secretAccessKey: 'a-secret-of-some-length' },
    });
  });

  it("uses AWS's endpoint of the region, virtual-host style, and the SDK's credential chain when no keys are given", () => {
    expect(loadConfig({ S3_BUCKET: 'duet.audio-eu', S3_REGION: 'eu-west-3' }).s3).toEqual({
      bucket: 'duet.audio-eu',
      endpoint: null,
      region: 'eu-west-3',
      forcePathStyle: false,
      credentials: null,
    });
    expect(loadConfig({ ...minio, S3_FORCE_PATH_STYLE: 'false' }).s3?.forcePathStyle).toBe(false);
    expect(loadConfig({ S3_BUCKET: 'duet-audio', S3_FORCE_PATH_STYLE: 'true' }).s3?.forcePathStyle).toBe(true);
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a bucket name S3 does not allow', { S3_BUCKET: 'Duet_Audio' }, /S3_BUCKET: not a valid S3 bucket name/],
    ['a bucket name too short', { S3_BUCKET: 'ab' }, /S3_BUCKET/],
    ['an endpoint that is not a URL', { ...minio, S3_ENDPOINT: 'minio:9000 please' }, /S3_ENDPOINT/],
    ['a region that is not a name', { S3_BUCKET: 'duet-audio', S3_REGION: 'EU West' }, /S3_REGION/],
    ['a path-style flag that is not true or false', { S3_BUCKET: 'duet-audio', S3_FORCE_PATH_STYLE: 'yes' }, /S3_FORCE_PATH_STYLE/],
    [
      'settings without a bucket',
      { S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY_ID: 'duet' },
      /S3_ENDPOINT, S3_ACCESS_KEY_ID set without S3_BUCKET/,
    ],
    ['an access key without its secret', { S3_BUCKET: 'duet-audio', S3_ACCESS_KEY_ID: 'duet' }, /go together/],
    ['a secret without its access key', { S3_BUCKET: 'duet-audio', S3_SECRET_ACCESS_KEY: 'a-secret' }, /go together/],
  ])('refuses %s at start-up', (_, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('masks the secret key in the logged config', () => {
    const described = JSON.stringify(describeConfig(loadConfig(minio)));
    expect(described).not.toContain('a-secret-of-some-length');
    expect(described).toContain('"accessKeyId":"duet"');
  });

  it('gives the S3 client the bucket, region, endpoint, addressing style and keys', () => {
    const config = loadConfig(minio).s3;
    if (!config) throw new Error('no S3 config');
    expect(s3ClientConfig(config)).toEqual({
      bucket: 'duet-audio',
      region: 'us-east-1',
      forcePathStyle: true,
      endpoint: 'http://127.0.0.1:9000',
      credentials: { accessKeyId: 'duet', secretAccessKey: 'a-secret-of-some-length' },
    });
    const aws = loadConfig({ S3_BUCKET: 'duet-audio' }).s3;
    if (!aws) throw new Error('no S3 config');
    expect(s3ClientConfig(aws)).toEqual({ bucket: 'duet-audio', region: 'us-east-1', forcePathStyle: false });
  });

  it('builds a store with the tus extensions the app relies on and the upload expiry', () => {
    const config = loadConfig(minio).s3;
    if (!config) throw new Error('no S3 config');
    const store = new S3AudioStore(config, 3_600_000);
    for (const extension of ['creation', 'creation-defer-length', 'termination', 'expiration']) {
      expect(store.hasExtension(extension), extension).toBe(true);
    }
    expect(store.getExpiration()).toBe(3_600_000);
  });
});

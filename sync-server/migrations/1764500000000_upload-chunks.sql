-- Up Migration
-- The bytes of tus uploads in Postgres, where every instance sees them (uploads/pg-store.ts):
-- one row per upload (tus's own record: declared size, bytes stored, metadata, creation time)
-- and its bytes in chunks keyed by the offset they start at. `uploads` stays the app's record.
CREATE TABLE upload_files (
  id text PRIMARY KEY,
  size bigint,
  stored_bytes bigint NOT NULL DEFAULT 0,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX upload_files_unfinished_idx ON upload_files (created_at) WHERE size IS NULL OR stored_bytes < size;

CREATE TABLE upload_chunks (
  upload_id text NOT NULL REFERENCES upload_files (id) ON DELETE CASCADE,
  start_offset bigint NOT NULL,
  end_offset bigint NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (upload_id, start_offset),
  CHECK (end_offset - start_offset = octet_length(data))
);
-- Audio does not compress: keep Postgres from trying on every chunk.
ALTER TABLE upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Down Migration
DROP TABLE upload_chunks;
DROP TABLE upload_files;

-- Up Migration
-- Audio uploaded with tus for a transcript; the bytes live in the file store under DATA_DIR.
CREATE TABLE uploads (
  id text PRIMARY KEY,
  transcript_id text NOT NULL,
  space_id text NOT NULL REFERENCES spaces (id),
  user_id text NOT NULL REFERENCES users (id),
  size bigint,
  mime_type text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX uploads_transcript_id_idx ON uploads (transcript_id);

-- Down Migration
DROP TABLE uploads;

-- Up Migration
CREATE TABLE users (
  id text PRIMARY KEY,
  email text NOT NULL UNIQUE,
  display_name text NOT NULL,
  locale text NOT NULL,
  time_zone text NOT NULL,
  password_hash text NOT NULL,
  personal_space_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  name text,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX devices_user_id_idx ON devices (user_id);

-- head_version is the last change version handed out in the space, taken under the row's lock.
CREATE TABLE spaces (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('personal', 'shared')),
  head_version bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE space_members (
  space_id text NOT NULL REFERENCES spaces (id),
  user_id text NOT NULL REFERENCES users (id),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, user_id)
);
CREATE INDEX space_members_user_id_idx ON space_members (user_id);

CREATE TABLE invites (
  code text PRIMARY KEY,
  inviter_id text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_by text REFERENCES users (id),
  accepted_at timestamptz
);

-- Per local store of a user: the last mutation id the server processed.
CREATE TABLE clients (
  user_id text NOT NULL REFERENCES users (id),
  client_id text NOT NULL,
  last_mutation_id bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, client_id)
);

-- Every synced record (spaces, conversations, messages, sessions, transcripts, conflicts) with
-- its whole current state; version is its space's version at its last change.
CREATE TABLE entities (
  kind text NOT NULL,
  id text NOT NULL,
  space_id text NOT NULL REFERENCES spaces (id),
  version bigint NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  data jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, id)
);
CREATE INDEX entities_space_version_idx ON entities (space_id, version);
CREATE INDEX entities_space_kind_idx ON entities (space_id, kind);

-- Down Migration
DROP TABLE entities;
DROP TABLE clients;
DROP TABLE invites;
DROP TABLE space_members;
DROP TABLE spaces;
DROP TABLE devices;
DROP TABLE users;

-- Up Migration
-- Browsers that have logged in to an account before (by a cookie they keep): their failed logins
-- are counted on their own, so guesses from elsewhere never lock the owner out. Only a SHA-256 of
-- the cookie's value is stored.
CREATE TABLE known_devices (
  key_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX known_devices_user_id_idx ON known_devices (user_id);

-- Down Migration
DROP TABLE known_devices;

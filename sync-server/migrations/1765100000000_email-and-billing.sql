-- Up Migration
-- Password reset tokens: only a SHA-256 of the token is stored; a token works once, until it expires.
CREATE TABLE password_resets (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX password_resets_user_id_idx ON password_resets (user_id);

-- What plan limits count, per person per calendar month (period 'YYYY-MM', UTC).
CREATE TABLE usage_counters (
  user_id text NOT NULL REFERENCES users (id),
  period text NOT NULL,
  metric text NOT NULL CHECK (metric IN ('analyses', 'audio_minutes')),
  amount integer NOT NULL DEFAULT 0 CHECK (amount >= 0),
  PRIMARY KEY (user_id, period, metric)
);

-- A person's Stripe customer and subscription, as the webhooks last said; no row: free, never subscribed.
CREATE TABLE subscriptions (
  user_id text PRIMARY KEY REFERENCES users (id),
  stripe_customer_id text UNIQUE,
  stripe_subscription_id text,
  status text NOT NULL CHECK (status IN ('none', 'active', 'past_due', 'canceled')),
  -- The Stripe time (seconds) of the event that set the status: an older event arriving late changes nothing.
  status_event_at bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Stripe events already applied: a webhook delivered twice is applied once.
CREATE TABLE stripe_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE stripe_events;
DROP TABLE subscriptions;
DROP TABLE usage_counters;
DROP TABLE password_resets;

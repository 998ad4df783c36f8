/** Postgres LISTEN/NOTIFY, for words between server instances (cache-fence.ts). */
import type pg from 'pg';

/** The channel name is ours, a constant: it cannot be a bind parameter in LISTEN. */
const CHANNEL_NAME = /^[a-z_]+$/;

export async function notify(pool: pg.Pool, channel: string, payload: string): Promise<void> {
  await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

export async function listen(client: pg.Client, channel: string): Promise<void> {
  if (!CHANNEL_NAME.test(channel)) throw new Error(`not a channel name: ${channel}`);
  await client.query(`LISTEN ${channel}`);
}

/** A round trip on a listening connection: notifications committed before it are delivered first. */
export async function roundTrip(client: pg.Client): Promise<void> {
  await client.query('SELECT 1');
}

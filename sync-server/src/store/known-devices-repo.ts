/** Known devices' records: the SHA-256 of each device cookie and the account it logged in to. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export class KnownDevicesRepo {
  constructor(private readonly db: Queryable) {}

  /** Whether this key hash has logged in to the account of this email. */
  async isKnown(keyHash: string, email: string): Promise<boolean> {
    const result = await this.db.query(
      'SELECT 1 FROM known_devices k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1 AND u.email = $2',
      [keyHash, email],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Refreshes the record of a key known for this user; false when there is none. */
  async touch(keyHash: string, userId: string): Promise<boolean> {
    const seen = await this.db.query('UPDATE known_devices SET last_login_at = now() WHERE key_hash = $1 AND user_id = $2', [
      keyHash,
      userId,
    ]);
    return (seen.rowCount ?? 0) > 0;
  }

  async insert(keyHash: string, userId: string): Promise<void> {
    await this.db.query('INSERT INTO known_devices (key_hash, user_id) VALUES ($1, $2)', [keyHash, userId]);
  }

  /** Forgets the user's records not used for `maxAgeSec`. */
  async forgetOlderThan(userId: string, maxAgeSec: number): Promise<void> {
    await this.db.query(`DELETE FROM known_devices WHERE user_id = $1 AND last_login_at < now() - make_interval(secs => $2)`, [
      userId,
      maxAgeSec,
    ]);
  }
}

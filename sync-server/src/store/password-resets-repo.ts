/** Password reset tokens (only their SHA-256 is stored): issued, then used once before they expire. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export type ResetTokenState = { state: 'usable'; userId: string } | { state: 'expired' } | { state: 'unknown' };

export class PasswordResetsRepo {
  constructor(private readonly db: Queryable) {}

  async issue(tokenHash: string, userId: string, expiresAt: Date): Promise<void> {
    await this.db.query('INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
      tokenHash,
      userId,
      expiresAt,
    ]);
  }

  /** The token's row locked until commit, so two uses of one token are taken one after the other. A used token is unknown. */
  async lock(tokenHash: string, now: Date): Promise<ResetTokenState> {
    const result = await this.db.query<{ user_id: string; expired: boolean; used: boolean }>(
      `SELECT user_id, expires_at <= $2 AS expired, used_at IS NOT NULL AS used
       FROM password_resets WHERE token_hash = $1 FOR UPDATE`,
      [tokenHash, now],
    );
    const row = result.rows[0];
    if (!row || row.used) return { state: 'unknown' };
    if (row.expired) return { state: 'expired' };
    return { state: 'usable', userId: row.user_id };
  }

  /** Marks every unused token of the user used: after a reset or a change no older link works. */
  async useAllOf(userId: string, now: Date): Promise<void> {
    await this.db.query('UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL', [userId, now]);
  }
}

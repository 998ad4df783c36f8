/** Invite codes: who invited, until when, and who accepted. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface InviteRow {
  inviterId: string;
  acceptedBy: string | null;
  expired: boolean;
}

export class InvitesRepo {
  constructor(private readonly db: Queryable) {}

  async create(code: string, inviterId: string, expiresAt: Date): Promise<void> {
    await this.db.query('INSERT INTO invites (code, inviter_id, expires_at) VALUES ($1, $2, $3)', [code, inviterId, expiresAt]);
  }

  /** The invite, its row locked until commit (two accepts of one code are taken one after the other). */
  async lock(code: string): Promise<InviteRow | null> {
    const result = await this.db.query<{ inviter_id: string; accepted_by: string | null; expired: boolean }>(
      'SELECT inviter_id, accepted_by, expires_at <= now() AS expired FROM invites WHERE code = $1 FOR UPDATE',
      [code],
    );
    const row = result.rows[0];
    return row ? { inviterId: row.inviter_id, acceptedBy: row.accepted_by, expired: row.expired } : null;
  }

  async markAccepted(code: string, userId: string): Promise<void> {
    await this.db.query('UPDATE invites SET accepted_by = $2, accepted_at = now() WHERE code = $1', [code, userId]);
  }
}

/** Users, their devices and tokens. */
import type { User } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface UserRow extends User {
  passwordHash: string;
  personalSpaceId: string;
}

export interface DeviceIdentity {
  deviceId: string;
  user: User;
  personalSpaceId: string;
}

interface UserRecord {
  id: string;
  email: string;
  display_name: string;
  locale: string;
  time_zone: string;
  password_hash: string;
  personal_space_id: string;
}

const toUser = (row: UserRecord): UserRow => ({
  id: row.id,
  email: row.email,
  displayName: row.display_name,
  locale: row.locale,
  timeZone: row.time_zone,
  passwordHash: row.password_hash,
  personalSpaceId: row.personal_space_id,
});

export function publicUser(user: UserRow): User {
  return { id: user.id, email: user.email, displayName: user.displayName, locale: user.locale, timeZone: user.timeZone };
}

export class UsersRepo {
  constructor(private readonly db: Queryable) {}

  /** Creates the user, naming its personal space (which the caller writes); null when the email is taken. */
  async create(input: Omit<User, 'id'> & { id: string; passwordHash: string; personalSpaceId: string }): Promise<UserRow | null> {
    const inserted = await this.db.query<UserRecord>(
      `INSERT INTO users (id, email, display_name, locale, time_zone, password_hash, personal_space_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email) DO NOTHING RETURNING *`,
      [input.id, input.email, input.displayName, input.locale, input.timeZone, input.passwordHash, input.personalSpaceId],
    );
    const row = inserted.rows[0];
    return row ? toUser(row) : null;
  }

  async findByEmail(email: string): Promise<UserRow | null> {
    const result = await this.db.query<UserRecord>('SELECT * FROM users WHERE email = $1', [email]);
    return result.rows[0] ? toUser(result.rows[0]) : null;
  }

  async findById(id: string): Promise<UserRow | null> {
    const result = await this.db.query<UserRecord>('SELECT * FROM users WHERE id = $1', [id]);
    return result.rows[0] ? toUser(result.rows[0]) : null;
  }

  async createDevice(id: string, userId: string, name: string | null, tokenHash: string): Promise<string> {
    await this.db.query('INSERT INTO devices (id, user_id, name, token_hash) VALUES ($1, $2, $3, $4)', [id, userId, name, tokenHash]);
    return id;
  }

  async findDeviceByTokenHash(tokenHash: string): Promise<DeviceIdentity | null> {
    const result = await this.db.query<UserRecord & { device_id: string }>(
      `SELECT u.*, d.id AS device_id FROM devices d JOIN users u ON u.id = d.user_id
       WHERE d.token_hash = $1 AND d.revoked_at IS NULL`,
      [tokenHash],
    );
    const row = result.rows[0];
    if (!row) return null;
    const user = toUser(row);
    return { deviceId: row.device_id, user: publicUser(user), personalSpaceId: user.personalSpaceId };
  }

  /** The signed-in devices of these users, by token hash (cache warming at start). */
  async identitiesOfUsers(userIds: readonly string[]): Promise<Map<string, DeviceIdentity>> {
    const result = await this.db.query<UserRecord & { device_id: string; token_hash: string }>(
      `SELECT u.*, d.id AS device_id, d.token_hash FROM devices d JOIN users u ON u.id = d.user_id
        WHERE d.user_id = ANY($1) AND d.revoked_at IS NULL`,
      [userIds],
    );
    return new Map(
      result.rows.map((row) => {
        const user = toUser(row);
        return [row.token_hash, { deviceId: row.device_id, user: publicUser(user), personalSpaceId: user.personalSpaceId }];
      }),
    );
  }

  /** Those of these devices whose token has been revoked (or that no longer exist). */
  async revokedDevices(deviceIds: readonly string[]): Promise<Set<string>> {
    if (deviceIds.length === 0) return new Set();
    const result = await this.db.query<{ id: string }>('SELECT id FROM devices WHERE id = ANY($1::text[]) AND revoked_at IS NULL', [
      deviceIds,
    ]);
    const live = new Set(result.rows.map((r) => r.id));
    return new Set(deviceIds.filter((id) => !live.has(id)));
  }

  async revokeDevice(deviceId: string): Promise<void> {
    await this.db.query('UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [deviceId]);
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, passwordHash]);
  }

  /** Revokes every live device of the user but `keepDeviceId`; returns the revoked ids and token hashes. */
  async revokeOtherDevices(userId: string, keepDeviceId: string | null): Promise<Array<{ deviceId: string; tokenHash: string }>> {
    const result = await this.db.query<{ id: string; token_hash: string }>(
      `UPDATE devices SET revoked_at = now()
       WHERE user_id = $1 AND revoked_at IS NULL AND ($2::text IS NULL OR id <> $2)
       RETURNING id, token_hash`,
      [userId, keepDeviceId],
    );
    return result.rows.map((r) => ({ deviceId: r.id, tokenHash: r.token_hash }));
  }
}

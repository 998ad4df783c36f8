/** Sync clients (one per device database) and the last mutation id each has had applied. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export class ClientsRepo {
  constructor(private readonly db: Queryable) {}

  /** The client's lastMutationId, its row locked until commit (the upsert takes the lock either way). */
  async lock(userId: string, clientId: string): Promise<number> {
    const result = await this.db.query<{ last_mutation_id: number }>(
      `INSERT INTO clients (user_id, client_id) VALUES ($1, $2)
       ON CONFLICT (user_id, client_id) DO UPDATE SET last_mutation_id = clients.last_mutation_id
       RETURNING last_mutation_id`,
      [userId, clientId],
    );
    return result.rows[0]?.last_mutation_id ?? 0;
  }

  /** Without a lock: what a pull reports. */
  async lastMutationId(userId: string, clientId: string): Promise<number> {
    const result = await this.db.query<{ last_mutation_id: number }>(
      'SELECT last_mutation_id FROM clients WHERE user_id = $1 AND client_id = $2',
      [userId, clientId],
    );
    return result.rows[0]?.last_mutation_id ?? 0;
  }

  async setLastMutationId(userId: string, clientId: string, value: number): Promise<void> {
    await this.db.query('UPDATE clients SET last_mutation_id = $3, updated_at = now() WHERE user_id = $1 AND client_id = $2', [
      userId,
      clientId,
      value,
    ]);
  }
}

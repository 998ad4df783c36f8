/** A person's Stripe customer and subscription (subscriptions), and the Stripe events already applied. */
import type { SubscriptionStatus } from '@duet/shared';
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface SubscriptionRow {
  userId: string;
  customerId: string | null;
  subscriptionId: string | null;
  status: SubscriptionStatus;
}

interface SubscriptionRecord {
  user_id: string;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  status: SubscriptionStatus;
}

const toRow = (r: SubscriptionRecord): SubscriptionRow => ({
  userId: r.user_id,
  customerId: r.stripe_customer_id,
  subscriptionId: r.stripe_subscription_id,
  status: r.status,
});

export class SubscriptionsRepo {
  constructor(private readonly db: Queryable) {}

  async ofUser(userId: string): Promise<SubscriptionRow | null> {
    const result = await this.db.query<SubscriptionRecord>('SELECT * FROM subscriptions WHERE user_id = $1', [userId]);
    return result.rows[0] ? toRow(result.rows[0]) : null;
  }

  async userOfCustomer(customerId: string): Promise<string | null> {
    const result = await this.db.query<{ user_id: string }>('SELECT user_id FROM subscriptions WHERE stripe_customer_id = $1', [
      customerId,
    ]);
    return result.rows[0]?.user_id ?? null;
  }

  /** Records the user's Stripe customer (created for a checkout) without touching the status. */
  async linkCustomer(userId: string, customerId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO subscriptions (user_id, stripe_customer_id, status) VALUES ($1, $2, 'none')
       ON CONFLICT (user_id) DO UPDATE SET stripe_customer_id = EXCLUDED.stripe_customer_id, updated_at = now()`,
      [userId, customerId],
    );
  }

  /**
   * Sets the subscription's status as of a Stripe event created at `eventAt` (seconds); an event
   * older than the one that set the current status changes nothing (Stripe does not promise order).
   */
  async setStatus(
    userId: string,
    change: { customerId: string | null; subscriptionId: string | null; status: SubscriptionStatus; eventAt: number },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO subscriptions (user_id, stripe_customer_id, stripe_subscription_id, status, status_event_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET
         stripe_customer_id = COALESCE(EXCLUDED.stripe_customer_id, subscriptions.stripe_customer_id),
         stripe_subscription_id = COALESCE(EXCLUDED.stripe_subscription_id, subscriptions.stripe_subscription_id),
         status = EXCLUDED.status, status_event_at = EXCLUDED.status_event_at, updated_at = now()
       WHERE subscriptions.status_event_at <= EXCLUDED.status_event_at`,
      [userId, change.customerId, change.subscriptionId, change.status, change.eventAt],
    );
  }

  /** Records a Stripe event id; false when it was recorded before (a repeated delivery). */
  async recordEvent(id: string, type: string): Promise<boolean> {
    const result = await this.db.query('INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, type]);
    return (result.rowCount ?? 0) === 1;
  }
}

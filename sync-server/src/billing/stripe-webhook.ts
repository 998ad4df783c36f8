/**
 * Applies one verified Stripe event to the subscriptions, in one transaction with recording its
 * id: a repeated delivery changes nothing, and an event that fails changes nothing either (it is
 * not recorded, so Stripe's next delivery tries it again). Moves a person's subscription through
 * active, past_due and canceled.
 */
import type { SubscriptionStatus } from '@duet/shared';
import type pg from 'pg';
import { z } from 'zod';
import { inTransaction } from '../db/pool.ts';
import { badBody } from '../http/api-error.ts';
import { SubscriptionsRepo } from '../store/subscriptions-repo.ts';
import { UsersRepo } from '../store/users-repo.ts';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

const EventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.number().int(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const idOf = z.union([z.string(), z.object({ id: z.string() }).transform((o) => o.id)]).nullish();

const CheckoutSessionSchema = z.object({
  client_reference_id: z.string().nullish(),
  customer: idOf,
  subscription: idOf,
});

const SubscriptionSchema = z.object({
  id: z.string(),
  customer: idOf,
  status: z.string(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

/** Stripe's subscription states as the app knows them. */
export function statusOfStripe(status: string): SubscriptionStatus {
  if (status === 'active' || status === 'trialing') return 'active';
  if (status === 'past_due' || status === 'unpaid') return 'past_due';
  if (status === 'canceled' || status === 'incomplete_expired') return 'canceled';
  return 'none';
}

function parsed<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badBody(`the ${what} in this event is not in the expected shape`);
  return result.data;
}

export async function applyStripeEvent(pool: pg.Pool, raw: unknown): Promise<WebhookOutcome> {
  const event = parsed(EventSchema, raw, 'event');
  return inTransaction(pool, async (client) => {
    const subscriptions = new SubscriptionsRepo(client);
    if (!(await subscriptions.recordEvent(event.id, event.type))) return 'duplicate';
    const object = event.data.object;
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = parsed(CheckoutSessionSchema, object, 'checkout session');
        const userId = session.client_reference_id;
        if (!userId || !(await new UsersRepo(client).findById(userId))) return 'ignored';
        await subscriptions.setStatus(userId, {
          customerId: session.customer ?? null,
          subscriptionId: session.subscription ?? null,
          status: 'active',
          eventAt: event.created,
        });
        return 'applied';
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const subscription = parsed(SubscriptionSchema, object, 'subscription');
        const customerId = subscription.customer ?? null;
        const fromCustomer = customerId ? await subscriptions.userOfCustomer(customerId) : null;
        const fromMetadata = subscription.metadata?.userId ?? null;
        const userId = fromCustomer ?? (fromMetadata && (await new UsersRepo(client).findById(fromMetadata)) ? fromMetadata : null);
        if (!userId) return 'ignored';
        const status = event.type === 'customer.subscription.deleted' ? 'canceled' : statusOfStripe(subscription.status);
        await subscriptions.setStatus(userId, { customerId, subscriptionId: subscription.id, status, eventAt: event.created });
        return 'applied';
      }
      default:
        return 'ignored';
    }
  });
}

/**
 * The person's plan and usage, upgrading through Stripe Checkout, the customer portal, and the
 * Stripe webhook (raw body, signature verified, idempotent per event id). Without a Stripe key
 * the plan answer says billing is not configured, and the Stripe calls are refused as such.
 */
import { ErrorCode } from '@duet/shared';
import express, { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Plans } from '../billing/plans.ts';
import { isSignatureError, isStripeOutage, type StripeBilling } from '../billing/stripe-billing.ts';
import { applyStripeEvent } from '../billing/stripe-webhook.ts';
import { ApiError, badBody } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { SubscriptionsRepo } from '../store/subscriptions-repo.ts';

export interface BillingRouteDeps {
  pool: pg.Pool;
  plans: Plans;
  /** Null without STRIPE_SECRET_KEY. */
  stripe: StripeBilling | null;
  auth: ReturnType<typeof authenticate>;
  appUrl: () => string;
  logger: Logger;
}

export const WEBHOOK_PATH = '/api/billing/webhook';
/** Stripe's events are small; a larger body is not one. */
const WEBHOOK_MAX_BYTES = 256 * 1024;

const notConfigured = () =>
  new ApiError(501, ErrorCode.billingNotConfigured, 'billing is not configured on this server; every account is on the free plan');

/** A Stripe call that failed: an outage is worth trying again, anything else is not. */
function stripeFailure(error: unknown, logger: Logger): ApiError {
  logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'stripe call failed');
  if (isStripeOutage(error))
    return new ApiError(503, ErrorCode.unavailable, 'the payment service cannot be reached right now; try again shortly');
  return new ApiError(502, ErrorCode.internal, 'the payment service refused the request; the problem was logged');
}

export function billingRoutes({ pool, plans, stripe, auth, appUrl, logger }: BillingRouteDeps): Router {
  const router = Router();

  router.get('/billing', auth, async (req, res) => {
    res.json(await plans.overview(pool, identityOf(req).user.id));
  });

  router.post('/billing/checkout', auth, async (req, res) => {
    if (!stripe) throw notConfigured();
    const { user } = identityOf(req);
    const customerId = (await new SubscriptionsRepo(pool).ofUser(user.id))?.customerId ?? null;
    const url = await stripe.checkoutUrl({ userId: user.id, email: user.email, customerId, appUrl: appUrl() }).catch((error: unknown) => {
      throw stripeFailure(error, logger);
    });
    res.json({ url });
  });

  router.post('/billing/portal', auth, async (req, res) => {
    if (!stripe) throw notConfigured();
    const customerId = (await new SubscriptionsRepo(pool).ofUser(identityOf(req).user.id))?.customerId;
    if (!customerId) throw new ApiError(409, ErrorCode.noSubscription, 'there is no subscription to manage yet; upgrade first');
    const url = await stripe.portalUrl(customerId, appUrl()).catch((error: unknown) => {
      throw stripeFailure(error, logger);
    });
    res.json({ url });
  });

  return router;
}

/** The webhook, mounted before any JSON parser: the signature is over the exact bytes Stripe sent. */
export function stripeWebhook({ pool, stripe }: Pick<BillingRouteDeps, 'pool' | 'stripe'>): RequestHandler[] {
  const handler: RequestHandler = async (req, res) => {
    if (!stripe?.webhookConfigured) throw notConfigured();
    const signature = req.get('stripe-signature');
    if (!signature) throw new ApiError(400, ErrorCode.invalidSignature, 'the Stripe-Signature header is missing');
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body)) throw badBody('the body is empty');
    let event: unknown;
    try {
      event = stripe.verifiedEvent(body, signature);
    } catch (error) {
      if (isSignatureError(error)) throw new ApiError(400, ErrorCode.invalidSignature, 'the signature does not match this body');
      throw badBody('the body is not a Stripe event');
    }
    const outcome = await applyStripeEvent(pool, event);
    res.status(200).json({ received: true, outcome });
  };
  return [express.raw({ type: () => true, limit: WEBHOOK_MAX_BYTES }), handler];
}

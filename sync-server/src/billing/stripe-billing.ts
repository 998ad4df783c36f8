/**
 * Stripe through the `stripe` package: a checkout session to upgrade to Premium, a customer
 * portal link, and verifying webhook signatures. STRIPE_API_BASE points the package elsewhere
 * (the tests' local server that records requests).
 */
import Stripe from 'stripe';

export interface StripeSettings {
  secretKey: string;
  webhookSecret: string | null;
  pricePremium: string | null;
  apiBase: string | null;
}

export class StripeBilling {
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    const base = settings.apiBase ? new URL(settings.apiBase) : null;
    const protocol = base?.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(settings.secretKey, {
      ...(base ? { host: base.hostname, port: base.port || (protocol === 'http' ? 80 : 443), protocol } : {}),
      maxNetworkRetries: 1,
      timeout: 10_000,
      telemetry: false,
    });
  }

  get webhookConfigured(): boolean {
    return this.settings.webhookSecret !== null;
  }

  /** A checkout session for the Premium subscription; its completion reaches us as a webhook naming the user. */
  async checkoutUrl(input: { userId: string; email: string; customerId: string | null; appUrl: string }): Promise<string> {
    if (!this.settings.pricePremium) throw new Error('STRIPE_PRICE_PREMIUM is not set');
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: this.settings.pricePremium, quantity: 1 }],
      client_reference_id: input.userId,
      ...(input.customerId ? { customer: input.customerId } : { customer_email: input.email }),
      subscription_data: { metadata: { userId: input.userId } },
      metadata: { userId: input.userId },
      success_url: `${input.appUrl}/settings?billing=done`,
      cancel_url: `${input.appUrl}/settings?billing=cancelled`,
    });
    if (!session.url) throw new Error('Stripe answered a checkout session without a URL');
    return session.url;
  }

  async portalUrl(customerId: string, appUrl: string): Promise<string> {
    const session = await this.stripe.billingPortal.sessions.create({ customer: customerId, return_url: `${appUrl}/settings` });
    return session.url;
  }

  /** The event, if the signature verifies against the raw body; throws Stripe's signature error otherwise. */
  verifiedEvent(rawBody: Buffer, signature: string): Stripe.Event {
    if (!this.settings.webhookSecret) throw new Error('STRIPE_WEBHOOK_SECRET is not set');
    return this.stripe.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret);
  }
}

export const isSignatureError = (error: unknown): boolean => error instanceof Stripe.errors.StripeSignatureVerificationError;
export const isStripeOutage = (error: unknown): boolean =>
  error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError;

/** Plans, the month's usage against their limits, and the billing calls. */
import { z } from 'zod';

export const PlanSchema = z.enum(['free', 'premium']);
export type Plan = z.infer<typeof PlanSchema>;

/** A Stripe subscription's state as the app shows it; `none` before any checkout. */
export const SubscriptionStatusSchema = z.enum(['none', 'active', 'past_due', 'canceled']);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatusSchema>;

/** What plan limits count, per person per calendar month (UTC). */
export const UsageMetricSchema = z.enum(['analyses', 'audio_minutes']);
export type UsageMetric = z.infer<typeof UsageMetricSchema>;

const MeterSchema = z.object({ used: z.number().int().min(0), limit: z.number().int().min(0) });

export const BillingResponseSchema = z.object({
  plan: PlanSchema,
  status: SubscriptionStatusSchema,
  /** False when the server has no Stripe key: every account is on the free plan. */
  billingConfigured: z.boolean(),
  /** The month counted, `YYYY-MM` (UTC). */
  period: z.string(),
  usage: z.object({ analyses: MeterSchema, audioMinutes: MeterSchema }),
});
export type BillingResponse = z.infer<typeof BillingResponseSchema>;

/** Where to send the person: Stripe's checkout page or customer portal. */
export const BillingRedirectResponseSchema = z.object({ url: z.string().url() });
export type BillingRedirectResponse = z.infer<typeof BillingRedirectResponseSchema>;

/** The details of a `plan_limit_reached` refusal of an upload (HTTP); a rejected submit carries the code and message only. */
export const PlanLimitDetailsSchema = z.object({ metric: UsageMetricSchema, plan: PlanSchema, used: z.number(), limit: z.number() });
export type PlanLimitDetails = z.infer<typeof PlanLimitDetailsSchema>;

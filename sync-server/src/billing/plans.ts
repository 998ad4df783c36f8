/**
 * Plans and their monthly limits per person: which plan a person is on (Premium while their
 * Stripe subscription is active or past due; Free otherwise, and always without a Stripe key),
 * the month's usage against the plan, and taking from it.
 */
import { ErrorCode, type BillingResponse, type Plan, type SubscriptionStatus, type UsageMetric } from '@duet/shared';
import type pg from 'pg';
import type { PlanLimits } from '../config.ts';
import { SubscriptionsRepo } from '../store/subscriptions-repo.ts';
import { UsageRepo } from '../store/usage-repo.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface PlanRefusal {
  code: ErrorCode;
  message: string;
  details: { metric: UsageMetric; plan: Plan; used: number; limit: number };
}

/** The calendar month (UTC) usage is counted in, `YYYY-MM`. */
export function usagePeriod(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 7);
}

/** Past due keeps Premium while Stripe retries the payment; the app says the payment failed. */
export function planOfStatus(status: SubscriptionStatus): Plan {
  return status === 'active' || status === 'past_due' ? 'premium' : 'free';
}

const METRIC_WORDS: Record<UsageMetric, string> = { analyses: 'transcript analyses', audio_minutes: 'minutes of audio' };

export class Plans {
  constructor(
    private readonly limits: { free: PlanLimits; premium: PlanLimits },
    readonly billingConfigured: boolean,
    private readonly now: () => number,
  ) {}

  limitOf(plan: Plan, metric: UsageMetric): number {
    const limits = this.limits[plan];
    return metric === 'analyses' ? limits.analysesPerMonth : limits.audioMinutesPerMonth;
  }

  async subscriptionOf(db: Queryable, userId: string): Promise<{ plan: Plan; status: SubscriptionStatus }> {
    if (!this.billingConfigured) return { plan: 'free', status: 'none' };
    const status = (await new SubscriptionsRepo(db).ofUser(userId))?.status ?? 'none';
    return { plan: planOfStatus(status), status };
  }

  async overview(db: Queryable, userId: string): Promise<BillingResponse> {
    const period = usagePeriod(this.now());
    const { plan, status } = await this.subscriptionOf(db, userId);
    const used = await new UsageRepo(db).usedAll(userId, period);
    return {
      plan,
      status,
      billingConfigured: this.billingConfigured,
      period,
      usage: {
        analyses: { used: used.analyses, limit: this.limitOf(plan, 'analyses') },
        audioMinutes: { used: used.audio_minutes, limit: this.limitOf(plan, 'audio_minutes') },
      },
    };
  }

  /** Whether `amount` more fits this month, without taking it (null: it fits). */
  async check(db: Queryable, userId: string, metric: UsageMetric, amount: number): Promise<PlanRefusal | null> {
    const { plan } = await this.subscriptionOf(db, userId);
    const limit = this.limitOf(plan, metric);
    const used = await new UsageRepo(db).used(userId, usagePeriod(this.now()), metric);
    return used + amount <= limit ? null : this.refusal(metric, plan, used, limit);
  }

  /** Takes `amount` from this month's allowance atomically, or returns the refusal and takes nothing. */
  async take(db: Queryable, userId: string, metric: UsageMetric, amount: number): Promise<PlanRefusal | null> {
    const { plan } = await this.subscriptionOf(db, userId);
    const limit = this.limitOf(plan, metric);
    const repo = new UsageRepo(db);
    const period = usagePeriod(this.now());
    if ((await repo.add(userId, period, metric, amount, limit)) !== null) return null;
    return this.refusal(metric, plan, await repo.used(userId, period, metric), limit);
  }

  private refusal(metric: UsageMetric, plan: Plan, used: number, limit: number): PlanRefusal {
    const upgrade = plan === 'free' && this.billingConfigured ? '; upgrade to Premium for more' : '';
    return {
      code: ErrorCode.planLimitReached,
      message: `the ${plan} plan allows ${limit} ${METRIC_WORDS[metric]} a month and ${used} are used${upgrade}`,
      details: { metric, plan, used, limit },
    };
  }
}

/**
 * The plan and this month's usage ("7 of 10 analyses this month"), with the way to upgrade
 * (Stripe Checkout) or manage the subscription (Stripe's portal). Without billing on the server
 * it says so: every account is free.
 */
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient, useSyncStatus } from '../../data/index.ts';
import { useAction } from '../../app/use-action.ts';

export function PlanSection() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { online } = useSyncStatus();
  const titleId = useId();
  const billing = useQuery({ queryKey: ['billing'], queryFn: () => client.billing.overview(), enabled: online, staleTime: 10_000 });
  const redirect = useAction();
  const returned = new URLSearchParams(window.location.search).get('billing');

  const go = (url: () => Promise<string>) =>
    redirect.run(async () => {
      window.location.assign(await url());
    });

  const data = billing.data;
  return (
    <section className="settings-section card" aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {t('billing.title')}
      </h2>
      {!data ? (
        <p className="muted">{online ? (billing.isError ? t('billing.unavailable') : t('billing.loading')) : t('billing.offline')}</p>
      ) : (
        <>
          <p>
            <strong>{t(`billing.plan.${data.plan}`)}</strong>
          </p>
          {returned === 'done' && (
            <p className="form-success" role="status">
              {t('billing.thanks')}
            </p>
          )}
          {data.status === 'past_due' && (
            <p className="notice notice--warning" role="status">
              {t('billing.pastDue')}
            </p>
          )}
          <p>{t('billing.analyses', { used: data.usage.analyses.used, count: data.usage.analyses.limit })}</p>
          <meter
            min={0}
            max={data.usage.analyses.limit || 1}
            value={data.usage.analyses.used}
            aria-label={t('billing.analysesMeter')}
            className="meter"
          />
          <p>{t('billing.audioMinutes', { used: data.usage.audioMinutes.used, count: data.usage.audioMinutes.limit })}</p>
          <meter
            min={0}
            max={data.usage.audioMinutes.limit || 1}
            value={data.usage.audioMinutes.used}
            aria-label={t('billing.audioMinutesMeter')}
            className="meter"
          />
          {!data.billingConfigured ? (
            <p className="muted">{t('billing.notConfigured')}</p>
          ) : data.plan === 'free' ? (
            <>
              <p className="muted">{t('billing.upgradeHelp')}</p>
              <button
                type="button"
                className="button button--primary"
                disabled={redirect.busy}
                onClick={() => void go(() => client.billing.checkoutUrl())}
              >
                {t('billing.upgrade')}
              </button>
            </>
          ) : (
            <button type="button" className="button" disabled={redirect.busy} onClick={() => void go(() => client.billing.portalUrl())}>
              {t('billing.manage')}
            </button>
          )}
          {data.status === 'canceled' && data.billingConfigured && data.plan === 'free' && <p className="muted">{t('billing.canceled')}</p>}
          {redirect.error && (
            <p className="form-error" role="alert">
              {redirect.error}
            </p>
          )}
        </>
      )}
    </section>
  );
}

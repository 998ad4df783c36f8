/** Streaks and the last 7 days, computed on the device from local sessions (works offline). */
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { dailyActivity, sessionStats } from '@duet/shared';
import { useDuetClient, useMe, useSessions } from '../../data/index.ts';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { useNow } from '../../app/use-now.ts';
import { useFormatters } from '../../i18n/format.ts';
import { StatCard } from './StatCard.tsx';
import { WeekChart } from './WeekChart.tsx';

export function SessionsScreen() {
  const { t } = useTranslation();
  const sessions = useSessions();
  const me = useMe();
  const now = useNow(60_000);
  const format = useFormatters();
  const timeZone = me?.user.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const client = useDuetClient();
  // The server's figure counts every device's sessions; offline, the device's own count stands in.
  const serverStats = useQuery({
    queryKey: ['stats', me?.user.id],
    queryFn: () => client.stats(),
    enabled: Boolean(me),
    networkMode: 'offlineFirst',
  });

  if (sessions === undefined) {
    return (
      <section className="screen">
        <ScreenHeading>{t('sessions.title')}</ScreenHeading>
        <p className="muted">{t('app.loading')}</p>
      </section>
    );
  }

  const stats = sessionStats(sessions, now, timeZone);
  const days = dailyActivity(sessions, now, timeZone, 7);

  return (
    <section className="screen">
      <ScreenHeading>{t('sessions.title')}</ScreenHeading>
      <div className="stat-grid">
        <StatCard
          label={t('sessions.currentStreak')}
          value={t('sessions.days', { count: stats.currentStreak, formatted: format.number(stats.currentStreak) })}
        />
        <StatCard
          label={t('sessions.longestStreak')}
          value={t('sessions.days', { count: stats.longestStreak, formatted: format.number(stats.longestStreak) })}
        />
        <StatCard label={t('sessions.sessionsLast7')} value={format.number(stats.sessionsLast7Days)} />
        <StatCard label={t('sessions.minutesLast7')} value={format.number(stats.minutesLast7Days)} />
        <StatCard label={t('sessions.activeDays30')} value={format.number(serverStats.data?.activeDaysLast30 ?? stats.activeDaysLast30)} />
      </div>
      <WeekChart days={days} />
      {sessions.length === 0 && <p className="empty">{t('sessions.empty')}</p>}
      <p className="muted">{t('sessions.computedOffline')}</p>
    </section>
  );
}

/**
 * A bar chart of sessions per day for the last 7 days. The SVG is one image whose description
 * reads out every day's count, so the numbers are available without seeing the bars.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormatters } from '../../i18n/format.ts';

interface Day {
  day: number;
  sessions: number;
  minutes: number;
}

const WIDTH = 320;
const HEIGHT = 168;
const TOP = 22;
const BOTTOM = 28;

export function WeekChart({ days }: { days: Day[] }) {
  const { t, i18n } = useTranslation();
  const format = useFormatters();
  const titleId = useId();
  const descId = useId();
  const rtl = i18n.dir() === 'rtl';
  const max = Math.max(1, ...days.map((d) => d.sessions));
  const slot = WIDTH / Math.max(1, days.length);
  const barWidth = slot * 0.56;
  const plot = HEIGHT - TOP - BOTTOM;
  const description = days
    .map((d) => t('sessions.chartDay', { day: format.weekday(d.day, 'long'), count: d.sessions, formatted: format.number(d.sessions) }))
    .join(', ');

  return (
    <figure className="chart">
      <figcaption className="section-title" id={titleId}>
        {t('sessions.chartTitle')}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={titleId} aria-describedby={descId} className="chart-svg">
        <desc id={descId}>{description}</desc>
        <line x1={0} x2={WIDTH} y1={HEIGHT - BOTTOM} y2={HEIGHT - BOTTOM} className="chart-axis" />
        {days.map((d, index) => {
          const position = rtl ? days.length - 1 - index : index;
          const x = position * slot + (slot - barWidth) / 2;
          const h = (d.sessions / max) * plot;
          const y = HEIGHT - BOTTOM - h;
          return (
            <g key={d.day} aria-hidden="true">
              <rect x={x} y={y} width={barWidth} height={Math.max(h, d.sessions > 0 ? 2 : 0)} rx={4} className="chart-bar" />
              <text x={x + barWidth / 2} y={y - 6} textAnchor="middle" className="chart-value">
                {format.number(d.sessions)}
              </text>
              <text x={x + barWidth / 2} y={HEIGHT - 8} textAnchor="middle" className="chart-label">
                {format.weekday(d.day)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

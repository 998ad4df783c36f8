import { useId } from 'react';

/** One number with its label; the label comes first for screen readers and names the group. */
export function StatCard({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div className="stat-card" role="group" aria-labelledby={id}>
      <span id={id} className="stat-label">
        {label}
      </span>
      <span className="stat-value">{value}</span>
    </div>
  );
}

/**
 * Optional Prometheus (Debian's package) scraping every instance's /metrics, with the alert rules of
 * sync-server/deploy/prometheus loaded, so the rules run against the topology's real figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startDetached } from './processes.ts';

export const PROMETHEUS_DEPLOY_DIR = path.join(import.meta.dirname, '..', '..', 'deploy', 'prometheus');

export function startPrometheus(dir: string, port: number, instancePorts: number[]): number {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const config = [
    'global:',
    '  scrape_interval: 5s',
    '  evaluation_interval: 5s',
    'rule_files:',
    `  - ${JSON.stringify(path.join(PROMETHEUS_DEPLOY_DIR, 'duet-alerts.yml'))}`,
    'scrape_configs:',
    '  - job_name: duet',
    '    static_configs:',
    `      - targets: [${instancePorts.map((p) => `'127.0.0.1:${p}'`).join(', ')}]`,
  ];
  const file = path.join(dir, 'prometheus.yml');
  writeFileSync(file, `${config.join('\n')}\n`);
  return startDetached(
    'prometheus',
    [`--config.file=${file}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { logFile: path.join(dir, 'prometheus.log') },
  );
}

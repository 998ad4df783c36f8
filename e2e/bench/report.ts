/** Writes the benchmark's figures: results/latest.json, an HTML page with SVG bars, and the README table. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('./results', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

export interface Row {
  figure: string;
  value: number | null;
  unit: string;
  target: string;
  /** Whether the target is met; null when there is no figure. */
  met: boolean | null;
  conditions: string;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function chart(rows: readonly Row[], generatedAt: string, conditions: string): string {
  const width = 760;
  const barArea = 300;
  const height = 40 + rows.length * 34;
  const bars = rows
    .map((row, i) => {
      const y = 30 + i * 34;
      const colour = row.met === null ? '#9a9a9a' : row.met ? '#2e7d5b' : '#b5472f';
      const label = row.value === null ? 'no figure' : `${row.value} ${row.unit}`;
      return `<text x="0" y="${y + 14}" font-size="12">${escape(row.figure)}</text>
<rect x="330" y="${y}" width="${row.met === null ? 4 : barArea}" height="18" fill="${colour}" opacity="0.85"/>
<text x="${336}" y="${y + 13}" font-size="12" fill="#fff">${escape(label)}</text>
<text x="${640}" y="${y + 13}" font-size="11" fill="#333">target ${escape(row.target)}</text>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>Duet benchmark</title>
<body style="font-family: system-ui, sans-serif; margin: 24px">
<h1 style="font-size: 20px">Duet benchmark, ${escape(generatedAt)}</h1>
<p style="font-size: 13px">${escape(conditions)}. Green: target met; red: not met; grey: not measured.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Benchmark figures against targets">
${bars}
</svg>
<table style="font-size: 12px; border-collapse: collapse; margin-top: 16px">
<tr><th align="left">figure</th><th align="left">value</th><th align="left">target</th><th align="left">conditions</th></tr>
${rows.map((r) => `<tr><td>${escape(r.figure)}</td><td>${r.value ?? '–'} ${escape(r.unit)}</td><td>${escape(r.target)}</td><td>${escape(r.conditions)}</td></tr>`).join('\n')}
</table></body></html>
`;
}

export function writeReport(results: unknown, rows: readonly Row[], generatedAt: string, conditions: string): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}/latest.json`, `${JSON.stringify({ generatedAt, conditions, rows, results }, null, 2)}\n`);
  writeFileSync(`${RESULTS}/chart.html`, chart(rows, generatedAt, conditions));

  const table = [
    `Last run: ${generatedAt}. ${conditions}. Chart: [e2e/bench/results/chart.html](e2e/bench/results/chart.html), figures: [latest.json](e2e/bench/results/latest.json).`,
    '',
    '| figure | measured | target | met | conditions |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.figure} | ${r.value ?? 'not measured'} ${r.value === null ? '' : r.unit} | ${r.target} | ${r.met === null ? '–' : r.met ? 'yes' : 'no'} | ${r.conditions} |`,
    ),
  ].join('\n');
  const readme = readFileSync(README, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const block = `${start}\n${table}\n${end}`;
  const next = readme.includes(start)
    ? readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), block)
    : `${readme.trimEnd()}\n\n## Benchmark\n\n\`npm run bench\` measures the system and writes these figures (no test asserts a timing).\n\n${block}\n`;
  writeFileSync(README, next);
}

/** A run of some sections only: its figures in results/partial.json, the README and chart left as they are. */
export function writePartial(results: unknown, rows: readonly Row[], generatedAt: string, conditions: string): void {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}/partial.json`, `${JSON.stringify({ generatedAt, conditions, rows, results }, null, 2)}\n`);
}

/** The socket-scale and growth benches' figures as rows of the report. */
import type { GrowthResult } from './growth.ts';
import type { Row } from './report.ts';
import type { WsScaleResult } from './ws-scale.ts';

export function socketRows(r: WsScaleResult, machine: string): Row[] {
  const c = `${r.pairs} pairs seeded with SQL, one socket each (${r.connectionsWanted} wanted) on one instance, from ${r.clientProcesses} client processes; ${r.pushRate} pushes/s for ${r.pushes} pushes, each into another pair's shared space, from sending the push to the partner's poke (${r.pokesReceived} of ${r.pushes} arrived); connecting took ${r.connectSeconds} s; ${r.note}; ${machine}`;
  return [
    {
      figure: 'sockets held on one instance',
      value: r.connectionsHeld,
      unit: 'connections',
      target: '≥ 20,000',
      met: r.connectionsHeld >= 20_000,
      conditions: c,
    },
    { figure: 'poke push → partner p50', value: r.p50, unit: 'ms', target: '(reported)', met: null, conditions: c },
    { figure: 'poke push → partner p99', value: r.p99, unit: 'ms', target: '< 100 ms', met: r.p99 < 100, conditions: c },
    {
      figure: 'server memory per connection',
      value: r.kbPerConnection,
      unit: `KiB (RSS ${r.serverRssMbBefore} → ${r.serverRssMbAfter} MiB)`,
      target: '(reported)',
      met: null,
      conditions: c,
    },
  ];
}

export function growthRows(g: GrowthResult, machine: string): Row[] {
  const rows: Row[] = [];
  for (const p of g.points) {
    const c = `one space of ${p.messages} messages and ${g.sessions} sessions (five years), seeded with SQL in ${p.seedSeconds} s; sequential requests, p50 of 15; pull plan at a cursor halfway: ${p.pullPlan.node}${p.pullPlan.usesIndex ? ' on (space_id, version)' : ''}, ${p.pullPlan.executionMs} ms; ${machine}`;
    rows.push({
      figure: `growth ${p.messages}: push 5 / pull them / empty pull p50`,
      value: p.push5.p50,
      unit: `ms push (pull ${p.pullOfThose.p50}, empty pull ${p.emptyPull.p50})`,
      target: 'flat with size',
      met: null,
      conditions: c,
    });
    rows.push({
      figure: `growth ${p.messages}: stats p50`,
      value: p.stats.p50,
      unit: 'ms',
      target: '< 50 ms',
      met: p.stats.p50 < 50,
      conditions: c,
    });
    rows.push({
      figure: `growth ${p.messages}: first sync of a new device`,
      value: p.firstSync.rowsPerSecond,
      unit: `rows/s (${p.firstSync.rows} rows in ${p.firstSync.pages} pages${p.firstSync.complete ? '' : ', first pages only'}; first page ${p.firstSync.firstPageMs} ms)`,
      target: '(reported)',
      met: null,
      conditions: c,
    });
  }
  return rows;
}

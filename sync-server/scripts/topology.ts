/**
 * `npm run topology`: starts Duet's production-like topology on loopback (see topology/topology.ts)
 * and prints one line per part; `npm run topology -- --down` stops and removes it.
 * Options: `--prometheus` (also run Prometheus on the instances), `--dir <path>` (default: the
 * system's temporary directory, duet-topology; DUET_TOPOLOGY_DIR also sets it), `--env NAME=VALUE`
 * (repeatable: one more variable for every instance).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startTopology, stopTopology } from './topology/topology.ts';

const { values } = parseArgs({
  options: {
    down: { type: 'boolean', default: false },
    prometheus: { type: 'boolean', default: false },
    dir: { type: 'string' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const dir = path.resolve(values.dir ?? process.env.DUET_TOPOLOGY_DIR ?? path.join(os.tmpdir(), 'duet-topology'));

if (values.down) {
  const stopped = await stopTopology(dir);
  process.stdout.write(stopped ? `topology in ${dir} stopped and removed\n` : `no topology recorded in ${dir}\n`);
} else {
  const env = Object.fromEntries(
    values.env.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--env ${pair}: expected NAME=VALUE`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  try {
    await startTopology({ dir, prometheus: values.prometheus, env, log: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`state ${path.join(dir, 'state.json')} (stop it all: npm run topology -- --down)\n`);
  } catch (error) {
    process.stderr.write(`topology failed (whatever had started was stopped): ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

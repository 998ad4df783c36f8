/** Entry point: reads the environment, starts the server, stops it on SIGTERM/SIGINT. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config.ts';
import { SERVER_DIR } from './paths.ts';
import { startServer } from './server.ts';

const config = loadConfig();
if (!config.webDistDir) {
  const built = path.join(SERVER_DIR, '..', 'web', 'dist');
  if (existsSync(built)) config.webDistDir = built;
}
const server = await startServer(config);
process.stdout.write(`Duet is running at ${server.url}\n`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    // Every step of close() is bounded; this only guards against a bug there, so it is an error.
    const backstopMs = config.shutdownGraceMs + 2 * (config.pgTimeouts.statementMs + config.pgTimeouts.connectMs) + 10_000;
    setTimeout(() => {
      server.logger.error({ backstopMs }, 'shutdown did not finish in time');
      process.exit(1);
    }, backstopMs).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

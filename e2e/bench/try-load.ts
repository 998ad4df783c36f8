import { runLoad } from './load.ts';
import { startAppServer } from '../support/app-server.ts';
const server = await startAppServer();
try {
  console.log(JSON.stringify(await runLoad(server.url, 50)));
} finally { await server.stop(); }

/**
 * The sync-server package's directory. This file sits one level under it both as source
 * (src/paths.ts) and in the production build (dist/main.js, one bundle), so files found from here
 * (migrations, the built PWA) are found the same way in both.
 */
import { fileURLToPath } from 'node:url';

export const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The app server and browser profiles of one spec file: started before its tests, all closed after. */
import { afterAll, beforeAll } from 'vitest';
import { startAppServer, type AppServer } from './app-server.ts';
import type { Profile } from './browser.ts';

export interface SpecSession {
  /** The server's URL; only inside tests and hooks. */
  readonly url: string;
  /** Profiles the spec opened; push each one so it is closed after the spec. */
  readonly profiles: Profile[];
}

export function specSession(): SpecSession {
  let server: AppServer | undefined;
  const profiles: Profile[] = [];
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(async () => {
    await Promise.allSettled(profiles.map((p) => p.close()));
    await server?.stop();
  });
  return {
    get url() {
      if (!server) throw new Error('the app server is not started yet');
      return server.url;
    },
    profiles,
  };
}

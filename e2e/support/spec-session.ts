/** The app server and browser profiles of one spec file: started before its tests, all closed after. */
import { afterAll, beforeAll } from 'vitest';
import { startAppServer, type AppServer } from './app-server.ts';
import { openProfile, type Profile } from './browser.ts';
import { newUser, signUp } from './duet-flows.ts';
import type { Credentials } from './pages/index.ts';
import { DuetApp } from './pages/index.ts';

export interface SpecSession {
  /** The server's URL; only inside tests and hooks. */
  readonly url: string;
  /** Profiles the spec opened; push each one so it is closed after the spec. */
  readonly profiles: Profile[];
  /** Two people, Alex and Sam, each signed up on a phone of their own. */
  signUpPair(): Promise<Pair>;
}

export interface Pair {
  alex: DuetApp;
  sam: DuetApp;
  alexUser: Credentials;
  samUser: Credentials;
  alexProfile: Profile;
  samProfile: Profile;
}

/** `env`: server settings of this spec (e.g. a tight login limit). */
export function specSession(options: { env?: Record<string, string> } = {}): SpecSession {
  let server: AppServer | undefined;
  const profiles: Profile[] = [];
  beforeAll(async () => {
    server = await startAppServer(options.env);
  });
  afterAll(async () => {
    await Promise.allSettled(profiles.map((p) => p.close()));
    await server?.stop();
  });
  const session: SpecSession = {
    get url() {
      if (!server) throw new Error('the app server is not started yet');
      return server.url;
    },
    profiles,
    async signUpPair() {
      const [alexProfile, samProfile] = await Promise.all([openProfile(), openProfile()]);
      profiles.push(alexProfile, samProfile);
      const pair: Pair = {
        alex: new DuetApp(alexProfile.page),
        sam: new DuetApp(samProfile.page),
        alexUser: newUser('Alex'),
        samUser: newUser('Sam'),
        alexProfile,
        samProfile,
      };
      await signUp(pair.alex, session.url, pair.alexUser);
      await signUp(pair.sam, session.url, pair.samUser);
      return pair;
    },
  };
  return session;
}

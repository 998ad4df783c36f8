/** Sets up users for sync tests: two partners with a shared space, and an outsider. */
import { newId } from '@duet/shared';
import { signup, type TestServer } from '../harness.ts';
import { linkPartners, personalSpaceId, type HasUrl } from './api.ts';
import { SyncClient } from './sync-client.ts';

export interface Account {
  token: string;
  userId: string;
  email: string;
  password: string;
  personalSpaceId: string;
}

/** A new user on any running server (in-process or a child process). */
export async function account(server: HasUrl, displayName: string): Promise<Account> {
  const created = await signup(server, { displayName });
  return {
    token: created.token,
    userId: created.user.id,
    email: created.email,
    password: created.password,
    personalSpaceId: await personalSpaceId(server, created.token),
  };
}

export interface Couple {
  ana: Account;
  ben: Account;
  sharedSpaceId: string;
}

/** Ana and Ben, linked as partners. */
export async function couple(server: TestServer): Promise<Couple> {
  const ana = await account(server, 'Ana');
  const ben = await account(server, 'Ben');
  const sharedSpaceId = await linkPartners(server, ana.token, ben.token);
  return { ana, ben, sharedSpaceId };
}

/** A client of an account, with an optional readable prefix on its random clientId. */
export function clientOf(server: TestServer, who: Account, prefix = 'c'): SyncClient {
  return new SyncClient(server, who.token, `${prefix}-${newId()}`);
}

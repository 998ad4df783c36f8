/** Sets up users for sync tests: two partners with a shared space, and an outsider. */
import { newId } from '@duet/shared';
import type { Config } from '../../src/config.ts';
import { signup, startTestServer, type TestServer } from '../harness.ts';
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

/**
 * The block most server tests begin with: a test server of their own, and the accounts they need
 * on it. A setup that fails closes the server, so a broken test leaves no database behind.
 */
export async function startWithAccounts<T>(
  setup: (server: TestServer) => Promise<T>,
  overrides: Partial<Config> = {},
): Promise<{ server: TestServer; accounts: T }> {
  const server = await startTestServer(overrides);
  try {
    return { server, accounts: await setup(server) };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** A client of an account, with an optional readable prefix on its random clientId. */
export function clientOf(server: TestServer, who: Account, prefix = 'c'): SyncClient {
  return new SyncClient(server, who.token, `${prefix}-${newId()}`);
}

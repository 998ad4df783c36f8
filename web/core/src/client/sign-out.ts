/**
 * Signing out clears everything of the person on this device: the local data and outbox, the
 * sign-in, and the recordings (their own database), so the next person starts clean.
 */
import type { UploadManager } from '../audio/upload-manager.ts';
import type { SyncEngine } from '../sync/engine.ts';
import type { AuthController } from './auth.ts';
import type { SessionTracker } from './types.ts';

export interface SignOutDeps {
  engine: Pick<SyncEngine, 'read' | 'clearAll'>;
  auth: Pick<AuthController, 'logout' | 'load'>;
  sessionTracker: Pick<SessionTracker, 'end'>;
  uploads: Pick<UploadManager, 'clear'>;
}

export async function signOutOfDevice(deps: SignOutDeps, options: { force?: boolean }): Promise<{ pending: number }> {
  // Session bookkeeping is not the person's work: it never holds a sign-out up.
  const pending = await deps.engine.read(async (tx) => (await tx.getAll('outbox')).filter((e) => !e.name.startsWith('session.')).length);
  if (pending > 0 && !options.force) return { pending };
  await deps.sessionTracker.end();
  await deps.auth.logout();
  await deps.engine.clearAll();
  await deps.uploads.clear();
  await deps.auth.load();
  return { pending: 0 };
}

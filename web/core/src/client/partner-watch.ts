/**
 * Reconnects the real-time socket when the user's set of partners changes. The server tells a
 * socket who is online only when it authenticates, and sends presence only to the shared spaces it
 * knew then; after an invite is accepted both partners would see no presence until they next
 * reconnect. Remove once the server re-announces presence on a membership change.
 */
import type { Space } from '@duet/shared';
import type { RealtimeClient } from '../sync/realtime.ts';

export interface PartnerWatchDeps {
  realtime: RealtimeClient;
  spaces(): Promise<Space[]>;
  meId(): string | null;
  onLocalChange(listener: (stores: readonly string[]) => void): () => void;
}

/** The ids of everyone the user shares a space with, as one comparable string. */
export function partnerKey(spaces: readonly Space[], meId: string): string {
  const ids = new Set(spaces.filter((s) => s.kind === 'shared').flatMap((s) => s.members.map((m) => m.userId)));
  ids.delete(meId);
  return [...ids].sort().join(',');
}

/** Starts watching; returns the function that stops it. */
export function reconnectOnPartnerChange(deps: PartnerWatchDeps): () => void {
  /** The partners as they were when the current connection was made; null while not connected. */
  let connectedWith: string | null = null;
  let wasConnected = false;

  const currentKey = async (): Promise<string | null> => {
    const meId = deps.meId();
    if (meId === null) return null;
    try {
      return partnerKey(await deps.spaces(), meId);
    } catch {
      return null;
    }
  };

  const detachStatus = deps.realtime.subscribe(({ status }) => {
    const connected = status === 'connected';
    if (connected === wasConnected) return;
    wasConnected = connected;
    connectedWith = null;
    if (!connected) return;
    void currentKey().then((key) => {
      if (wasConnected) connectedWith = key;
    });
  });

  const detachChanges = deps.onLocalChange((stores) => {
    if (!stores.includes('spaces') || connectedWith === null) return;
    const before = connectedWith;
    void currentKey().then((key) => {
      if (key === null || connectedWith !== before || key === before) return;
      connectedWith = null;
      deps.realtime.reconnect();
    });
  });

  return () => {
    detachStatus();
    detachChanges();
  };
}

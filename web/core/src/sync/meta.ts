/**
 * Typed values in the `meta` store, each with a check and a default. Values read back are
 * validated: a corrupt or outdated value yields the default instead of breaking the engine.
 * (Hand-written checks: web/ does not depend on zod directly; shared's schemas are used where
 * one exists.)
 */
import { IdSchema, UserSchema } from '@duet/shared';
import type { User } from '@duet/shared';
import type { RejectedMutation } from './status.ts';
import type { StorageTx } from './storage.ts';

export interface MetaValues {
  /** Identifies this local store to the server; a new one after local data is cleared. */
  clientId: string | null;
  /** The pull cursor: null pulls from the beginning. */
  cursor: string | null;
  /** The id of the last mutation appended to the outbox (ids start at 1, +1 each). */
  lastMutationId: number;
  /** The server's lastMutationId for this client, from the latest push or pull answer. */
  serverLastMutationId: number;
  /** This device's hybrid logical clock, formatted. */
  hlc: string | null;
  /** The token and device, null when signed out. */
  auth: { token: string; deviceId: string } | null;
  /** The user whose data this store holds; kept when the token is lost, so a re-login continues. */
  user: User | null;
  rejected: RejectedMutation[];
  dismissedConflicts: string[];
  lastSyncAt: number | null;
}

export type MetaKey = keyof MetaValues;

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const nullable = <T>(check: (v: unknown) => v is T) => (v: unknown): v is T | null => v === null || check(v);

function isRejected(v: unknown): v is RejectedMutation {
  return isObject(v) && isCount(v.id) && isString(v.name) && isString(v.code) && isString(v.message) && typeof v.at === 'number';
}

const checks: { [K in MetaKey]: (v: unknown) => v is MetaValues[K] } = {
  clientId: nullable((v): v is string => IdSchema.safeParse(v).success),
  cursor: nullable(isString),
  lastMutationId: isCount,
  serverLastMutationId: isCount,
  hlc: nullable(isString),
  auth: nullable((v): v is { token: string; deviceId: string } => isObject(v) && isString(v.token) && isString(v.deviceId)),
  user: nullable((v): v is User => UserSchema.safeParse(v).success),
  rejected: (v): v is RejectedMutation[] => Array.isArray(v) && v.every(isRejected),
  dismissedConflicts: (v): v is string[] => Array.isArray(v) && v.every(isString),
  lastSyncAt: nullable((v): v is number => typeof v === 'number'),
};

const defaults: MetaValues = {
  clientId: null,
  cursor: null,
  lastMutationId: 0,
  serverLastMutationId: 0,
  hlc: null,
  auth: null,
  user: null,
  rejected: [],
  dismissedConflicts: [],
  lastSyncAt: null,
};

export async function getMeta<K extends MetaKey>(tx: StorageTx, key: K): Promise<MetaValues[K]> {
  const record = await tx.get('meta', key);
  if (!record) return defaults[key];
  return checks[key](record.value) ? record.value : defaults[key];
}

export async function setMeta<K extends MetaKey>(tx: StorageTx, key: K, value: MetaValues[K]): Promise<void> {
  await tx.put('meta', { key, value });
}

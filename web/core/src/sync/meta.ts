/**
 * Typed values in the `meta` store, each with a check and a default. Values read back are
 * validated against its zod schema (shared's where one exists): a corrupt or outdated value
 * yields the default instead of breaking the engine.
 */
import { IdSchema, UserSchema } from '@duet/shared';
import { z } from 'zod';
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

const Count = z.int().nonnegative();
const RejectedSchema = z.object({ id: Count, name: z.string(), code: z.string(), message: z.string(), args: z.unknown(), at: z.number() });

const schemas: { [K in MetaKey]: z.ZodType<MetaValues[K]> } = {
  clientId: IdSchema.nullable(),
  cursor: z.string().nullable(),
  lastMutationId: Count,
  serverLastMutationId: Count,
  hlc: z.string().nullable(),
  auth: z.object({ token: z.string(), deviceId: z.string() }).nullable(),
  user: UserSchema.nullable(),
  rejected: z.array(RejectedSchema),
  dismissedConflicts: z.array(z.string()),
  lastSyncAt: z.number().nullable(),
};

function isMetaValue<K extends MetaKey>(key: K, value: unknown): value is MetaValues[K] {
  return schemas[key].safeParse(value).success;
}

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
  return isMetaValue(key, record.value) ? record.value : defaults[key];
}

export async function setMeta<K extends MetaKey>(tx: StorageTx, key: K, value: MetaValues[K]): Promise<void> {
  await tx.put('meta', { key, value });
}

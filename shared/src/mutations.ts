/** Mutations: one args schema per mutation name, and the envelope a push carries. */
import { z } from 'zod';
import { ErrorCode } from './error-codes.ts';
import { isHlc } from './hlc.ts';
import { IdSchema } from './ids.ts';
import { ActivityKindSchema } from './entities.ts';
import { StorableString, TrimmedStorableString } from './text.ts';

export const MAX_TITLE_LENGTH = 200;
export const MAX_TEXT_LENGTH = 20_000;

const Title = TrimmedStorableString.min(1).max(MAX_TITLE_LENGTH);
/** A new conversation may have no title: the app shows a default in the reader's language. */
const NewTitle = TrimmedStorableString.max(MAX_TITLE_LENGTH);
const Text = StorableString.max(MAX_TEXT_LENGTH);
const EpochMs = z.number().int().nonnegative().max(8_640_000_000_000_000);

export const mutationArgsSchemas = {
  'conversation.create': z.object({ id: IdSchema, spaceId: IdSchema, title: NewTitle }),
  'conversation.update': z
    .object({ id: IdSchema, title: Title.optional(), archived: z.boolean().optional() })
    .refine((a) => a.title !== undefined || a.archived !== undefined, 'title or archived is required'),
  /** The person has read the conversation up to `upTo` (the newest message's createdAt they saw). */
  'conversation.read': z.object({ id: IdSchema, upTo: EpochMs }),
  'message.add': z.object({ id: IdSchema, conversationId: IdSchema, body: Text.min(1), replyTo: IdSchema.optional() }),
  'message.edit': z.object({ id: IdSchema, body: Text.min(1) }),
  'message.delete': z.object({ id: IdSchema }),
  'session.start': z.object({ id: IdSchema, startedAt: EpochMs }),
  'session.activity': z.object({ id: IdSchema, kind: ActivityKindSchema, at: EpochMs }),
  'session.end': z.object({ id: IdSchema, endedAt: EpochMs }),
  'transcript.create': z.object({
    id: IdSchema,
    spaceId: IdSchema,
    conversationId: IdSchema.optional(),
    text: Text,
    language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a language tag such as en or es-MX'),
    durationMs: z.number().int().nonnegative().optional(),
  }),
  'transcript.update': z.object({ id: IdSchema, text: Text }),
  'transcript.submit': z.object({ id: IdSchema }),
  'transcript.delete': z.object({ id: IdSchema }),
  /** Marks one of the caller's notifications read (on every device of theirs). */
  'notification.read': z.object({ id: IdSchema }),
  'conflict.resolve': z.object({ id: IdSchema, resolution: z.enum(['restored', 'dismissed']) }),
} as const;

export type MutationName = keyof typeof mutationArgsSchemas;
export const MUTATION_NAMES = Object.keys(mutationArgsSchemas) as MutationName[];
export type MutationArgs<N extends MutationName> = z.infer<(typeof mutationArgsSchemas)[N]>;

export function isMutationName(name: string): name is MutationName {
  return Object.hasOwn(mutationArgsSchemas, name);
}

/** The envelope of one mutation in a push; its args are validated apart, per name. */
export const MutationEnvelopeSchema = z.object({
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  name: StorableString.max(100),
  args: z.unknown(),
  hlc: StorableString.max(200),
});
export type MutationEnvelope = z.infer<typeof MutationEnvelopeSchema>;

/** A mutation whose name and args are known to be valid. */
export type Mutation = {
  [N in MutationName]: { id: number; name: N; args: MutationArgs<N>; hlc: string };
}[MutationName];

export type ParsedMutation = { ok: true; mutation: Mutation } | { ok: false; code: ErrorCode; message: string };

/** Checks a mutation's name, args and hlc, giving the rejection the protocol asks for when they are wrong. */
export function parseMutation(envelope: MutationEnvelope): ParsedMutation {
  if (!isMutationName(envelope.name)) {
    return { ok: false, code: ErrorCode.unknownMutation, message: `unknown mutation ${JSON.stringify(envelope.name)}` };
  }
  if (!isHlc(envelope.hlc)) {
    return { ok: false, code: ErrorCode.invalidArgs, message: 'hlc is not "<15-digit wall>:<5-digit counter>:<clientId>"' };
  }
  const parsed = mutationArgsSchemas[envelope.name].safeParse(envelope.args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return { ok: false, code: ErrorCode.invalidArgs, message: `${envelope.name}: ${where}${issue?.message ?? 'invalid args'}` };
  }
  return { ok: true, mutation: { id: envelope.id, name: envelope.name, args: parsed.data, hlc: envelope.hlc } as Mutation };
}

/**
 * The processing result as the server's analysis job writes it (sync-server/src/jobs/
 * transcript-analysis.ts). The entity types it `unknown`, so it is checked against this schema
 * before it is shown; a result of another shape gives null.
 */
import { z } from 'zod';

const Finite = z.number().finite();
const Score = Finite.nullable();

const SpeakerResultSchema = z.object({ name: z.string(), turns: Finite, words: Finite, sentiment: Score });
const TopWordSchema = z.object({ word: z.string(), count: Finite });

// Only wordCount, durationMs and well-formed lists are required; a missing or odd language,
// durationEstimated or sentiment reads as its default. Unknown fields are dropped.
const TranscriptResultSchema = z.object({
  language: z.string().catch(''),
  wordCount: Finite,
  durationMs: Finite,
  durationEstimated: z.boolean().catch(false),
  speakers: z
    .array(SpeakerResultSchema)
    .nullish()
    .transform((value) => value ?? []),
  topWords: z
    .array(TopWordSchema)
    .nullish()
    .transform((value) => value ?? []),
  sentiment: Score.catch(null),
});

export type SpeakerResult = z.infer<typeof SpeakerResultSchema>;
export type TranscriptResultView = z.infer<typeof TranscriptResultSchema>;

export function parseTranscriptResult(value: unknown): TranscriptResultView | null {
  const parsed = TranscriptResultSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

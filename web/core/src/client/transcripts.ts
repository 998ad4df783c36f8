/**
 * The transcript workflow: a new transcript, its optional recording and its optional submit, as
 * one call. The recording lives in its own database, so the steps cannot share a transaction;
 * their order makes every interruption safe instead.
 */
import type { ActivityKind, MutationArgs, MutationName } from '@duet/shared';
import type { UploadManager } from '../audio/upload-manager.ts';
import type { NewTranscript, TranscriptWorkflows } from './types.ts';

export interface TranscriptWorkflowDeps {
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<void>;
  newId(): string;
  uploads: Pick<UploadManager, 'add' | 'discard'>;
  recordActivity(kind: ActivityKind): Promise<void>;
}

export function createTranscriptWorkflows(deps: TranscriptWorkflowDeps): TranscriptWorkflows {
  return {
    async create(input: NewTranscript) {
      const { audio } = input;
      const id = deps.newId();
      // The recording is stored first: the upload manager leaves it alone until the transcript exists.
      if (audio) await deps.uploads.add({ transcriptId: id, blob: audio.blob, mimeType: audio.mimeType, durationMs: audio.durationMs });
      const durationMs = audio ? { durationMs: Math.round(audio.durationMs) } : {};
      const conversationId = input.conversationId ? { conversationId: input.conversationId } : {};
      try {
        await deps.mutate('transcript.create', {
          id,
          spaceId: input.spaceId,
          text: input.text,
          language: input.language,
          ...durationMs,
          ...conversationId,
        });
      } catch (error) {
        // No transcript, so no recording: it would wait for one forever.
        if (audio) await deps.uploads.discard(id).catch(() => undefined);
        throw error;
      }
      if (input.submit) await deps.mutate('transcript.submit', { id });
      void deps.recordActivity('transcript').catch(() => undefined);
      return { id };
    },
  };
}

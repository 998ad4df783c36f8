/** React adapters over the audio runtime: the runtime itself, an upload's state, a stored recording. */
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useDuetClient } from '../../data/index.ts';
import type { AudioRecording, AudioRuntime, UploadView } from '@duet/client';

export function useAudioRuntime(): AudioRuntime {
  return useDuetClient().audio;
}

/** The upload state of a transcript's recording on this device; null when it has none. */
export function useUploadView(transcriptId: string): UploadView | null {
  const { uploads } = useAudioRuntime();
  const subscribe = useCallback((onChange: () => void) => uploads.subscribe(onChange), [uploads]);
  return useSyncExternalStore(
    subscribe,
    () => uploads.view(transcriptId),
    () => uploads.view(transcriptId),
  );
}

/**
 * The recording kept on this device for a transcript (null when none, undefined while loading).
 * Read again when the upload state appears or goes, so a new or discarded recording shows.
 */
export function useLocalRecording(transcriptId: string): AudioRecording | null | undefined {
  const { store } = useAudioRuntime();
  const present = useUploadView(transcriptId) !== null;
  const [recording, setRecording] = useState<{ key: string; value: AudioRecording | null } | undefined>(undefined);
  const key = `${transcriptId}:${String(present)}`;
  useEffect(() => {
    let live = true;
    store.get(transcriptId).then(
      (value) => live && setRecording({ key, value }),
      () => live && setRecording({ key, value: null }),
    );
    return () => {
      live = false;
    };
  }, [store, transcriptId, key]);
  return recording?.key === key ? recording.value : undefined;
}

/** An object URL for `blob`, revoked when the blob changes or the component unmounts. */
export function useObjectUrl(blob: Blob | null | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const created = URL.createObjectURL(blob);
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [blob]);
  return url;
}

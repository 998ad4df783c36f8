/** The recorder as React state: start, stop (keeping the audio), discard, and a ticking timer. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { AudioRecorder, RecorderError } from '@duet/client';
import type { RecordedAudio, RecorderErrorCode } from '@duet/client';
import { useActivityClaim } from '../../data/index.ts';

export type RecorderPhase = 'idle' | 'starting' | 'recording' | 'stopping';

export interface RecorderState {
  phase: RecorderPhase;
  elapsedMs: number;
  recorded: RecordedAudio | null;
  error: RecorderErrorCode | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  discard(): void;
}

const TICK_MS = 250;

export function useRecorder(): RecorderState {
  const recorder = useRef<AudioRecorder | null>(null);
  const [phase, setPhase] = useState<RecorderPhase>('idle');
  const [elapsedMs, setElapsedMs] = useState(0);
  const [recorded, setRecorded] = useState<RecordedAudio | null>(null);
  const [error, setError] = useState<RecorderErrorCode | null>(null);

  const instance = () => (recorder.current ??= new AudioRecorder());
  // Partners (while this device shares its activity) see "recording" for as long as it lasts.
  useActivityClaim('recording', phase === 'recording');

  useEffect(() => () => recorder.current?.cancel(), []);

  useEffect(() => {
    if (phase !== 'recording') return;
    const timer = setInterval(() => setElapsedMs(instance().elapsedMs()), TICK_MS);
    return () => clearInterval(timer);
  }, [phase]);

  const start = useCallback(async () => {
    setError(null);
    setPhase('starting');
    try {
      await instance().start();
      setElapsedMs(0);
      setRecorded(null);
      setPhase('recording');
    } catch (e) {
      setError(e instanceof RecorderError ? e.code : 'recording_failed');
      setPhase('idle');
    }
  }, []);

  const stop = useCallback(async () => {
    setPhase('stopping');
    try {
      const audio = await instance().stop();
      setRecorded(audio);
      setElapsedMs(audio.durationMs);
    } catch (e) {
      setError(e instanceof RecorderError ? e.code : 'recording_failed');
    }
    setPhase('idle');
  }, []);

  const discard = useCallback(() => {
    recorder.current?.cancel();
    setRecorded(null);
    setElapsedMs(0);
    setError(null);
    setPhase('idle');
  }, []);

  return { phase, elapsedMs, recorded, error, start, stop, discard };
}

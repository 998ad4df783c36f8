import { useObjectUrl } from './use-audio.ts';

/** Plays audio held in a Blob (works offline); the object URL is revoked on unmount. */
export function AudioPlayer({ blob, label }: { blob: Blob; label: string }) {
  const url = useObjectUrl(blob);
  if (!url) return null;
  return <audio className="audio-player" controls preload="metadata" src={url} aria-label={label} style={{ inlineSize: '100%' }} />;
}

import { useObjectUrl } from './use-audio.ts';

/** Plays audio held in a Blob (works offline); the object URL is revoked on unmount. */
export function AudioPlayer({ blob, label }: { blob: Blob; label: string }) {
  const url = useObjectUrl(blob);
  if (!url) return null;
  // The person's own recording has no caption track; its transcript text is shown beside it.
  // eslint-disable-next-line jsx-a11y/media-has-caption
  return <audio className="audio-player" controls preload="metadata" src={url} aria-label={label} style={{ inlineSize: '100%' }} />;
}

/** A message's text with its links clickable (see message-links.ts for which ones). */
import { useMemo } from 'react';
import { splitLinks } from './message-links.ts';

export function MessageBody({ text }: { text: string }) {
  const parts = useMemo(() => splitLinks(text), [text]);
  return (
    <p className="message-body" dir="auto">
      {parts.map((part, index) =>
        part.kind === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

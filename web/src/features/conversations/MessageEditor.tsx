import { useEffect, useId, useRef } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TEXT_LENGTH } from '@duet/shared';
import { LengthHint } from '../../app/LengthHint.tsx';
import { SaveCancelButtons } from '../../app/SaveCancelButtons.tsx';
import { useLimitedText } from '../../app/use-limited-text.ts';

/** Edits a message body in place, scrolled fully into view when it opens; Escape cancels. */
export function MessageEditor(props: { initial: string; onSave: (body: string) => Promise<void>; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const form = useRef<HTMLFormElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const { value: body, cut, setValue: setBody } = useLimitedText(MAX_TEXT_LENGTH, props.initial);
  useEffect(() => {
    area.current?.focus({ preventScroll: true });
    // The box and its buttons, not only the caret, must be in view (the message may sit at an edge).
    form.current?.scrollIntoView({ block: 'nearest' });
  }, []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) void props.onSave(body);
  };

  return (
    // Escape anywhere in the form cancels: key events bubble up from its fields and buttons.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <form ref={form} className="form" onSubmit={onSubmit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}>
      <label htmlFor={id} className="visually-hidden">
        {t('conversation.editLabel')}
      </label>
      <textarea
        id={id}
        ref={area}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        rows={3}
        required
        aria-describedby={`${id}-hint`}
      />
      <LengthHint id={`${id}-hint`} length={body.length} limit={MAX_TEXT_LENGTH} cut={cut} />
      <SaveCancelButtons onCancel={props.onCancel} />
    </form>
  );
}

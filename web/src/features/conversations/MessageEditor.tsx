import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TEXT_LENGTH } from '@duet/shared';
import { SaveCancelButtons } from '../../app/SaveCancelButtons.tsx';

/** Edits a message body in place; Escape cancels. */
export function MessageEditor(props: { initial: string; onSave: (body: string) => Promise<void>; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const [body, setBody] = useState(props.initial);
  useEffect(() => area.current?.focus(), []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (body.trim()) void props.onSave(body);
  };

  return (
    // Escape anywhere in the form cancels: key events bubble up from its fields and buttons.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <form className="form" onSubmit={onSubmit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}>
      <label htmlFor={id} className="visually-hidden">
        {t('conversation.editLabel')}
      </label>
      <textarea id={id} ref={area} value={body} onChange={(e) => setBody(e.target.value)} rows={3} maxLength={MAX_TEXT_LENGTH} required />
      <SaveCancelButtons onCancel={props.onCancel} />
    </form>
  );
}

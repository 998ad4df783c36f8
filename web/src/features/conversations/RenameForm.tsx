import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TITLE_LENGTH } from '@duet/shared';
import { SaveCancelButtons } from '../../app/SaveCancelButtons.tsx';

/** Inline title editor; Escape cancels. */
export function RenameForm(props: { initial: string; onSave: (title: string) => Promise<void> | void; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [title, setTitle] = useState(props.initial);
  useEffect(() => input.current?.select(), []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const next = title.trim();
    if (next) void props.onSave(next);
  };

  return (
    // Escape anywhere in the form cancels: key events bubble up from its fields and buttons.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <form className="form form--row" onSubmit={onSubmit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}>
      <div className="field field--grow">
        <label htmlFor={id}>{t('conversations.renameLabel')}</label>
        <input id={id} ref={input} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={MAX_TITLE_LENGTH} required />
      </div>
      <SaveCancelButtons onCancel={props.onCancel} />
    </form>
  );
}

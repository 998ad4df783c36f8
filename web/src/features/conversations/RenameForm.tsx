import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TITLE_LENGTH } from '@duet/shared';
import { LengthHint } from '../../app/LengthHint.tsx';
import { SaveCancelButtons } from '../../app/SaveCancelButtons.tsx';
import { useLimitedText } from '../../app/use-limited-text.ts';

/** Inline title editor; Escape cancels; a blank title is refused with a reason. */
export function RenameForm(props: { initial: string; onSave: (title: string) => Promise<void> | void; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const { value: title, cut, setValue: setTitle } = useLimitedText(MAX_TITLE_LENGTH, props.initial);
  const [blank, setBlank] = useState(false);
  useEffect(() => input.current?.select(), []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const next = title.trim();
    setBlank(!next);
    if (next) void props.onSave(next);
    else input.current?.focus();
  };

  return (
    // Escape anywhere in the form cancels: key events bubble up from its fields and buttons.
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <form className="form form--row" onSubmit={onSubmit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()} noValidate>
      <div className="field field--grow">
        <label htmlFor={id}>{t('conversations.renameLabel')}</label>
        <input
          id={id}
          ref={input}
          value={title}
          onChange={(e) => {
            setBlank(false);
            setTitle(e.target.value);
          }}
          aria-invalid={blank}
          aria-describedby={`${id}-hint ${id}-blank`}
        />
        <LengthHint id={`${id}-hint`} length={title.length} limit={MAX_TITLE_LENGTH} cut={cut} />
        <p id={`${id}-blank`} className="form-error" role={blank ? 'alert' : undefined}>
          {blank ? t('titles.blankRename') : ''}
        </p>
      </div>
      <SaveCancelButtons onCancel={props.onCancel} />
    </form>
  );
}

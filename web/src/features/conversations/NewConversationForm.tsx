import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_TITLE_LENGTH } from '@duet/shared';
import { useDuetClient, useMe } from '../../data/index.ts';
import { useAction } from '../../app/use-action.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { FormError } from '../../app/FormError.tsx';
import { LengthHint } from '../../app/LengthHint.tsx';
import { useLimitedText } from '../../app/use-limited-text.ts';

/** Title, where it lives (only me, or shared with the partner when linked) and a create button. */
export function NewConversationForm() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const me = useMe();
  const mutate = useMutate();
  const titleId = useId();
  const spaceId = useId();
  const { value: title, cut, setValue: setTitle } = useLimitedText(MAX_TITLE_LENGTH);
  const [space, setSpace] = useState<'shared' | 'personal'>('shared');
  const { error, run } = useAction();
  const partner = me?.spaces.find((s) => s.id === me.sharedSpaceId)?.members.find((m) => m.userId !== me?.user.id);
  const targetSpace = space === 'shared' && me?.sharedSpaceId ? me.sharedSpaceId : me?.personalSpaceId;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!targetSpace) return;
    const typed = title;
    setTitle('');
    await run(
      () => mutate('conversation.create', { id: client.newId(), spaceId: targetSpace, title: typed.trim() }),
      () => setTitle(typed),
    );
  };

  return (
    <form className="form form--inline card" onSubmit={(e) => void onSubmit(e)}>
      <div className="field">
        <label htmlFor={titleId}>{t('conversations.newTitleLabel')}</label>
        <input
          id={titleId}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          autoComplete="off"
          placeholder={t('conversations.untitled')}
          aria-describedby={`${titleId}-hint`}
        />
        <LengthHint id={`${titleId}-hint`} length={title.length} limit={MAX_TITLE_LENGTH} cut={cut} />
      </div>
      {me?.sharedSpaceId && (
        <div className="field">
          <label htmlFor={spaceId}>{t('conversations.spaceLabel')}</label>
          <select id={spaceId} value={space} onChange={(e) => setSpace(e.target.value === 'personal' ? 'personal' : 'shared')}>
            <option value="shared">{t('conversations.spaceShared', { name: partner?.displayName ?? t('people.partner') })}</option>
            <option value="personal">{t('conversations.spacePersonal')}</option>
          </select>
        </div>
      )}
      <FormError message={error} />
      <button type="submit" className="button button--primary" disabled={!targetSpace}>
        {t('conversations.create')}
      </button>
    </form>
  );
}

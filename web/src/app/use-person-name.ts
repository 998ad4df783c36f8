import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../data/index.ts';

/** Names a user id for display: "You" for the signed-in user, the partner's name, or "Someone". */
export function usePersonName(): (userId: string, self?: 'you' | 'otherDevice') => string {
  const { t } = useTranslation();
  const me = useMe();
  return useCallback(
    (userId: string, self: 'you' | 'otherDevice' = 'you') => {
      if (me && userId === me.user.id) return self === 'you' ? t('people.you') : t('people.otherDevice');
      for (const space of me?.spaces ?? []) {
        const member = space.members.find((m) => m.userId === userId);
        if (member) return member.displayName;
      }
      return t('people.someone');
    },
    [me, t],
  );
}

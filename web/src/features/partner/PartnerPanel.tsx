/** Link with a partner: show who is linked, create an invite code, or accept the partner's code. */
import { useTranslation } from 'react-i18next';
import { useMe, useSyncStatus } from '../../data/index.ts';
import { AcceptInviteForm } from './AcceptInviteForm.tsx';
import { CreateInvite } from './CreateInvite.tsx';
import { PartnerAvailability } from '../presence/PartnerAvailability.tsx';
import { InviteByEmailForm } from './InviteByEmailForm.tsx';

/** `initialCode`: the code of an invitation email's link, filled into the accept form. */
export function PartnerPanel({ initialCode }: { initialCode?: string | undefined } = {}) {
  const { t } = useTranslation();
  const me = useMe();
  const { online } = useSyncStatus();
  const shared = me?.spaces.find((s) => s.id === me.sharedSpaceId);
  const partners = shared?.members.filter((m) => m.userId !== me?.user.id) ?? [];

  return (
    <div className="stack">
      {partners.length > 0 ? (
        <>
          <p className="partner-linked">{t('partner.linked', { name: partners.map((p) => p.displayName).join(', ') })}</p>
          <PartnerAvailability partners={partners} />
        </>
      ) : (
        <p>{t('partner.notLinked')}</p>
      )}
      {!online && <p className="notice notice--info">{t('partner.offline')}</p>}
      <CreateInvite disabled={!online} />
      <InviteByEmailForm disabled={!online} />
      <AcceptInviteForm disabled={!online} initialCode={initialCode} />
    </div>
  );
}

import { useTranslation } from 'react-i18next';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { PartnerPanel } from '../partner/PartnerPanel.tsx';
import { AccountSection } from './AccountSection.tsx';
import { ActivitySharingSection } from './ActivitySharingSection.tsx';
import { NotificationsSection } from './NotificationsSection.tsx';
import { ChangePasswordSection } from './ChangePasswordSection.tsx';
import { PlanSection } from './PlanSection.tsx';
import { LanguagePicker } from './LanguagePicker.tsx';
import { SignOutSection } from './SignOutSection.tsx';
import { StorageSection } from './StorageSection.tsx';
import { SyncHealthSection } from './SyncHealthSection.tsx';
import { DeleteAccountSection } from './DeleteAccountSection.tsx';
import { DataTransferSection } from './DataTransferSection.tsx';

/** Language, account, partner, storage on this device, and signing out. */
export function SettingsScreen() {
  const { t } = useTranslation();
  return (
    <section className="screen">
      <ScreenHeading>{t('settings.title')}</ScreenHeading>
      <LanguagePicker />
      <AccountSection />
      <PlanSection />
      <ChangePasswordSection />
      <section className="settings-section" aria-labelledby="settings-partner">
        <h2 id="settings-partner" className="section-title">
          {t('partner.title')}
        </h2>
        <PartnerPanel />
      </section>
      <ActivitySharingSection />
      <NotificationsSection />
      <SyncHealthSection />
      <StorageSection />
      <DataTransferSection />
      <SignOutSection />
      <DeleteAccountSection />
    </section>
  );
}

/** The partner screen (/partner, also a section of Settings): invite codes and linking. */
import { Screen } from './screen.ts';

export class PartnerPage extends Screen {
  get heading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('partner.title'), exact: true });
  }

  get createInviteButton() {
    return this.page.getByRole('button', { name: this.text('partner.createInvite'), exact: true });
  }

  /** The code, an <output> labelled "Your invite code". */
  get inviteCode() {
    return this.page.getByRole('status', { name: this.text('partner.inviteCode'), exact: true });
  }

  get acceptForm() {
    return this.page.getByRole('form', { name: this.text('partner.acceptTitle'), exact: true });
  }

  /** The card of the linked partner ("Your partner"). */
  get partnerCard() {
    return this.page.getByRole('region', { name: this.text('partnerLink.yourPartner'), exact: true });
  }

  get unlinkButton() {
    return this.page.getByRole('button', { name: this.text('partnerLink.unlink'), exact: true });
  }

  async unlink(): Promise<void> {
    await this.unlinkButton.click();
    await this.page.getByRole('button', { name: this.text('partnerLink.confirmYes'), exact: true }).click();
  }

  /** Types a code into "Got a code?" and accepts it (any outcome). */
  async typeCode(code: string): Promise<void> {
    await this.acceptForm.getByRole('textbox', { name: this.text('partner.acceptLabel'), exact: true }).fill(code);
    await this.acceptForm.getByRole('button', { name: this.text('partner.accept'), exact: true }).click();
  }

  linkedWith(name: string) {
    return this.page.getByText(this.text('partner.linked', { name }), { exact: true });
  }

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(`${baseUrl}/partner`);
    await this.heading.waitFor();
  }

  async createInvite(): Promise<string> {
    await this.createInviteButton.click();
    await this.inviteCode.waitFor();
    return (await this.inviteCode.innerText()).trim();
  }

  /** Accepts the partner's code; resolves once the app says who the user is now linked with. */
  async acceptInvite(code: string, partnerName: string): Promise<void> {
    await this.acceptForm.getByRole('textbox', { name: this.text('partner.acceptLabel'), exact: true }).fill(code);
    await this.acceptForm.getByRole('button', { name: this.text('partner.accept'), exact: true }).click();
    await this.page.getByText(this.text('partner.accepted', { name: partnerName }), { exact: true }).waitFor();
  }
}

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

  /** The partner's availability line ("Sam is recording", "… was last seen …") under their name. */
  availability(text: string) {
    return this.page.getByRole('list', { name: this.text('conversation.presenceLabel'), exact: true }).getByText(text, { exact: true });
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

  get inviteByEmailForm() {
    return this.page.getByRole('form', { name: this.text('inviteEmail.title'), exact: true });
  }

  /** The accept form's code field (filled in when the screen was opened from an invitation email). */
  get acceptCodeField() {
    return this.acceptForm.getByRole('textbox', { name: this.text('partner.acceptLabel'), exact: true });
  }

  /** Emails an invitation; resolves with the code once the app says it is on its way. */
  async inviteByEmail(email: string): Promise<string> {
    await this.inviteByEmailForm.getByRole('textbox', { name: this.text('inviteEmail.label'), exact: true }).fill(email);
    await this.inviteByEmailForm.getByRole('button', { name: this.text('inviteEmail.send'), exact: true }).click();
    const sent = this.inviteByEmailForm.getByRole('status');
    await sent.waitFor();
    const code = /([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(await sent.innerText())?.[1];
    if (!code) throw new Error('no code in the sent message');
    return code;
  }
}

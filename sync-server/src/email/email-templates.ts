/**
 * The texts of the emails, in the languages of the app (English, Spanish, Arabic), chosen by the
 * recipient's locale (the inviter's for an invitation to someone without an account yet).
 */
import type { OutgoingEmail } from './mailer.ts';

export type EmailLanguage = 'en' | 'es' | 'ar';

export type EmailContent =
  | { kind: 'password-reset'; link: string; ttlMin: number }
  | { kind: 'invite'; inviterName: string; code: string; link: string; expiresAt: string };

export function emailLanguage(locale: string | null | undefined): EmailLanguage {
  const language = (locale ?? 'en').toLowerCase().split('-')[0];
  return language === 'es' || language === 'ar' ? language : 'en';
}

interface Texts {
  subject: string;
  lines: string[];
  action: string;
}

function resetTexts(language: EmailLanguage, ttlMin: number): Texts {
  switch (language) {
    case 'es':
      return {
        subject: 'Restablece tu contraseña de Duet',
        lines: [
          'Alguien (esperamos que tú) pidió restablecer la contraseña de tu cuenta de Duet.',
          `El enlace funciona una sola vez durante ${ttlMin} minutos. Al cambiar la contraseña se cerrará la sesión en tus otros dispositivos.`,
          'Si no lo pediste, ignora este correo: tu contraseña no cambia.',
        ],
        action: 'Elegir una contraseña nueva',
      };
    case 'ar':
      return {
        subject: 'إعادة تعيين كلمة مرور Duet',
        lines: [
          'طلب أحدهم (نأمل أن تكون أنت) إعادة تعيين كلمة مرور حسابك في Duet.',
          `يعمل الرابط مرة واحدة فقط خلال ${ttlMin} دقيقة. عند تغيير كلمة المرور سيُسجَّل خروجك من أجهزتك الأخرى.`,
          'إن لم تطلب ذلك فتجاهل هذه الرسالة: كلمة مرورك لن تتغير.',
        ],
        action: 'اختر كلمة مرور جديدة',
      };
    default:
      return {
        subject: 'Reset your Duet password',
        lines: [
          'Someone (we hope you) asked to reset the password of your Duet account.',
          `The link works once, for ${ttlMin} minutes. Changing the password signs you out on your other devices.`,
          'If you did not ask for this, ignore this email: your password stays as it is.',
        ],
        action: 'Choose a new password',
      };
  }
}

function inviteTexts(language: EmailLanguage, inviterName: string, code: string, expiresAt: string): Texts {
  const day = expiresAt.slice(0, 10);
  switch (language) {
    case 'es':
      return {
        subject: `${inviterName} te invita a Duet`,
        lines: [
          `${inviterName} quiere compartir un espacio contigo en Duet.`,
          `Tu código de invitación es ${code} (válido hasta el ${day}). Abre el enlace, entra o crea una cuenta, y acepta.`,
        ],
        action: 'Aceptar la invitación',
      };
    case 'ar':
      return {
        subject: `${inviterName} يدعوك إلى Duet`,
        lines: [
          `يريد ${inviterName} مشاركة مساحة معك في Duet.`,
          `رمز الدعوة الخاص بك هو ${code} (صالح حتى ${day}). افتح الرابط، وسجّل الدخول أو أنشئ حسابًا، ثم اقبل الدعوة.`,
        ],
        action: 'قبول الدعوة',
      };
    default:
      return {
        subject: `${inviterName} invites you to Duet`,
        lines: [
          `${inviterName} would like to share a space with you on Duet.`,
          `Your invite code is ${code} (valid until ${day}). Open the link, sign in or create an account, and accept.`,
        ],
        action: 'Accept the invitation',
      };
  }
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The email to send: a plain-text part and an HTML part with the same words and the one link. */
export function renderEmail(to: string, language: EmailLanguage, content: EmailContent): OutgoingEmail {
  const texts =
    content.kind === 'password-reset'
      ? resetTexts(language, content.ttlMin)
      : inviteTexts(language, content.inviterName, content.code, content.expiresAt);
  const dir = language === 'ar' ? 'rtl' : 'ltr';
  const text = [...texts.lines, '', `${texts.action}: ${content.link}`, ''].join('\n');
  const html = [
    `<!doctype html><html lang="${language}" dir="${dir}"><body>`,
    ...texts.lines.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(content.link)}">${escapeHtml(texts.action)}</a></p>`,
    '</body></html>',
  ].join('\n');
  return { to, subject: texts.subject, text, html, links: [content.link] };
}

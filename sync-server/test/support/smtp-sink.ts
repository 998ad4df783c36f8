/**
 * A real SMTP server for the email tests (the smtp-server package), keeping every message it
 * accepts, parsed with mailparser. It can go down and come back on the same port; while down, a
 * plain TCP listener in its place counts the connection attempts and drops each one, so a test
 * can tell whether the server is being hammered.
 */
import net, { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sleep } from './api.ts';

export interface SmtpSink {
  port: number;
  url: string;
  messages: ParsedMail[];
  /** Connection attempts while down. */
  attemptsWhileDown: number;
  goDown(): Promise<void>;
  comeBack(): Promise<void>;
  /** Waits until `count` messages have arrived (or fails after `timeoutMs`). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const closeServer = (server: { close(callback: () => void): unknown }) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const newSmtp = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then(
          (mail) => {
            messages.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
  let smtp: SMTPServer | null = newSmtp();
  let refuser: net.Server | null = null;
  const port = await listen(smtp.server, 0);
  const sink: SmtpSink = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    attemptsWhileDown: 0,
    async goDown() {
      if (smtp) await closeServer(smtp);
      smtp = null;
      refuser = net.createServer((socket) => {
        sink.attemptsWhileDown += 1;
        socket.destroy();
      });
      await listen(refuser, port);
    },
    async comeBack() {
      if (refuser) await closeServer(refuser);
      refuser = null;
      smtp = newSmtp();
      await listen(smtp.server, port);
    },
    async waitForMessages(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} emails, got ${messages.length} in ${timeoutMs} ms`);
        await sleep(50);
      }
      return messages;
    },
    async close() {
      if (smtp) await closeServer(smtp);
      if (refuser) await closeServer(refuser);
    },
  };
  return sink;
}

/** The first link in an email's text that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): URL {
  const found = (mail.text ?? '').split(/\s+/).find((word) => word.startsWith(prefix));
  if (!found) throw new Error(`no link starting with ${prefix} in: ${mail.text ?? ''}`);
  return new URL(found);
}

export const recipientOf = (mail: ParsedMail): string => {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address ?? '';
};

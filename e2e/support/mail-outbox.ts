/**
 * The emails a server started with no SMTP_URL writes to DATA_DIR/outbox (as `npm start` does):
 * a spec waits for the one to an address and takes its link.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';

/** The first link containing `pathPart` in the email to `to`, once one is in the outbox folder. */
export async function linkInEmail(dataDir: string, to: string, pathPart: string, timeoutMs = 30_000): Promise<string> {
  const outbox = path.join(dataDir, 'outbox');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const files = await readdir(outbox).catch(() => [] as string[]);
    for (const file of files) {
      const mail = await simpleParser(await readFile(path.join(outbox, file)));
      const recipient = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      if (recipient?.value[0]?.address !== to) continue;
      const link = (mail.text ?? '').split(/\s+/).find((word) => word.includes(pathPart));
      if (link) return link;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no email to ${to} with a ${pathPart} link in ${outbox}`);
}

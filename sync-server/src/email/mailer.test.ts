import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Mailer } from './mailer.js';

const email = { to: 'a@example.test', subject: 'Hello', text: 'Hello', html: '<p>Hello</p>', links: [] };

/** A TCP server on a free loopback port; `hold` keeps the connections open without a greeting. */
async function fakeSmtp(mode: { hold: boolean }): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    if (!mode.hold) socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Mailer.up', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('is false while the breaker is open and while its trial is still on its way', async () => {
    const mode = { hold: false };
    const smtp = await fakeSmtp(mode);
    cleanups.push(smtp.close);
    const mailer = new Mailer(
      {
        smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
        from: 'duet@example.test',
        dataDir: tmpdir(),
        breakerHalfOpenMs: 300,
        now: () => Date.now(),
      },
      pino({ level: 'silent' }),
    );
    cleanups.push(() => mailer.close());
    expect(mailer.up).toBe(true);

    for (let i = 0; i < 3; i++) await expect(mailer.send(email, `m${i}`)).rejects.toThrow();
    expect(mailer.up).toBe(false);
    expect(mailer.mayTry).toBe(false);

    // Past the half-open wait, the next send is the trial; the server takes the connection and
    // says nothing, so the trial stays on its way (half-open).
    await new Promise((resolve) => setTimeout(resolve, 350));
    mode.hold = true;
    expect(mailer.mayTry).toBe(true);
    const trial = mailer.send(email, 'trial').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mailer.up).toBe(false);

    await smtp.close();
    expect(await trial).toBeInstanceOf(Error);
    expect(mailer.up).toBe(false);
  });
});

/** A WebSocket double for the real-time client: records what is sent, and plays the server's part. */
import type { RealtimeSocket } from '../realtime.ts';

export class FakeSocket implements RealtimeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  readonly sent: unknown[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | null = null;
  readonly #listeners = new Map<string, Array<(event: never) => void>>();

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.all.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code?: number, reason?: string): void {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }

  // What the server and the network do:
  open(): void {
    this.readyState = 1;
    this.#emit('open', {});
  }

  receive(frame: unknown): void {
    this.#emit('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  serverClose(code: number): void {
    this.readyState = 3;
    this.#emit('close', { code });
  }

  fail(): void {
    this.#emit('error', {});
  }

  #emit(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never);
  }
}

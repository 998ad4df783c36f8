/**
 * One client process of the socket-scale bench (ws-scale.ts): holds its share of the WebSocket
 * connections, authenticated, and reports each poke's arrival (wall clock, so the bench can match
 * it with the push another process sent).
 */
import WebSocket from 'ws';

interface Order {
  type: 'connect';
  url: string;
  /** [pair index, token, whether this socket is the partner who is poked (b)]. */
  sockets: Array<[number, string, boolean]>;
  /** Source address to connect from (127.0.0.x), so more connections fit than one address has ports. */
  localAddress: string;
}

const sockets: WebSocket[] = [];
const now = () => performance.timeOrigin + performance.now();

function open(url: string, token: string, pair: number, partner: boolean, localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
    let ready = false;
    const done = () => {
      if (!ready) {
        ready = true;
        resolve();
      }
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.on('message', (data) => {
      const text = (data as Buffer).toString();
      if (!text.includes('"poke"')) return;
      if (!ready) {
        // The welcome poke after auth.
        sockets.push(ws);
        done();
      } else if (partner) process.send?.({ type: 'poke', pair, at: now() });
    });
    ws.on('error', () => {
      process.send?.({ type: 'failed' });
      done();
    });
    ws.on('close', () => {
      if (ready) process.send?.({ type: 'closed' });
      done();
    });
  });
}

process.on('message', (order: Order | { type: 'count' }) => {
  if (order.type === 'count') {
    process.send?.({ type: 'count', open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length });
    return;
  }
  void (async () => {
    const concurrency = 100;
    for (let i = 0; i < order.sockets.length; i += concurrency) {
      await Promise.all(
        order.sockets.slice(i, i + concurrency).map(([pair, token, partner]) => open(order.url, token, pair, partner, order.localAddress)),
      );
    }
    process.send?.({ type: 'connected', open: sockets.length });
  })();
});

/**
 * A TCP proxy on 127.0.0.1 in front of a test server that cuts the first connection carrying more
 * than `dropAfterBytes` from the client (a network drop mid-upload); later connections pass intact.
 * It notes the Upload-Offset of every PATCH it forwards, so a test can see where a client resumed.
 */
import net from 'node:net';

export interface DroppingProxy {
  url: string;
  /** How many connections the proxy has cut. */
  readonly drops: number;
  /** Upload-Offset of each PATCH that went through, in order. */
  readonly patchOffsets: number[];
  close(): Promise<void>;
}

const PATCH_OFFSET = /^PATCH [^\r\n]*\r\n(?:[^\r\n]+\r\n)*?upload-offset:\s*(\d+)\r\n/gim;

export async function startDroppingProxy(target: string, dropAfterBytes: number): Promise<DroppingProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const patchOffsets: number[] = [];
  let drops = 0;

  const server = net.createServer((client) => {
    const upstream = net.connect({ host: hostname, port: Number(port) });
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString('latin1').matchAll(PATCH_OFFSET)) patchOffsets.push(Number(match[1]));
      if (drops === 0 && sent + chunk.length > dropAfterBytes) {
        // Forward up to the limit, then drop both sides as a broken network would.
        upstream.write(chunk.subarray(0, Math.max(0, dropAfterBytes - sent)), () => setTimeout(cut, 100));
        sent = dropAfterBytes;
        drops += 1;
        client.pause();
        return;
      }
      sent += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => {
      sockets.delete(client);
      upstream.end();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.end();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}`,
    get drops() {
      return drops;
    },
    patchOffsets,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

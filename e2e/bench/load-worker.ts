/**
 * One device process of the engines load bench (load.ts forks several): holds its share of the
 * simulated devices (our real engine in Node) and runs each phase when the parent says so, so the
 * devices of all processes push at once. Sends back every request's timing and the errors it saw.
 */
import type { LoadOrder, LoadReply } from './load-types.ts';
import { createDevice, type Device, type RequestTiming, type TimingSink } from './node-device.ts';
import { messageBody } from './workload.ts';

interface HeldDevice {
  device: Device;
  spaceId: string;
  /** Its index in the whole run (its email, its conversation's title, its messages' bodies). */
  index: number;
}

// Timings are recorded during the phases only, not while signing up.
const sink: TimingSink = { current: null };
const devices: HeldDevice[] = [];

async function signedUpDevice(baseUrl: string, run: string, index: number, pushBatchSize: number): Promise<HeldDevice> {
  const device = createDevice({ baseUrl, timings: sink, pushBatchSize });
  await device.ready;
  await device.auth.signup({ email: `load-${run}-${index}@bench.test`, password: 'bench-password', displayName: `Device ${index}` });
  await device.engine.syncNow();
  const spaces = await device.read.spaces();
  const personal = spaces.find((s) => s.kind === 'personal');
  if (!personal) throw new Error('no personal space after the first sync');
  return { device, spaceId: personal.id, index };
}

async function signUp(order: Extract<LoadOrder, { type: 'signup' }>): Promise<LoadReply> {
  for (let i = 0; i < order.indices.length; i += order.concurrency) {
    const batch = order.indices.slice(i, i + order.concurrency);
    devices.push(...(await Promise.all(batch.map((index) => signedUpDevice(order.baseUrl, order.run, index, order.pushBatchSize)))));
  }
  return { type: 'signedUp', devices: devices.length };
}

/** Runs one phase with the timings switched on, and returns them with the errors noted. */
async function phase(work: (note: (kind: string) => void) => Promise<void>): Promise<LoadReply> {
  const timings: RequestTiming[] = [];
  const errorKinds: Record<string, number> = {};
  sink.current = timings;
  try {
    await work((kind) => (errorKinds[kind] = (errorKinds[kind] ?? 0) + 1));
  } finally {
    sink.current = null;
  }
  return { type: 'phaseDone', timings, errorKinds };
}

function push(messages: number): Promise<LoadReply> {
  return phase((note) =>
    Promise.all(
      devices.map(async ({ device, spaceId, index }) => {
        try {
          const conversationId = device.newId();
          await device.mutate('conversation.create', { id: conversationId, spaceId, title: `Load ${index}` });
          for (let m = 0; m < messages; m++) {
            await device.mutate('message.add', { id: device.newId(), conversationId, body: messageBody(index * messages + m) });
          }
          await device.engine.syncNow();
          const status = device.engine.getStatus();
          if (status.error) note(`sync error ${status.error}`);
          else if (status.pending !== 0) note('changes left unsent');
        } catch (error) {
          note(`thrown: ${String(error)}`);
        }
      }),
    ).then(() => undefined),
  );
}

function emptyPull(): Promise<LoadReply> {
  return phase(async () => {
    await Promise.all(devices.map((d) => d.device.engine.syncNow()));
  });
}

function answer(order: LoadOrder): Promise<LoadReply> {
  if (order.type === 'signup') return signUp(order);
  if (order.type === 'push') return push(order.messages);
  return emptyPull();
}

process.on('message', (order: LoadOrder) => {
  void answer(order).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ type: 'failed', error: String(error) } satisfies LoadReply),
  );
});

// The parent finished, failed or was killed: the devices have nobody to report to.
process.on('disconnect', () => process.exit(0));

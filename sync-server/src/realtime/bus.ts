/**
 * The bus that carries pokes, presence and logouts between server instances: Redis pub/sub, or in process.
 * Events are delivered to this instance's own subscribers directly as well, so local devices are
 * poked even while Redis is down. On a Redis Cluster, PUBLISH reaches the subscribers of every node,
 * and ioredis moves the subscription to another node when its node goes; messages published while
 * it moves are lost, so a node leaving counts as the subscriber lost (then every device is poked).
 */
import { randomBytes } from 'node:crypto';
import { isCluster, subscriberConnection, type RedisClient } from '../cache/redis-client.ts';
import { z } from 'zod';

export const BusEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('poke'), spaceIds: z.array(z.string()), userIds: z.array(z.string()).optional() }),
  z.object({
    type: z.literal('presence'),
    userId: z.string(),
    state: z.enum(['online', 'offline', 'typing']),
    conversationId: z.string().optional(),
    activity: z.enum(['recording', 'reviewing', 'idle']).optional(),
    lastSeen: z.number().optional(),
    spaceIds: z.array(z.string()),
  }),
  // A transcript's analysis job moved on: the devices of its space hear it at once.
  z.object({
    type: z.literal('job'),
    spaceId: z.string(),
    transcriptId: z.string(),
    submission: z.number(),
    status: z.enum(['queued', 'processing', 'done', 'failed']),
    progress: z.number().optional(),
  }),
  // A device logged out: every instance closes that device's sockets.
  z.object({ type: z.literal('logout'), deviceId: z.string() }),
]);
export type BusEvent = z.infer<typeof BusEventSchema>;

type Handler = (event: BusEvent) => void;

const RESUBSCRIBE_CHECK_MS = 500;

export interface Bus {
  publish(event: BusEvent): void;
  subscribe(handler: Handler): () => void;
  close(): Promise<void>;
}

export class MemoryBus implements Bus {
  private readonly handlers = new Set<Handler>();

  publish(event: BusEvent): void {
    for (const handler of this.handlers) handler(event);
  }

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}

export class RedisBus implements Bus {
  private readonly local = new MemoryBus();
  private readonly instanceId = randomBytes(8).toString('hex');
  private readonly channel: string;
  private readonly subscriber: RedisClient;

  /** `connection`: told when the subscriber loses its connection and when it is subscribed again. */
  constructor(
    private readonly publisher: RedisClient,
    prefix: string,
    connection: { lost(): void; back(): void } = { lost: () => {}, back: () => {} },
  ) {
    this.channel = `${prefix}bus`;
    this.subscriber = subscriberConnection(publisher);
    this.subscriber.on('error', () => {});
    this.subscriber.on('close', () => connection.lost());
    this.subscriber.on('ready', () => connection.back());
    if (isCluster(this.subscriber)) {
      const subscriber = this.subscriber;
      subscriber.on('-node', () => {
        connection.lost();
        // ioredis re-subscribes on another node at once; back once the cluster answers again.
        const retry = (): void => {
          subscriber.ping().then(
            () => connection.back(),
            () => void setTimeout(retry, RESUBSCRIBE_CHECK_MS).unref(),
          );
        };
        setTimeout(retry, RESUBSCRIBE_CHECK_MS).unref();
      });
    }
    this.subscriber.subscribe(this.channel).catch(() => {});
    this.subscriber.on('message', (_channel: string, raw: string) => {
      try {
        const message = JSON.parse(raw) as { from?: unknown; event?: unknown };
        if (message.from === this.instanceId) return;
        const event = BusEventSchema.safeParse(message.event);
        if (event.success) this.local.publish(event.data);
      } catch {
        // Not ours or not JSON: ignore.
      }
    });
  }

  publish(event: BusEvent): void {
    this.local.publish(event);
    if (this.publisher.status !== 'ready') return;
    this.publisher.publish(this.channel, JSON.stringify({ from: this.instanceId, event })).catch(() => {});
  }

  subscribe(handler: Handler): () => void {
    return this.local.subscribe(handler);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.subscriber.disconnect();
  }
}

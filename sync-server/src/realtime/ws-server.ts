/**
 * GET /api/sync/ws: after an auth frame, a device is poked when a space it is in changes and hears
 * its partners' presence. Pokes and presence come from the bus, so a push on any instance reaches
 * devices connected to every instance.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CLOSE_BAD_FRAME, CLOSE_UNAUTHORIZED, ClientFrameSchema, REALTIME_PATH, type ClientFrame, type ServerFrame } from '@duet/shared';
import type { SyncCache } from '../cache/sync-cache.ts';
import type { ServerClock } from '../clock.ts';
import { resolveToken } from '../http/authenticate.ts';
import type { Metrics } from '../http/metrics.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import type { UsersRepo } from '../store/users-repo.ts';
import type { Bus, BusEvent } from './bus.ts';

export { CLOSE_BAD_FRAME, CLOSE_UNAUTHORIZED } from '@duet/shared';
export const WS_PATH = REALTIME_PATH;

interface Connection {
  ws: WebSocket;
  /** Set once the first auth frame arrives, so a burst of auth frames authenticates once. */
  authStarted: boolean;
  userId: string | null;
  deviceId: string | null;
  spaces: Set<string>;
  sharedSpaces: Set<string>;
  alive: boolean;
  lastTypingAt: number;
}

export interface RealtimeDeps {
  pool: pg.Pool;
  users: UsersRepo;
  cache: SyncCache;
  bus: Bus;
  metrics: Metrics;
  logger: Logger;
  clock: ServerClock;
  pingIntervalMs?: number;
  authTimeoutMs?: number;
}

export class RealtimeServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 });
  private readonly connections = new Set<Connection>();
  /** Authenticated connections by space and by user, so an event costs its audience, not every socket here. */
  private readonly bySpace = new Map<string, Set<Connection>>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly unsubscribe: () => void;
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly deps: RealtimeDeps) {
    this.unsubscribe = deps.bus.subscribe((event) => this.deliver(event));
    this.pinger = deps.clock.timers.setInterval(() => this.pingAll(), deps.pingIntervalMs ?? 30_000);
    this.pinger.unref();
  }

  attach(server: http.Server): void {
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? '').split('?')[0] !== WS_PATH) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  private accept(ws: WebSocket): void {
    const conn: Connection = {
      ws,
      authStarted: false,
      userId: null,
      deviceId: null,
      spaces: new Set(),
      sharedSpaces: new Set(),
      alive: true,
      lastTypingAt: 0,
    };
    this.connections.add(conn);
    this.deps.metrics.sockets.inc();
    const authTimer = this.deps.clock.timers.setTimeout(() => {
      if (!conn.userId) ws.close(CLOSE_UNAUTHORIZED, 'auth frame expected');
    }, this.deps.authTimeoutMs ?? 10_000);
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data: RawData) => {
      this.receive(conn, data).catch((error: unknown) => {
        this.deps.logger.warn({ err: error }, 'websocket frame failed');
      });
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.deps.clock.timers.clearTimeout(authTimer);
      this.connections.delete(conn);
      this.unindex(conn);
      this.deps.metrics.sockets.dec();
      if (conn.userId) this.left(conn.userId, conn.sharedSpaces).catch(() => {});
    });
  }

  private async receive(conn: Connection, data: RawData): Promise<void> {
    let frame: ClientFrame;
    try {
      const parsed = ClientFrameSchema.safeParse(JSON.parse((data as Buffer).toString()));
      if (!parsed.success) throw new Error('bad frame');
      frame = parsed.data;
    } catch {
      conn.ws.close(conn.userId ? CLOSE_BAD_FRAME : CLOSE_UNAUTHORIZED, 'unexpected frame');
      return;
    }
    if (!conn.userId) {
      // Frames that arrive while the first auth frame is being checked are ignored: another auth
      // frame must not authenticate (poke, announce) the socket a second time.
      if (conn.authStarted) return;
      if (frame.type !== 'auth') return void conn.ws.close(CLOSE_UNAUTHORIZED, 'auth frame expected');
      conn.authStarted = true;
      const identity = await resolveToken(this.deps.users, this.deps.cache, frame.token);
      if (!identity) return void conn.ws.close(CLOSE_UNAUTHORIZED, 'unauthorized');
      // Closed while its token was checked: its close handler saw no user, so nothing to announce.
      if (!this.connections.has(conn)) return;
      conn.userId = identity.user.id;
      conn.deviceId = identity.deviceId;
      addTo(this.byUser, conn.userId, conn);
      const partners = await this.loadSpaces(conn);
      if (!this.connections.has(conn)) return;
      this.send(conn, { type: 'poke' });
      await this.joined(conn, partners);
      return;
    }
    if (frame.type === 'typing') await this.typing(conn, frame.conversationId);
  }

  /** Loads the spaces the device is in (for pokes and presence); returns its partners' user ids. */
  private async loadSpaces(conn: Connection): Promise<string[]> {
    if (!conn.userId) return [];
    const spaces = await new SpacesRepo(this.deps.pool).listForUser(conn.userId);
    for (const id of conn.spaces) removeFrom(this.bySpace, id, conn);
    conn.spaces = new Set(spaces.map((s) => s.id));
    conn.sharedSpaces = new Set(spaces.filter((s) => s.kind === 'shared').map((s) => s.id));
    // A socket closed meanwhile stays out of the index.
    if (this.connections.has(conn)) for (const id of conn.spaces) addTo(this.bySpace, id, conn);
    return [...new Set(spaces.filter((s) => s.kind === 'shared').flatMap((s) => s.members.map((m) => m.userId)))].filter(
      (id) => id !== conn.userId,
    );
  }

  /** Tells the device who of its partners is online, and them that it is. */
  private async joined(conn: Connection, partners: readonly string[]): Promise<void> {
    const userId = conn.userId as string;
    for (const partner of await this.deps.cache.online(partners)) {
      this.send(conn, { type: 'presence', userId: partner, state: 'online' });
    }
    if (!this.connections.has(conn)) return;
    await this.deps.cache.markOnline(userId);
    // Closed while being marked: its close handler may have cleared the mark before it landed.
    if (!this.connections.has(conn)) return this.left(userId, conn.sharedSpaces);
    this.deps.bus.publish({ type: 'presence', userId, state: 'online', spaceIds: [...conn.sharedSpaces] });
  }

  private async left(userId: string, sharedSpaces: Set<string>): Promise<void> {
    if ([...this.connections].some((c) => c.userId === userId)) return;
    await this.deps.cache.markOffline(userId);
    this.deps.bus.publish({ type: 'presence', userId, state: 'offline', spaceIds: [...sharedSpaces] });
  }

  private async typing(conn: Connection, conversationId: string): Promise<void> {
    const now = this.deps.clock.now();
    if (now - conn.lastTypingAt < 1000) return;
    conn.lastTypingAt = now;
    const spaceId = await new EntitiesRepo(this.deps.pool).spaceOf('conversation', conversationId);
    if (!spaceId || !conn.sharedSpaces.has(spaceId)) return;
    this.deps.bus.publish({ type: 'presence', userId: conn.userId as string, state: 'typing', conversationId, spaceIds: [spaceId] });
  }

  private unindex(conn: Connection): void {
    for (const id of conn.spaces) removeFrom(this.bySpace, id, conn);
    if (conn.userId) removeFrom(this.byUser, conn.userId, conn);
  }

  /** The authenticated connections in any of these spaces. */
  private inSpaces(spaceIds: readonly string[]): Set<Connection> {
    const found = new Set<Connection>();
    for (const id of spaceIds) for (const conn of this.bySpace.get(id) ?? []) found.add(conn);
    return found;
  }

  private deliver(event: BusEvent): void {
    if (event.type === 'logout') {
      // 4401 like a revoked token at auth: the client stops reconnecting with it.
      for (const conn of this.connections)
        if (conn.userId && conn.deviceId === event.deviceId) conn.ws.close(CLOSE_UNAUTHORIZED, 'logged out');
    } else if (event.type === 'poke') {
      const relisted = new Set<Connection>();
      for (const userId of event.userIds ?? []) for (const conn of this.byUser.get(userId) ?? []) relisted.add(conn);
      for (const conn of relisted) {
        // A membership change: learn the new spaces, poke, and exchange presence with the new partner.
        this.loadSpaces(conn)
          .then((partners) => {
            this.poke(conn);
            return this.joined(conn, partners);
          })
          .catch(() => this.poke(conn));
      }
      for (const conn of this.inSpaces(event.spaceIds)) if (!relisted.has(conn)) this.poke(conn);
    } else {
      for (const conn of this.inSpaces(event.spaceIds)) {
        if (event.userId === conn.userId || !event.spaceIds.some((s) => conn.sharedSpaces.has(s))) continue;
        this.send(conn, {
          type: 'presence',
          userId: event.userId,
          state: event.state,
          ...(event.conversationId ? { conversationId: event.conversationId } : {}),
        });
      }
    }
  }

  /** Pokes every authenticated device here: after a Redis outage, pokes sent meanwhile were lost. */
  pokeAll(): void {
    for (const conn of this.connections) if (conn.userId) this.poke(conn);
  }

  private poke(conn: Connection): void {
    this.deps.metrics.pokes.inc();
    this.send(conn, { type: 'poke' });
  }

  private send(conn: Connection, frame: ServerFrame): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }

  private pingAll(): void {
    this.closeRevoked().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'revoked sockets not checked'));
    for (const conn of this.connections) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      if (conn.userId) this.deps.cache.markOnline(conn.userId).catch(() => {});
    }
  }

  /**
   * Closes the sockets of devices logged out since they authenticated: a logout's bus event does
   * not reach this instance while Redis is down, so each ping round checks once, in one query.
   */
  private async closeRevoked(): Promise<void> {
    const authed = [...this.connections].filter((c) => c.deviceId !== null);
    const revoked = await this.deps.users.revokedDevices([...new Set(authed.map((c) => c.deviceId as string))]);
    for (const conn of authed) if (revoked.has(conn.deviceId as string)) conn.ws.close(CLOSE_UNAUTHORIZED, 'logged out');
  }

  /**
   * Closes every socket (1001 going away) and stops listening to the bus. A device that does not
   * answer the close within `graceMs` is cut off.
   */
  async close(graceMs = 5000): Promise<void> {
    this.deps.clock.timers.clearInterval(this.pinger);
    this.unsubscribe();
    for (const conn of this.connections) conn.ws.close(1001, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.wss.close(() => resolve())),
      new Promise<void>((resolve) => {
        timer = this.deps.clock.timers.setTimeout(resolve, graceMs);
      }),
    ]);
    this.deps.clock.timers.clearTimeout(timer);
    for (const conn of this.connections) conn.ws.terminate();
  }
}

function addTo(index: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  const set = index.get(key);
  if (set) set.add(conn);
  else index.set(key, new Set([conn]));
}

function removeFrom(index: Map<string, Set<Connection>>, key: string, conn: Connection): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) index.delete(key);
}

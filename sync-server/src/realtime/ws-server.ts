/**
 * GET /api/sync/ws: after an auth frame, a device is poked when a space it is in changes and hears
 * its partners' presence (online, offline with last seen, typing, what they are doing) and the
 * live status of its spaces' transcript jobs. Pokes and presence come from the bus, so a push on
 * any instance reaches devices connected to every instance; who is online comes from the
 * PresenceStore (Redis across instances), which this instance beats for its sockets and reads for
 * its devices' partners every third of the expiry bound, so a dead instance's sockets go offline.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type pg from 'pg';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CLOSE_BAD_FRAME,
  CLOSE_UNAUTHORIZED,
  ClientFrameSchema,
  REALTIME_PATH,
  type Activity,
  type ClientFrame,
  type ServerFrame,
} from '@duet/shared';
import type { SyncCache } from '../cache/sync-cache.ts';
import type { ServerClock } from '../clock.ts';
import { resolveToken } from '../http/authenticate.ts';
import type { Metrics } from '../http/metrics.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import type { UsersRepo } from '../store/users-repo.ts';
import type { Bus, BusEvent } from './bus.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { PresenceState, PresenceStore } from './presence-store.ts';

export { CLOSE_BAD_FRAME, CLOSE_UNAUTHORIZED } from '@duet/shared';
export const WS_PATH = REALTIME_PATH;

interface Connection {
  ws: WebSocket;
  /** Set once the first auth frame arrives, so a burst of auth frames authenticates once. */
  authStarted: boolean;
  userId: string | null;
  deviceId: string | null;
  /** This socket's entry in the PresenceStore, unique across instances. */
  socketId: string;
  spaces: Set<string>;
  sharedSpaces: Set<string>;
  /** Members of its shared spaces, the device's partners. */
  partners: Set<string>;
  /** What this device was last told of each partner (presenceKey), so nothing is said twice. */
  told: Map<string, string>;
  alive: boolean;
  lastTypingAt: number;
  lastActivityAt: number;
  /** What this socket last said it is doing (null: not shared). */
  activity: Activity | null;
  /** An activity frame that came too soon after the last one, applied when its turn comes (the latest wins). */
  pendingActivity: { activity: Activity | null; timer: NodeJS.Timeout } | null;
}

/** At most one activity change per socket in this time (ms); a faster one waits, the latest wins. */
const ACTIVITY_MIN_GAP_MS = 250;

const presenceKey = (state: PresenceState) => (state.online ? `online:${state.activity ?? ''}` : 'offline');

export interface RealtimeDeps {
  pool: pg.Pool;
  users: UsersRepo;
  cache: SyncCache;
  bus: Bus;
  metrics: Metrics;
  logger: Logger;
  clock: ServerClock;
  presence: PresenceStore;
  /** How long a socket stays online without a heartbeat of its instance (ms); the store's bound. */
  presenceExpiryMs: number;
  /** Partners of someone who starts recording are told in their notification list. */
  notifier?: Notifier;
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
  private readonly beater: NodeJS.Timeout;
  private beating = false;
  /** Presence events heard per user: a store read that a newer event overtook is not told. */
  private readonly heard = new Map<string, number>();

  constructor(private readonly deps: RealtimeDeps) {
    this.unsubscribe = deps.bus.subscribe((event) => this.deliver(event));
    this.pinger = deps.clock.timers.setInterval(() => this.pingAll(), deps.pingIntervalMs ?? 30_000);
    this.pinger.unref();
    this.beater = deps.clock.timers.setInterval(() => void this.beatAndSweep(), Math.max(100, Math.floor(deps.presenceExpiryMs / 3)));
    this.beater.unref();
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
      socketId: `${this.deps.clock.newId()}`,
      spaces: new Set(),
      sharedSpaces: new Set(),
      partners: new Set(),
      told: new Map(),
      alive: true,
      lastTypingAt: 0,
      lastActivityAt: 0,
      activity: null,
      pendingActivity: null,
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
      if (conn.pendingActivity) this.deps.clock.timers.clearTimeout(conn.pendingActivity.timer);
      this.connections.delete(conn);
      this.unindex(conn);
      this.deps.metrics.sockets.dec();
      if (conn.userId) this.left(conn).catch(() => {});
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
    else if (frame.type === 'activity') this.activity(conn, frame.activity);
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
    const partners = [...new Set(spaces.filter((s) => s.kind === 'shared').flatMap((s) => s.members.map((m) => m.userId)))].filter(
      (id) => id !== conn.userId,
    );
    conn.partners = new Set(partners);
    return partners;
  }

  /** Tells the device where its partners are (online and doing what, or last seen), and them that it is online. */
  private async joined(conn: Connection, partners: readonly string[]): Promise<void> {
    const userId = conn.userId as string;
    await this.tellFromStore([conn], partners);
    if (!this.connections.has(conn)) return;
    const state = await this.deps.presence.join(userId, conn.socketId, this.deps.clock.now());
    // Closed while joining: its close handler may have left before the join landed.
    if (!this.connections.has(conn)) return this.left(conn);
    this.announce(userId, state, conn.sharedSpaces);
  }

  /** A socket closed: the person goes offline only when it was their last one on any instance. */
  private async left(conn: Connection): Promise<void> {
    const userId = conn.userId as string;
    const state = await this.deps.presence.leave(userId, conn.socketId, this.deps.clock.now());
    this.announce(userId, state, conn.sharedSpaces);
  }

  private announce(userId: string, state: PresenceState, sharedSpaces: ReadonlySet<string>): void {
    if (sharedSpaces.size === 0) return;
    this.deps.bus.publish({
      type: 'presence',
      userId,
      state: state.online ? 'online' : 'offline',
      ...(state.activity ? { activity: state.activity } : {}),
      ...(state.lastSeen !== null ? { lastSeen: state.lastSeen } : {}),
      spaceIds: [...sharedSpaces],
    });
  }

  /** What a device says its person is doing; applied at most once per ACTIVITY_MIN_GAP_MS, the latest wins. */
  private activity(conn: Connection, activity: Activity | null): void {
    const now = this.deps.clock.now();
    const wait = conn.lastActivityAt + ACTIVITY_MIN_GAP_MS - now;
    if (conn.pendingActivity) {
      conn.pendingActivity.activity = activity;
      return;
    }
    if (wait > 0) {
      const timer = this.deps.clock.timers.setTimeout(() => {
        const pending = conn.pendingActivity;
        conn.pendingActivity = null;
        if (pending && this.connections.has(conn)) this.activity(conn, pending.activity);
      }, wait);
      conn.pendingActivity = { activity, timer };
      return;
    }
    conn.lastActivityAt = now;
    const userId = conn.userId as string;
    const startedRecording = activity === 'recording' && conn.activity !== 'recording';
    conn.activity = activity;
    if (startedRecording && conn.partners.size > 0) this.deps.notifier?.partnerStartedRecording(userId, [...conn.partners]);
    this.deps.presence
      .setActivity(userId, conn.socketId, activity, now)
      .then((state) => {
        if (this.connections.has(conn) && state.online) this.announce(userId, state, conn.sharedSpaces);
      })
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'activity not recorded'));
  }

  /** Tells each device what it has not heard yet of a partner's state. */
  private tell(conn: Connection, partnerId: string, state: PresenceState): void {
    const key = presenceKey(state);
    const before = conn.told.get(partnerId);
    if (before === key) return;
    conn.told.set(partnerId, key);
    // A partner never heard of and never seen: nothing to say (a device takes silence as offline).
    if (before === undefined && !state.online && state.lastSeen === null) return;
    this.send(conn, {
      type: 'presence',
      userId: partnerId,
      state: state.online ? 'online' : 'offline',
      ...(state.activity ? { activity: state.activity } : {}),
      ...(!state.online && state.lastSeen !== null ? { lastSeen: state.lastSeen } : {}),
    });
  }

  /** Reads these partners from the store and tells the devices, unless a bus event overtook the read. */
  private async tellFromStore(conns: readonly Connection[], partners: readonly string[]): Promise<void> {
    if (partners.length === 0) return;
    const before = new Map(partners.map((p) => [p, this.heard.get(p) ?? 0]));
    const states = await this.deps.presence.read(partners, this.deps.clock.now());
    for (const conn of conns) {
      if (!this.connections.has(conn)) continue;
      for (const partner of conn.partners) {
        const state = states.get(partner);
        if (state && before.has(partner) && (this.heard.get(partner) ?? 0) === before.get(partner)) this.tell(conn, partner, state);
      }
    }
  }

  /**
   * Every third of the expiry bound: renews this instance's sockets in the store, and reads every
   * partner of its devices, so one whose last socket expired (its instance died) is told offline.
   */
  private async beatAndSweep(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const authed = [...this.connections].filter((c) => c.userId !== null);
      await this.deps.presence.beat(
        authed.map((c) => ({ userId: c.userId as string, socketId: c.socketId })),
        this.deps.clock.now(),
      );
      await this.tellFromStore(authed, [...new Set(authed.flatMap((c) => [...c.partners]))]);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'presence round failed');
    } finally {
      this.beating = false;
    }
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
    if (event.type === 'presence' && event.state !== 'typing') this.heard.set(event.userId, (this.heard.get(event.userId) ?? 0) + 1);
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
    } else if (event.type === 'job') {
      for (const conn of this.inSpaces([event.spaceId])) {
        this.send(conn, {
          type: 'job',
          transcriptId: event.transcriptId,
          submission: event.submission,
          status: event.status,
          ...(event.progress !== undefined ? { progress: event.progress } : {}),
        });
      }
    } else {
      for (const conn of this.inSpaces(event.spaceIds)) {
        if (event.userId === conn.userId || !event.spaceIds.some((s) => conn.sharedSpaces.has(s))) continue;
        if (event.state === 'typing') {
          this.send(conn, {
            type: 'presence',
            userId: event.userId,
            state: 'typing',
            ...(event.conversationId ? { conversationId: event.conversationId } : {}),
          });
        } else {
          this.tell(conn, event.userId, {
            online: event.state === 'online',
            activity: event.activity ?? null,
            lastSeen: event.lastSeen ?? null,
          });
        }
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
    this.deps.clock.timers.clearInterval(this.beater);
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

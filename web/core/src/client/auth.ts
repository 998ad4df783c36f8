/**
 * Sign-in state: kept in the store's meta (so every tab and a reload see it) and mirrored in
 * memory for synchronous `current()`. Signing in as another user than the one whose data the
 * store holds clears that data first, so nothing of one account shows in another.
 */
import type { AuthResponse, LoginRequest, SignupRequest } from '@duet/shared';
import type { ApiClient } from '../api/client.ts';
import { ApiError, ClientErrorCode } from '../api/errors.ts';
import type { SyncEngine } from '../sync/engine.ts';
import { getMeta, setMeta } from '../sync/meta.ts';
import type { Clock, Signal } from '../sync/platform.ts';
import { storeKnownSpaces } from '../sync/spaces.ts';
import { STORE_NAMES } from '../sync/storage.ts';
import type { AuthState, DuetAuth } from './types.ts';

export class AuthController implements DuetAuth {
  readonly #engine: SyncEngine;
  readonly #api: ApiClient;
  readonly #online: Signal;
  readonly #clock: Clock;
  readonly #onAccountSwitch: () => Promise<void>;
  readonly #listeners = new Set<() => void>();
  #current: AuthState | null = null;

  /** `onAccountSwitch` clears what of the previous person lives outside the store (recordings). */
  constructor(deps: { engine: SyncEngine; api: ApiClient; online: Signal; clock: Clock; onAccountSwitch?: () => Promise<void> }) {
    this.#engine = deps.engine;
    this.#onAccountSwitch = deps.onAccountSwitch ?? (async () => undefined);
    this.#api = deps.api;
    this.#online = deps.online;
    this.#clock = deps.clock;
    // Another tab signed in or out, or a 401 dropped the token: follow the store.
    deps.engine.onLocalChange((stores) => {
      // A pull's page names only the meta keys it set (cursor, clock): sign-in is not among them.
      if (stores.some((store) => store === 'meta' || store === 'meta:auth' || store === 'meta:user'))
        void this.load().catch(() => undefined);
    });
  }

  /** Reads the saved state from the store. */
  async load(): Promise<void> {
    const next = await this.#engine.read(async (tx) => {
      const auth = await getMeta(tx, 'auth');
      const user = await getMeta(tx, 'user');
      return auth && user ? { ...auth, user } : null;
    });
    const same =
      next?.token === this.#current?.token &&
      next?.user.id === this.#current?.user.id &&
      JSON.stringify(next?.user) === JSON.stringify(this.#current?.user);
    if (same) return;
    this.#current = next;
    for (const l of [...this.#listeners]) l();
  }

  signup(body: SignupRequest): Promise<AuthState> {
    return this.#signIn(() => this.#api.signup(body));
  }

  login(body: LoginRequest): Promise<AuthState> {
    return this.#signIn(() => this.#api.login(body));
  }

  async logout(): Promise<void> {
    const token = this.#current?.token;
    await this.#engine.write(['meta'], (tx) => setMeta(tx, 'auth', null));
    await this.load();
    // Revoking is best effort: offline, the token is forgotten here and expires on the server.
    if (token) await this.#api.logout(token).catch(() => undefined);
  }

  current(): AuthState | null {
    return this.#current;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #signIn(call: () => Promise<AuthResponse>): Promise<AuthState> {
    if (!this.#online.get()) throw new ApiError({ code: ClientErrorCode.offline, status: 0 });
    let answer: AuthResponse;
    try {
      answer = await call();
    } catch (error) {
      if (error instanceof ApiError && error.status === 0)
        throw new ApiError({ code: ClientErrorCode.offline, status: 0, message: error.message });
      throw error;
    }
    const switched = await this.#engine.write(STORE_NAMES, async (tx) => {
      const previous = await getMeta(tx, 'user');
      const other = previous !== null && previous.id !== answer.user.id;
      if (other) for (const store of STORE_NAMES) await tx.clear(store);
      await setMeta(tx, 'user', answer.user);
      await setMeta(tx, 'auth', { token: answer.token, deviceId: answer.deviceId });
      return other;
    });
    // Before the new sign-in is announced, so no upload of the previous person starts under it.
    if (switched) await this.#onAccountSwitch();
    await this.load();
    // The spaces make the user's first writes apply locally before the first pull ends.
    try {
      const me = await this.#api.me(answer.token);
      await this.#engine.write(STORE_NAMES, (tx) => storeKnownSpaces(tx, me.spaces, this.#clock.now()));
    } catch {
      // The pull delivers the spaces too.
    }
    void this.#engine.syncNow().catch(() => undefined);
    return { token: answer.token, deviceId: answer.deviceId, user: answer.user };
  }
}

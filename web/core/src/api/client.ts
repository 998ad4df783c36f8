/** The server's HTTP API, one typed method per call of docs/protocol.md; also the engine's SyncTransport. */
import {
  AcceptInviteResponseSchema,
  AuthResponseSchema,
  InviteResponseSchema,
  MeResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  StatsResponseSchema,
} from '@duet/shared';
import type {
  AuthResponse,
  InviteResponse,
  LoginRequest,
  MeResponse,
  PullRequest,
  PullResponse,
  PushRequest,
  PushResponse,
  SignupRequest,
  Space,
  StatsResponse,
} from '@duet/shared';
import type { SyncTransport } from '../sync/transport.ts';
import { requestJson } from './http.ts';
import type { HttpOptions } from './http.ts';

export interface ApiClientOptions {
  /** Origin of the server, '' for the same origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

export class ApiClient implements SyncTransport {
  readonly #http: HttpOptions;

  constructor(options: ApiClientOptions = {}) {
    // Looked up per call, not bound once, so test doubles installed later are seen.
    const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#http = { baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''), fetch: fetchFn };
  }

  signup(body: SignupRequest): Promise<AuthResponse> {
    return requestJson(this.#http, { method: 'POST', path: '/auth/signup', body, schema: AuthResponseSchema });
  }

  login(body: LoginRequest): Promise<AuthResponse> {
    return requestJson(this.#http, { method: 'POST', path: '/auth/login', body, schema: AuthResponseSchema });
  }

  logout(token: string): Promise<void> {
    return requestJson(this.#http, { method: 'POST', path: '/auth/logout', token, schema: null });
  }

  me(token: string): Promise<MeResponse> {
    return requestJson(this.#http, { method: 'GET', path: '/me', token, schema: MeResponseSchema });
  }

  createInvite(token: string): Promise<InviteResponse> {
    return requestJson(this.#http, { method: 'POST', path: '/invites', token, schema: InviteResponseSchema });
  }

  /** DELETE /api/partner: both partners leave their shared space. */
  unlinkPartner(token: string): Promise<void> {
    return requestJson(this.#http, { method: 'DELETE', path: '/partner', token, schema: null });
  }

  async acceptInvite(token: string, code: string): Promise<Space> {
    const answer = await requestJson(this.#http, {
      method: 'POST',
      path: '/invites/accept',
      token,
      body: { code },
      schema: AcceptInviteResponseSchema,
    });
    return answer.space;
  }

  stats(token: string): Promise<StatsResponse> {
    return requestJson(this.#http, { method: 'GET', path: '/stats', token, schema: StatsResponseSchema });
  }

  push(token: string, body: PushRequest): Promise<PushResponse> {
    return requestJson(this.#http, { method: 'POST', path: '/sync/push', token, body, schema: PushResponseSchema });
  }

  pull(token: string, body: PullRequest): Promise<PullResponse> {
    return requestJson(this.#http, { method: 'POST', path: '/sync/pull', token, body, schema: PullResponseSchema });
  }
}

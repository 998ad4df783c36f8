/** The server's HTTP API, one typed method per call of docs/protocol.md; also the engine's SyncTransport. */
import {
  AcceptInviteResponseSchema,
  BillingRedirectResponseSchema,
  BillingResponseSchema,
  PasswordChangedResponseSchema,
  PasswordResetRequestedSchema,
  AuthResponseSchema,
  InviteResponseSchema,
  MeResponseSchema,
  PullResponseSchema,
  PushResponseSchema,
  StatsResponseSchema,
} from '@duet/shared';
import type {
  DataImportResponse,
  DeleteAccountRequest,
  AuthResponse,
  BillingResponse,
  PasswordChangedResponse,
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
import {
  downloadExport,
  uploadImport,
  type DownloadProgress,
  type ExportDownload,
  type ImportProgress,
  type MakeXhr,
} from './data-transfer.ts';
import { requestJson } from './http.ts';
import type { HttpOptions } from './http.ts';

export interface ApiClientOptions {
  /** Origin of the server, '' for the same origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Makes the XMLHttpRequest of an import (the platform's by default). */
  xhr?: MakeXhr;
}

export class ApiClient implements SyncTransport {
  readonly #http: HttpOptions;
  readonly #xhr: MakeXhr;

  constructor(options: ApiClientOptions = {}) {
    // Looked up per call, not bound once, so test doubles installed later are seen.
    const fetchFn: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#http = { baseUrl: (options.baseUrl ?? '').replace(/\/+$/, ''), fetch: fetchFn };
    this.#xhr = options.xhr ?? (() => new XMLHttpRequest());
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

  /** DELETE /api/account with the password: 204, or 403 invalid_credentials for a wrong password. */
  deleteAccount(token: string, body: DeleteAccountRequest): Promise<void> {
    return requestJson(this.#http, { method: 'DELETE', path: '/account', token, body, schema: null });
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

  /** Asks for a reset link by email; the same answer whether or not the address has an account. */
  async requestPasswordReset(email: string): Promise<void> {
    await requestJson(this.#http, { method: 'POST', path: '/auth/password-reset', body: { email }, schema: PasswordResetRequestedSchema });
  }

  resetPassword(token: string, password: string): Promise<PasswordChangedResponse> {
    return requestJson(this.#http, {
      method: 'POST',
      path: '/auth/password-reset/confirm',
      body: { token, password },
      schema: PasswordChangedResponseSchema,
    });
  }

  changePassword(token: string, currentPassword: string, newPassword: string): Promise<PasswordChangedResponse> {
    return requestJson(this.#http, {
      method: 'POST',
      path: '/auth/password',
      token,
      body: { currentPassword, newPassword },
      schema: PasswordChangedResponseSchema,
    });
  }

  inviteByEmail(token: string, email: string): Promise<InviteResponse> {
    return requestJson(this.#http, { method: 'POST', path: '/invites/email', token, body: { email }, schema: InviteResponseSchema });
  }

  billing(token: string): Promise<BillingResponse> {
    return requestJson(this.#http, { method: 'GET', path: '/billing', token, schema: BillingResponseSchema });
  }

  async billingCheckout(token: string): Promise<string> {
    return (await requestJson(this.#http, { method: 'POST', path: '/billing/checkout', token, schema: BillingRedirectResponseSchema })).url;
  }

  async billingPortal(token: string): Promise<string> {
    return (await requestJson(this.#http, { method: 'POST', path: '/billing/portal', token, schema: BillingRedirectResponseSchema })).url;
  }

  /** GET /api/account/export: the person's data as a zip, with the bytes received as they arrive. */
  exportData(token: string, onProgress: (progress: DownloadProgress) => void): Promise<ExportDownload> {
    return downloadExport(this.#http, token, onProgress);
  }

  /** POST /api/account/import: loads an export zip into this (empty) account. */
  importData(token: string, file: Blob, onProgress: (progress: ImportProgress) => void): Promise<DataImportResponse> {
    return uploadImport(this.#http, this.#xhr, token, file, onProgress);
  }
}

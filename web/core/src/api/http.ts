/**
 * One JSON request to the server: adds the token, turns error bodies into ApiError (with the
 * protocol's code and Retry-After) and validates success bodies against shared schemas, so the
 * rest of the client only ever sees well-formed answers.
 */
import { ErrorBodySchema, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@duet/shared';
import { ApiError, ClientErrorCode } from './errors.ts';

export interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

export interface HttpOptions {
  baseUrl: string;
  fetch: typeof fetch;
}

export interface RequestInit<T> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  token?: string | null;
  body?: unknown;
  /** Null for answers without a body (204). */
  schema: Schema<T> | null;
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status alone must do.
  }
  const parsed = ErrorBodySchema.safeParse(body);
  const retryAfter = retryAfterSeconds(response.headers.get('Retry-After'));
  return new ApiError({
    status: response.status,
    code: parsed.success ? parsed.data.error.code : response.status >= 500 ? 'unavailable' : 'invalid_body',
    message: parsed.success ? parsed.data.error.message : response.statusText,
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(parsed.success && parsed.data.error.details !== undefined ? { details: parsed.data.error.details } : {}),
  });
}

export async function requestJson<T>(http: HttpOptions, init: RequestInit<T>): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', [PROTOCOL_HEADER]: String(PROTOCOL_VERSION) };
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let response: Response;
  try {
    response = await http.fetch(`${http.baseUrl}/api${init.path}`, {
      method: init.method,
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (cause) {
    throw new ApiError({ code: ClientErrorCode.network, status: 0, message: String(cause) });
  }
  if (!response.ok) throw await errorFrom(response);
  if (init.schema === null) return undefined as T;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError({ code: ClientErrorCode.invalidResponse, status: response.status });
  }
  const parsed = init.schema.safeParse(body);
  if (!parsed.success) throw new ApiError({ code: ClientErrorCode.invalidResponse, status: response.status });
  return parsed.data;
}

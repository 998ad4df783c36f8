/** How the engine reaches the server: the two sync calls. api/client.ts implements it over fetch. */
import type { PullRequest, PullResponse, PushRequest, PushResponse } from '@duet/shared';

/** Throws ApiError (api/errors.ts): status 0 for no answer, else the server's status and code. */
export interface SyncTransport {
  push(token: string, body: PushRequest): Promise<PushResponse>;
  pull(token: string, body: PullRequest): Promise<PullResponse>;
}

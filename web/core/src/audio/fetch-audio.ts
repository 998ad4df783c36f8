/** Fetches a transcript's uploaded audio from the server (GET /api/transcripts/:id/audio). */
import { ApiError, ClientErrorCode } from '../api/errors.ts';

/** Resolves to the audio; throws ApiError: 'offline'/'network' without an answer, 'not_found', ... */
export async function fetchTranscriptAudio(options: {
  baseUrl: string;
  token: string;
  transcriptId: string;
  fetch?: typeof fetch;
}): Promise<Blob> {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await fetchFn(`${options.baseUrl}/api/transcripts/${encodeURIComponent(options.transcriptId)}/audio`, {
      headers: { Authorization: `Bearer ${options.token}` },
      cache: 'no-store',
    });
  } catch (error) {
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    throw new ApiError({ code: offline ? ClientErrorCode.offline : ClientErrorCode.network, status: 0, message: String(error) });
  }
  if (!response.ok) {
    const code =
      response.status === 404
        ? 'not_found'
        : response.status === 401
          ? 'unauthorized'
          : response.status === 403
            ? 'forbidden'
            : 'unavailable';
    throw new ApiError({ code, status: response.status });
  }
  return response.blob();
}

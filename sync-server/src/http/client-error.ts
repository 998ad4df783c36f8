/**
 * Answers for requests Node's HTTP parser refuses before Express sees them (headers too large,
 * malformed requests): the protocol's error body and an X-Request-Id, like every other answer,
 * instead of Node's bare status line.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, type ErrorBody } from '@duet/shared';
import type { Logger } from 'pino';

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

function answerFor(code: string | undefined): ErrorBody['error'] & { status: number } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: ErrorCode.headersTooLarge, message: 'the request headers are too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, code: ErrorCode.invalidBody, message: 'the request did not arrive in time' };
  return { status: 400, code: ErrorCode.invalidBody, message: 'the request could not be read' };
}

/** `newId`: the request id each refusal gets (X-Request-Id). */
export function answerClientErrors(server: http.Server, logger: Logger, newId: () => string): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset connection, or one already answered, has no one to tell.
    if (
      error.code === 'ECONNRESET' ||
      !socket.writable ||
      (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
    ) {
      socket.destroy();
      return;
    }
    const answer = answerFor(error.code);
    const id = newId();
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } } satisfies ErrorBody);
    logger.info({ reqId: id, status: answer.status, err: error.code }, 'request refused by the HTTP parser');
    // An answer to HEAD has no body (its client would read the body as a broken next answer).
    const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    socket.end(
      `HTTP/1.1 ${answer.status} ${REASONS[answer.status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\n\r\n${head ? '' : body}`,
    );
  });
}

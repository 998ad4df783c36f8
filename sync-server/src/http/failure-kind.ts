/**
 * Tells an outage from a bug: an error that reached the error handler (or the push) is either
 * infrastructure (try again later: 503), a data error Postgres raised on a value (SQLSTATE classes
 * 22 and 23: the input was wrong, it will fail again the same way), or a bug (500).
 */

export type FailureKind = 'infrastructure' | 'data' | 'bug';

/** SQLSTATEs of a server that is going away, overloaded, or timing out a wait: retrying can succeed. */
const TRANSIENT_SQLSTATES = new Set([
  '55P03', // lock_not_available (lock_timeout)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '25P03', // idle_in_transaction_session_timeout
  '3D000', // invalid_catalog_name: the database is gone or not created yet
  '28000', // invalid_authorization_specification: Postgres refuses our role (misconfiguration)
  '28P01', // invalid_password
]);

/**
 * Whole SQLSTATE classes of that kind: 08 connection exception, 53 insufficient resources (too many
 * connections, disk full, out of memory), 57 operator intervention (admin or crash shutdown 57P01
 * and 57P02, starting up 57P03, database dropped 57P04, statement timeout / query canceled 57014),
 * 58 system error (I/O).
 */
const TRANSIENT_CLASSES = ['08', '53', '57', '58'];

/** Node socket errors: the peer (Postgres, Redis) cannot be reached or went away. */
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/**
 * What node-postgres and ioredis throw, as plain Errors without a code, when a connection is lost,
 * cannot be made in time, or a command cannot be sent.
 */
const TRANSIENT_MESSAGES = [
  /^Connection terminated/, // pg: the server closed the connection, or connectionTimeoutMillis passed
  /^timeout exceeded when trying to connect$/, // pg pool: no connection within connectionTimeoutMillis
  /^Client has encountered a connection error and is not queryable$/, // pg
  /^Client was closed and is not queryable$/, // pg
  /^Query read timeout$/, // pg query_timeout
  /^Connection is closed\.$/, // ioredis
  /^Command timed out$/, // ioredis commandTimeout
  /^Stream isn't writeable and enableOfflineQueue options is false$/, // ioredis
  /^Reached the max retries per request limit/, // ioredis MaxRetriesPerRequestError
];

/** Error names of circuit breakers and timeouts around Redis or Postgres (cockatiel's, for one). */
const TRANSIENT_NAMES = new Set(['BrokenCircuitError', 'IsolatedCircuitError', 'TaskCancelledError', 'MaxRetriesPerRequestError']);

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function failureKind(error: unknown, depth = 0): FailureKind {
  if (typeof error !== 'object' || error === null || depth > 5) return 'bug';
  const e = error as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    // 08P01 is a malformed message we sent (a bug), not a lost connection.
    if (code === '08P01') return 'bug';
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_CLASSES.includes(code.slice(0, 2))) return 'infrastructure';
    if (code.startsWith('22') || code.startsWith('23')) return 'data';
    return 'bug';
  }
  if (NETWORK_ERRNOS.has(code)) return 'infrastructure';
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return 'infrastructure';
  if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((m) => m.test(e.message as string))) return 'infrastructure';
  // A wrapped cause, or an AggregateError of connection attempts (IPv4 and IPv6 both refused).
  if (e.cause !== undefined && failureKind(e.cause, depth + 1) === 'infrastructure') return 'infrastructure';
  if (Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every((inner) => failureKind(inner, depth + 1) === 'infrastructure')) {
    return 'infrastructure';
  }
  return 'bug';
}

/** A Postgres data error: the value was refused (out of range, bad encoding, a check or constraint). */
export const isDataError = (error: unknown): boolean => failureKind(error) === 'data';

import { describe, expect, it } from 'vitest';
import { failureKind, type FailureKind } from './failure-kind.ts';

const pgError = (code: string, message = 'pg said no') => Object.assign(new Error(message), { code, severity: 'ERROR' });
const errno = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('failureKind', () => {
  it.each<[string, unknown, FailureKind]>([
    ['admin shutdown 57P01', pgError('57P01'), 'infrastructure'],
    ['crash shutdown 57P02', pgError('57P02'), 'infrastructure'],
    ['the database is starting up 57P03', pgError('57P03'), 'infrastructure'],
    ['too many connections 53300', pgError('53300'), 'infrastructure'],
    ['statement timeout / query canceled 57014', pgError('57014'), 'infrastructure'],
    ['lock not available 55P03', pgError('55P03'), 'infrastructure'],
    ['serialization failure 40001', pgError('40001'), 'infrastructure'],
    ['deadlock 40P01', pgError('40P01'), 'infrastructure'],
    ['idle-in-transaction timeout 25P03', pgError('25P03'), 'infrastructure'],
    ['connection failure 08006', pgError('08006'), 'infrastructure'],
    ['the database was dropped 3D000', pgError('3D000'), 'infrastructure'],
    ['a wrong password for our role 28P01', pgError('28P01'), 'infrastructure'],
    ['disk full 53100', pgError('53100'), 'infrastructure'],
    ['an I/O error 58030', pgError('58030'), 'infrastructure'],
    ['connection refused', errno('ECONNREFUSED'), 'infrastructure'],
    ['connection reset', errno('ECONNRESET'), 'infrastructure'],
    ['refused on IPv4 and IPv6', new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')]), 'infrastructure'],
    ['pg: connection lost mid-query', new Error('Connection terminated unexpectedly'), 'infrastructure'],
    ['pg: connection timeout', new Error('Connection terminated due to connection timeout'), 'infrastructure'],
    ['pg pool: connect timeout', new Error('timeout exceeded when trying to connect'), 'infrastructure'],
    ['pg: a broken client', new Error('Client has encountered a connection error and is not queryable'), 'infrastructure'],
    ['ioredis: closed', new Error('Connection is closed.'), 'infrastructure'],
    ['ioredis: command timeout', new Error('Command timed out'), 'infrastructure'],
    ['ioredis: offline, no queue', new Error("Stream isn't writeable and enableOfflineQueue options is false"), 'infrastructure'],
    [
      'ioredis: max retries',
      named('MaxRetriesPerRequestError', 'Reached the max retries per request limit (which is 1).'),
      'infrastructure',
    ],
    ['a circuit breaker open', named('BrokenCircuitError', 'Execution prevented because the circuit breaker is open'), 'infrastructure'],
    ['an outage wrapped as a cause', new Error('cache failed', { cause: errno('ECONNREFUSED') }), 'infrastructure'],
    ['NUL in jsonb 22P05', pgError('22P05'), 'data'],
    ['lone surrogate in jsonb 22P02', pgError('22P02'), 'data'],
    ['NUL in text 22021', pgError('22021'), 'data'],
    ['number out of range 22003', pgError('22003'), 'data'],
    ['check violation 23514', pgError('23514'), 'data'],
    ['unique violation 23505', pgError('23505'), 'data'],
    ['syntax error 42601 (a bug in our SQL)', pgError('42601'), 'bug'],
    ['undefined column 42703', pgError('42703'), 'bug'],
    ['protocol violation 08P01 (a malformed message we sent)', pgError('08P01'), 'bug'],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')"), 'bug'],
    ['a plain Error', new Error('something else'), 'bug'],
    ['a thrown string', 'oops', 'bug'],
    ['undefined', undefined, 'bug'],
    ['an AggregateError with one bug among outages', new AggregateError([errno('ECONNREFUSED'), new Error('x')]), 'bug'],
  ])('%s: %s', (_name, error, kind) => {
    expect(failureKind(error)).toBe(kind);
  });
});

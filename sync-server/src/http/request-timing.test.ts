import { describe, expect, it } from 'vitest';
import { queryName } from './request-timing.ts';

describe('queryName', () => {
  it.each([
    ['/* push_end */ WITH upserted AS (INSERT INTO entities VALUES (1))', 'push_end'],
    ['SELECT * FROM duet_push_begin($1, $2)', 'duet_push_begin'],
    ['SELECT last_mutation_id FROM clients WHERE user_id = $1', 'select clients'],
    ['INSERT INTO clients (user_id) VALUES ($1) ON CONFLICT DO NOTHING', 'insert clients'],
    ['UPDATE spaces s SET head_version = 1', 'update spaces'],
    ['WITH x AS (SELECT 1) DELETE FROM invites WHERE code = $1', 'delete invites'],
    ['BEGIN', 'begin'],
    ['COMMIT', 'commit'],
  ])('%s is %s', (text, name) => {
    expect(queryName(text)).toBe(name);
  });
});

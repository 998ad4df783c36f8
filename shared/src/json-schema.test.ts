import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { protocolJsonSchema } from './json-schema.ts';

const FILE = new URL('../../docs/protocol.schema.json', import.meta.url);

describe('the JSON Schema of the protocol', () => {
  it('describes every mutation, request and frame', () => {
    const defs = protocolJsonSchema().$defs as Record<string, { type?: string }>;
    expect(defs['PushRequest']?.type).toBe('object');
    expect(defs['args.message.add']?.type).toBe('object');
    expect(Object.keys(defs)).toContain('ServerFrame');
  });

  // Regenerate with: UPDATE_PROTOCOL_SCHEMA=1 npx vitest run --project shared json-schema
  it('is current in docs/protocol.schema.json', () => {
    const generated = `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_PROTOCOL_SCHEMA) writeFileSync(FILE, generated);
    expect(readFileSync(FILE, 'utf8'), 'docs/protocol.schema.json is out of date: regenerate it (see this test)').toBe(generated);
  });
});

import { describe, expect, it } from 'vitest';
import { unsendableText } from './unsendable-text.ts';

const t = (key: string, options?: Record<string, unknown>) => (options ? `${key} ${JSON.stringify(options)}` : key);

describe('unsendableText', () => {
  it('lists each change readably with its text, then all of them as JSON', () => {
    const text = unsendableText(
      [
        {
          id: 3,
          name: 'message.add',
          args: { id: 'm1', conversationId: 'k1', body: 'Hola 😀 مرحبا' },
          createdAt: Date.UTC(2026, 11, 1, 18),
        },
        { id: 4, name: 'message.delete', args: { id: 'm0' }, createdAt: Date.UTC(2026, 11, 1, 19) },
      ],
      t,
      (at) => new Date(at).toISOString(),
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('unsendable.copyHeading');
    expect(lines[2]).toContain('"when":"2026-12-01T18:00:00.000Z"');
    expect(lines[3]).toBe('Hola 😀 مرحبا');
    const json = JSON.parse(text.slice(text.indexOf('['))) as unknown;
    expect(json).toEqual([
      { name: 'message.add', args: { id: 'm1', conversationId: 'k1', body: 'Hola 😀 مرحبا' }, createdAt: '2026-12-01T18:00:00.000Z' },
      { name: 'message.delete', args: { id: 'm0' }, createdAt: '2026-12-01T19:00:00.000Z' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { DATA_EXPORT_FORMAT, DATA_EXPORT_VERSION, type DataExport } from '@duet/shared';
import { planImport } from './remap-import.ts';

const meta = (by: string) => ({ hlc: '000000000001000:0000:c1', by, at: 1 });

function file(over: Partial<DataExport> = {}): DataExport {
  return {
    format: DATA_EXPORT_FORMAT,
    version: DATA_EXPORT_VERSION,
    exportedAt: 1,
    user: { id: 'old-user', email: 'a@example.test', displayName: 'Ana' },
    spaces: [],
    conversations: [
      {
        id: 'c1',
        spaceId: 's1',
        title: 'T',
        archived: false,
        createdBy: 'old-user',
        createdAt: 1,
        meta: { title: meta('old-user'), archived: meta('old-user') },
      },
    ],
    messages: [
      {
        id: 'm1',
        spaceId: 's1',
        conversationId: 'c1',
        authorId: 'partner',
        body: 'hi',
        createdAt: 1,
        editedAt: null,
        deleted: false,
        meta: { body: meta('partner') },
      },
      {
        id: 'm2',
        spaceId: 's1',
        conversationId: 'c1',
        authorId: 'old-user',
        body: 're',
        createdAt: 2,
        editedAt: null,
        deleted: false,
        replyTo: 'm1',
        meta: { body: meta('old-user') },
      },
    ],
    sessions: [
      { id: 'v1', spaceId: 's0', userId: 'old-user', startedAt: 1, endedAt: null, lastActivityAt: 1, activities: [] },
      { id: 'v2', spaceId: 's1', userId: 'partner', startedAt: 1, endedAt: null, lastActivityAt: 1, activities: [] },
    ],
    transcripts: [],
    readMarks: [
      { id: 'old-user~c1', spaceId: 's0', userId: 'old-user', conversationId: 'c1', readUpTo: 5 },
      { id: 'old-user~c1b', spaceId: 's0', userId: 'old-user', conversationId: 'c1', readUpTo: 9 },
    ],
    audio: [],
    ...over,
  };
}

const target = { userId: 'new-user', personalSpaceId: 'p-new' };
const counter = () => {
  let n = 0;
  return () => `n${++n}`;
};

describe('planImport', () => {
  it('gives fresh ids, remaps references and the exporter’s id, keeps the partner’s, and drops the partner’s sessions', () => {
    const plan = planImport(file(), target, counter(), 100);
    const byKind = (kind: string) => plan.rows.filter((r) => r.kind === kind).map((r) => r.data as unknown as Record<string, unknown>);
    const [conversation] = byKind('conversation');
    expect(conversation).toMatchObject({ id: 'n1', spaceId: 'p-new', createdBy: 'new-user' });
    const [first, reply] = byKind('message');
    expect(first).toMatchObject({ conversationId: 'n1', authorId: 'partner', spaceId: 'p-new' });
    expect(reply).toMatchObject({ conversationId: 'n1', authorId: 'new-user', replyTo: first?.id });
    expect(byKind('session')).toEqual([expect.objectContaining({ userId: 'new-user', spaceId: 'p-new' })]);
    // Two marks of one conversation become one, the further.
    expect(byKind('readMark')).toEqual([{ id: 'new-user~n1', spaceId: 'p-new', userId: 'new-user', conversationId: 'n1', readUpTo: 9 }]);
    expect(plan.counts).toEqual({ conversations: 1, messages: 2, sessions: 1, transcripts: 0, readMarks: 1, audio: 0 });
  });

  it.each([
    ['a message naming a missing conversation', file({ conversations: [], readMarks: [] }), 'missing_reference'],
    [
      'audio naming a missing transcript',
      file({ audio: [{ transcriptId: 't9', path: 'audio/t9.webm', size: 1, mimeType: 'audio/webm' }] }),
      'missing_reference',
    ],
    ['the same id twice', file({ messages: [...file().messages, ...file().messages] }), 'duplicate_id'],
  ])('refuses %s with export_invalid', (_name, input, reason) => {
    expect(() => planImport(input, target, counter(), 100)).toThrow(
      expect.objectContaining({ status: 400, code: 'export_invalid', details: expect.objectContaining({ reason }) }),
    );
  });
});

/**
 * Search across conversations (titles and messages) and transcripts, on this device only, so it
 * works offline. The index is MiniSearch, kept in memory and loaded lazily (its code is fetched
 * with the first search, so the first load of the app does not carry it). It is built from the
 * local view on the first search and kept current by diffing: when a store it indexes changes,
 * the next search re-reads the records and only adds, replaces or drops the ones that changed.
 */
import type MiniSearch from 'minisearch';
import type { Conversation, Message, Transcript } from '@duet/shared';
import { entitySchemas } from '@duet/shared';
import type { StorageTx } from '../sync/storage.ts';

export type SearchHitKind = 'conversation' | 'message' | 'transcript';

export interface SearchHit {
  kind: SearchHitKind;
  id: string;
  /** The conversation to open (for a transcript, the one it belongs to, if any). */
  conversationId: string | null;
  /** The title of that conversation, when it is on this device. */
  conversationTitle: string | null;
  /** The whole text that matched (a title, a message body, a transcript's text). */
  text: string;
  createdAt: number;
  /** The words of the query as found in the text, for highlighting. */
  terms: string[];
}

export interface LocalSearchDeps {
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  onLocalChange(listener: (stores: readonly string[]) => void): () => void;
  /** Loads MiniSearch; a dynamic import by default, so bundlers split it off. */
  loadMiniSearch?: () => Promise<typeof MiniSearch>;
}

interface Doc {
  key: string;
  kind: SearchHitKind;
  id: string;
  conversationId: string | null;
  text: string;
  createdAt: number;
}

const INDEXED_STORES = new Set(['conversations', 'messages', 'transcripts']);

/** Lower case, accents and Arabic diacritics (harakat) removed: "Café" and "cafe" match. */
export function normalizeTerm(term: string): string {
  return term.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

function valid<T>(schema: { safeParse(v: unknown): { success: boolean; data?: unknown } }, records: readonly unknown[]): T[] {
  return records.flatMap((r) => {
    const parsed = schema.safeParse(r);
    return parsed.success ? [parsed.data as T] : [];
  });
}

async function readDocs(tx: StorageTx): Promise<Doc[]> {
  const conversations = valid<Conversation>(entitySchemas.conversation, await tx.getAll('conversations'));
  const messages = valid<Message>(entitySchemas.message, await tx.getAll('messages'));
  const transcripts = valid<Transcript>(entitySchemas.transcript, await tx.getAll('transcripts'));
  const docs: Doc[] = [];
  for (const c of conversations) {
    docs.push({ key: `c/${c.id}`, kind: 'conversation', id: c.id, conversationId: c.id, text: c.title, createdAt: c.createdAt });
  }
  for (const m of messages) {
    if (m.deleted) continue;
    docs.push({ key: `m/${m.id}`, kind: 'message', id: m.id, conversationId: m.conversationId, text: m.body, createdAt: m.createdAt });
  }
  for (const t of transcripts) {
    if (t.deleted || t.text.trim() === '') continue;
    docs.push({ key: `t/${t.id}`, kind: 'transcript', id: t.id, conversationId: t.conversationId, text: t.text, createdAt: t.createdAt });
  }
  return docs;
}

export class LocalSearch {
  readonly #deps: LocalSearchDeps;
  #index: MiniSearch<Doc> | null = null;
  readonly #docs = new Map<string, Doc>();
  #stale = true;
  #refreshing: Promise<void> | null = null;
  readonly #detach: () => void;

  constructor(deps: LocalSearchDeps) {
    this.#deps = deps;
    this.#detach = deps.onLocalChange((stores) => {
      if (stores.some((s) => INDEXED_STORES.has(s))) this.#stale = true;
    });
  }

  /** How many records the index holds (after the last refresh). */
  get size(): number {
    return this.#docs.size;
  }

  /**
   * Records matching every word of `query` (the last one as a prefix), best first; an empty query
   * finds nothing. No fuzzy matching: on 10,000 messages it made a common word several times slower.
   */
  async search(query: string, options: { limit?: number } = {}): Promise<SearchHit[]> {
    if (query.trim() === '') return [];
    await this.refresh();
    const index = this.#index;
    if (!index) return [];
    const found = index.search(query, {
      prefix: (_term, i, terms) => i === terms.length - 1,
      combineWith: 'AND',
    });
    const hits: SearchHit[] = [];
    for (const result of found.slice(0, options.limit ?? 50)) {
      const doc = this.#docs.get(String(result.id));
      if (!doc) continue;
      const conversationTitle = doc.conversationId ? (this.#docs.get(`c/${doc.conversationId}`)?.text ?? null) : null;
      hits.push({
        kind: doc.kind,
        id: doc.id,
        conversationId: doc.conversationId,
        conversationTitle,
        text: doc.text,
        createdAt: doc.createdAt,
        terms: result.terms,
      });
    }
    return hits;
  }

  /** Brings the index up to date with the local view (once per change, shared by concurrent searches). */
  async refresh(): Promise<void> {
    while (this.#stale || !this.#index) {
      this.#refreshing ??= this.#rebuild().finally(() => {
        this.#refreshing = null;
      });
      await this.#refreshing;
    }
  }

  close(): void {
    this.#detach();
  }

  async #rebuild(): Promise<void> {
    if (!this.#index) {
      const MiniSearchClass = await (this.#deps.loadMiniSearch ?? (async () => (await import('minisearch')).default))();
      this.#index = new MiniSearchClass<Doc>({
        idField: 'key',
        fields: ['text'],
        processTerm: (term) => normalizeTerm(term) || null,
      });
    }
    // Marked fresh before reading: a change during the read marks it stale again.
    this.#stale = false;
    const docs = await this.#deps.read(readDocs);
    const index = this.#index;
    const seen = new Set<string>();
    for (const doc of docs) {
      seen.add(doc.key);
      const current = this.#docs.get(doc.key);
      if (current && current.text === doc.text) continue;
      if (current) index.replace(doc);
      else index.add(doc);
      this.#docs.set(doc.key, doc);
    }
    for (const [key, doc] of this.#docs) {
      if (seen.has(key)) continue;
      index.discard(doc.key);
      this.#docs.delete(key);
    }
  }
}

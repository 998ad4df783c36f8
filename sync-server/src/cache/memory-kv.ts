/** The in-process KvStore for one instance without Redis. */
import { randomBytes } from 'node:crypto';
import type { KvStore } from './kv.ts';

interface Entry {
  epoch: string;
  value: string;
  expiresAt: number;
}

export class MemoryKv implements KvStore {
  readonly mode = 'in-process' as const;
  private current = randomBytes(8).toString('hex');
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  async epoch(): Promise<string> {
    return this.current;
  }

  private read(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now() || entry.epoch !== this.current) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async getCurrent(keys: readonly string[]): Promise<Array<string | null>> {
    return keys.map((k) => this.read(k)?.value ?? null);
  }

  async raise(epoch: string, entries: ReadonlyMap<string, number>, ttlSec: number): Promise<boolean> {
    if (epoch !== this.current) return true;
    for (const [key, value] of entries) {
      const existing = this.read(key);
      if (existing && Number(existing.value) >= value) continue;
      this.entries.set(key, { epoch, value: String(value), expiresAt: this.now() + ttlSec * 1000 });
    }
    return true;
  }

  raiseCurrent(entries: ReadonlyMap<string, number>, ttlSec: number): Promise<boolean> {
    return this.raise(this.current, entries, ttlSec);
  }

  async put(epoch: string, key: string, value: string, ttlSec: number, onlyIfAbsent: boolean): Promise<boolean> {
    if (epoch !== this.current) return true;
    if (onlyIfAbsent && this.read(key)) return true;
    this.entries.set(key, { epoch, value, expiresAt: this.now() + ttlSec * 1000 });
    return true;
  }

  async del(keys: readonly string[]): Promise<boolean> {
    for (const key of keys) this.entries.delete(key);
    return true;
  }

  async rotateEpoch(): Promise<boolean> {
    this.current = randomBytes(8).toString('hex');
    this.entries.clear();
    return true;
  }

  async up(): Promise<boolean> {
    return true;
  }
}

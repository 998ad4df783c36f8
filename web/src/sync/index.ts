/**
 * The engine for Node clients (integration tests, benchmarks, load clients): everything needed to
 * sync against a real server without a browser. The UI imports data/index.ts instead.
 */
export { SyncEngine } from './engine.ts';
export type { LocalChangeListener, SyncEngineOptions } from './engine.ts';
export { MemoryStorage } from './memory-storage.ts';
export type { SyncStorage, StorageTx } from './storage.ts';
export { localBus, manualSignal, processLock, systemClock, systemTimers } from './platform.ts';
export type { ChangeBus, Clock, Signal, SyncLock, Timers } from './platform.ts';
export type { SyncStatus } from './status.ts';
export type { SyncTransport } from './transport.ts';
export { ApiClient } from '../api/client.ts';
export { assembleDuetClient } from '../data/client.ts';
export { getLocalEntity } from './local-tx.ts';

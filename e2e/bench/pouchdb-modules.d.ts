// The few PouchDB calls the benchmark makes. The DefinitelyTyped packages declare a global Buffer
// that breaks Node's own typings, so the peer gets these small declarations instead.
declare module 'pouchdb-core' {
  interface ReplicationOptions {
    batch_size?: number;
  }
  interface Database {
    bulkDocs(docs: object[]): Promise<unknown>;
    info(): Promise<{ doc_count: number }>;
    destroy(): Promise<void>;
    replicate: {
      to(target: Database, options?: ReplicationOptions): Promise<unknown>;
      from(source: Database, options?: ReplicationOptions): Promise<unknown>;
    };
  }
  interface PouchDBStatic {
    new (name: string, options?: { adapter?: string }): Database;
    plugin(plugin: unknown): PouchDBStatic;
    defaults(options: { adapter?: string }): PouchDBStatic;
  }
  const PouchDB: PouchDBStatic;
  export default PouchDB;
}
declare module 'pouchdb-adapter-http' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-adapter-memory' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-mapreduce' {
  const plugin: unknown;
  export default plugin;
}
declare module 'pouchdb-replication' {
  const plugin: unknown;
  export default plugin;
}
declare module 'express-pouchdb' {
  import type { RequestHandler } from 'express';
  export default function expressPouchDb(pouch: unknown, options?: object): RequestHandler;
}

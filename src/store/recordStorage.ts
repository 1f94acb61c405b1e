// One object store of records, in IndexedDB (the `idb` package) or in memory (tests, or a page
// without IndexedDB): where sessions, lesson progress and saved policies are kept. Each kind has
// its own database, so none needs another's upgrade. Reads return raw values: callers check them,
// because anything stored may have been damaged or written by another version.
import { openDB, type IDBPDatabase } from 'idb';

export interface RecordStorage<T> {
  list(): Promise<{ id: string; value: unknown }[]>;
  get(id: string): Promise<unknown>;
  put(record: T): Promise<void>;
  delete(id: string): Promise<void>;
}

/** Records of database `dbName`, object store `storeName`, keyed by the records' `keyPath`; opens on first use. */
export function indexedDbRecords<T>(dbName: string, storeName: string, keyPath: keyof T & string): RecordStorage<T> {
  let db: Promise<IDBPDatabase> | null = null;
  const open = () => {
    db ??= openDB(dbName, 1, {
      upgrade(d) {
        if (!d.objectStoreNames.contains(storeName)) d.createObjectStore(storeName, { keyPath });
      },
    });
    // A failed open is retried next time (e.g. after the person allows storage).
    db.catch(() => {
      db = null;
    });
    return db;
  };
  return {
    async list() {
      const tx = (await open()).transaction(storeName, 'readonly');
      const out: { id: string; value: unknown }[] = [];
      for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
        out.push({ id: String(cursor.primaryKey), value: cursor.value as unknown });
      }
      await tx.done;
      return out;
    },
    async get(id) {
      return (await open()).get(storeName, id);
    },
    async put(record) {
      await (await open()).put(storeName, record);
    },
    async delete(id) {
      await (await open()).delete(storeName, id);
    },
  };
}

/** The same in memory; `records` lets tests damage what is stored. */
export function memoryRecords<T>(keyPath: keyof T & string): RecordStorage<T> & { records: Map<string, unknown> } {
  const records = new Map<string, unknown>();
  return {
    records,
    async list() {
      return [...records].map(([id, value]) => ({ id, value: structuredClone(value) }));
    },
    async get(id) {
      return structuredClone(records.get(id));
    },
    async put(record) {
      records.set(String(record[keyPath]), structuredClone(record));
    },
    async delete(id) {
      records.delete(id);
    },
  };
}

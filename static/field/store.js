// IndexedDB on the phone: the queue of records waiting to sync ("queue", by client_id) and the work data of the
// last sync ("meta": data, last_sync, owner). Cleared at logout and when the work data is more than 7 days old.

const DB_NAME = "luocun-field";
const VERSION = 1;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let opening = null;

export function open() {
  if (!opening) {
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("queue")) {
        db.createObjectStore("queue", { keyPath: "client_id" });
      }
      if (!db.objectStoreNames.contains("meta")) {
        db.createObjectStore("meta");
      }
    };
    opening = promised(request);
  }
  return opening;
}

async function run(storeName, mode, work) {
  const db = await open();
  const transaction = db.transaction(storeName, mode);
  const result = work(transaction.objectStore(storeName));
  const value = result instanceof IDBRequest ? await promised(result) : result;
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return value;
}

export const queue = {
  all: () => run("queue", "readonly", (s) => s.getAll()),
  put: (record) => run("queue", "readwrite", (s) => s.put(record)),
  remove: (clientId) => run("queue", "readwrite", (s) => s.delete(clientId)),
  clear: () => run("queue", "readwrite", (s) => s.clear()),
};

export const meta = {
  get: (key) => run("meta", "readonly", (s) => s.get(key)),
  set: (key, value) => run("meta", "readwrite", (s) => s.put(value, key)),
  remove: (key) => run("meta", "readwrite", (s) => s.delete(key)),
  clear: () => run("meta", "readwrite", (s) => s.clear()),
};

// Everything on the phone: the queue, the work data, and the service worker's caches.
export async function wipe() {
  await queue.clear();
  await meta.clear();
  if (globalThis.caches) {
    for (const name of await caches.keys()) {
      if (name.startsWith("field-")) {
        await caches.delete(name);
      }
    }
  }
}

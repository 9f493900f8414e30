// The offline queue: records made without signal, posted oldest first through the idempotent APIs.
// Pure logic (no DOM, no IndexedDB): the store and the network are passed in, so node's test runner
// checks it (static/field/tests/queue.test.mjs).

export const KINDS = {
  visit: "visit", // POST /api/v1/warnings/{id}/visits/
  doorVisit: "door_visit", // POST /api/v1/door-visits/
  pledge: "pledge", // POST /api/v1/pledges/
  photo: "photo", // POST /api/v1/door-visits/{visit_client_id}/photos/ (multipart: the photo is a Blob)
};

// A photo's size limit on the server (campaigns.visit_photo_api.PHOTO_MAX_BYTES); the phone shrinks it first.
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
export const PHOTO_MAX_SIDE = 1600;
export const PHOTOS_PER_VISIT = 10;

const MINUTE = 60 * 1000;
export const DAY = 24 * 60 * MINUTE;
export const BACKOFF_MAX = 10 * MINUTE;

export function newClientId() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") {
    return globalThis.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// A record, made at the moment of recording: its client_id and visited_at / signed_at never change after.
export function makeRecord(kind, fields, { now = Date.now(), clientId = newClientId(), label = "" } = {}) {
  if (!Object.values(KINDS).includes(kind)) {
    throw new Error(`unknown record kind ${kind}`);
  }
  const at = new Date(now).toISOString();
  const body = { ...fields, client_id: clientId };
  if (kind === KINDS.pledge) {
    body.signed_at = at;
  } else if (kind === KINDS.photo) {
    body.taken_at = at;
  } else {
    body.visited_at = at;
  }
  return { client_id: clientId, kind, body, label, created_at: now, attempts: 0, next_try_at: 0, error: null };
}

// Where a record is posted, and what.
export function requestFor(record) {
  const body = { ...record.body };
  if (record.kind === KINDS.visit) {
    const warning = body.warning;
    delete body.warning;
    return { url: `/api/v1/warnings/${warning}/visits/`, body };
  }
  if (record.kind === KINDS.doorVisit) {
    return { url: "/api/v1/door-visits/", body };
  }
  if (record.kind === KINDS.photo) {
    // Multipart: the Blob kept in IndexedDB, named after its client id; the visit's client id in the path.
    const { visit_client_id: visit, photo, client_id: clientId } = body;
    return {
      url: `/api/v1/door-visits/${visit}/photos/`,
      body: { client_id: clientId },
      files: { photo: { blob: photo, name: `${clientId}.jpg` } },
    };
  }
  return { url: "/api/v1/pledges/", body };
}

// The size of the photo's long side once shrunk for the upload (never enlarged).
export function shrunkSize(width, height, maxSide = PHOTO_MAX_SIDE) {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

// Oldest first (the moment of recording), then by client_id for a stable order.
export function ordered(records) {
  return [...records].sort((a, b) => a.created_at - b.created_at || (a.client_id < b.client_id ? -1 : 1));
}

export function pendingCount(records) {
  return records.length;
}

export function backoff(attempts) {
  return Math.min(5000 * 2 ** Math.max(attempts - 1, 0), BACKOFF_MAX);
}

// The server's message of a 4xx answer, as one line: "field: message; other: message".
export function messageOf(status, payload) {
  if (payload && typeof payload === "object") {
    if (typeof payload.detail === "string") {
      return payload.detail;
    }
    const parts = [];
    for (const [field, value] of Object.entries(payload)) {
      const messages = Array.isArray(value) ? value : [value];
      const text = messages.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
      parts.push(field === "non_field_errors" ? text : `${field}: ${text}`);
    }
    if (parts.length) {
      return parts.join("; ");
    }
  }
  return `HTTP ${status}`;
}

// Is the kept work data too old (no sync for keepDays)?
export function isStale(lastSync, now = Date.now(), keepDays = 7) {
  return Boolean(lastSync) && now - lastSync > keepDays * DAY;
}

// Post every record due, oldest first.
//   store: { all(): records, remove(client_id), put(record) }  (async)
//   send(request): { status, payload }  (async; throws on a network error)
// 200/201: done (200 is "already synced": nothing was created again), removed from the queue.
// 401 (or a CSRF refusal): the session ended; stop, keep everything (the worker logs in again).
// Another 4xx: kept, marked with the server's message, not retried until fixed or discarded.
// 5xx or a network error: kept, retried later with back-off; the pass stops (the network is likely gone).
export async function syncQueue({ store, send, now = () => Date.now() }) {
  const result = { sent: 0, rejected: 0, retry: 0, waiting: 0, auth: false, offline: false };
  const records = ordered(await store.all());
  // Door visits still in the queue: their photos and pledges wait for them (the server would not know the visit).
  const unsynced = new Set(records.filter((r) => r.kind === KINDS.doorVisit).map((r) => r.client_id));
  for (const record of records) {
    if (record.error) {
      continue; // waits for the worker: fix or discard
    }
    if (record.body.visit_client_id && unsynced.has(record.body.visit_client_id)) {
      result.waiting += 1;
      continue; // after its visit, at this pass or a later one
    }
    if (record.next_try_at && record.next_try_at > now()) {
      result.retry += 1;
      continue;
    }
    let answer;
    try {
      answer = await send(requestFor(record));
    } catch (error) {
      await store.put({ ...record, attempts: record.attempts + 1, next_try_at: now() + backoff(record.attempts + 1) });
      result.offline = true;
      result.retry += 1;
      break;
    }
    const { status, payload } = answer;
    if (status === 200 || status === 201) {
      await store.remove(record.client_id);
      unsynced.delete(record.client_id);
      result.sent += 1;
    } else if (status === 401 || (status === 403 && isCsrfRefusal(payload))) {
      result.auth = true;
      break;
    } else if (status >= 400 && status < 500) {
      await store.put({ ...record, attempts: record.attempts + 1, error: messageOf(status, payload) });
      result.rejected += 1;
    } else {
      await store.put({ ...record, attempts: record.attempts + 1, next_try_at: now() + backoff(record.attempts + 1) });
      result.retry += 1;
      break;
    }
  }
  return result;
}

export function isCsrfRefusal(payload) {
  return Boolean(payload && typeof payload.detail === "string" && /CSRF/i.test(payload.detail));
}

// Clear a record's error so that the next sync sends it again (after the worker fixed its cause).
export function retried(record) {
  return { ...record, error: null, next_try_at: 0 };
}

// Unit tests of the offline queue (node --test static/field/tests/), run by tests/field/test_js_queue.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BACKOFF_MAX,
  DAY,
  KINDS,
  backoff,
  isStale,
  makeRecord,
  messageOf,
  ordered,
  PHOTO_MAX_SIDE,
  requestFor,
  retried,
  shrunkSize,
  syncQueue,
} from "../queue.js";

function memoryStore(records = []) {
  const rows = new Map(records.map((r) => [r.client_id, r]));
  return {
    rows,
    all: async () => [...rows.values()],
    put: async (record) => void rows.set(record.client_id, record),
    remove: async (id) => void rows.delete(id),
  };
}

function server(answers) {
  const calls = [];
  const send = async (request) => {
    calls.push(request);
    const answer = typeof answers === "function" ? answers(request, calls.length) : answers[calls.length - 1];
    if (answer === "network") throw new TypeError("Failed to fetch");
    return answer;
  };
  return { calls, send };
}

test("a record gets its client_id and its time when it is made, not when it is sent", () => {
  const record = makeRecord(KINDS.doorVisit, { household: 7, someone_home: true }, { now: Date.UTC(2026, 0, 2, 3) });
  assert.match(record.client_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(record.body.client_id, record.client_id);
  assert.equal(record.body.visited_at, "2026-01-02T03:00:00.000Z");
  const pledge = makeRecord(KINDS.pledge, { resident: 3 }, { now: Date.UTC(2026, 0, 2, 3) });
  assert.equal(pledge.body.signed_at, "2026-01-02T03:00:00.000Z");
  assert.equal(pledge.body.visited_at, undefined);
  assert.throws(() => makeRecord("letter", {}));
});

test("each kind is posted to its API, the warning id in the path and not in the body", () => {
  const visit = makeRecord(KINDS.visit, { warning: 12, method: "in_person", at_risk: false });
  assert.equal(requestFor(visit).url, "/api/v1/warnings/12/visits/");
  assert.equal(requestFor(visit).body.warning, undefined);
  assert.equal(requestFor(visit).body.method, "in_person");
  assert.equal(requestFor(makeRecord(KINDS.doorVisit, { household: 1 })).url, "/api/v1/door-visits/");
  assert.equal(requestFor(makeRecord(KINDS.pledge, { resident: 1 })).url, "/api/v1/pledges/");
});

test("records are sent oldest first", async () => {
  const late = makeRecord(KINDS.pledge, { resident: 1 }, { now: 3000 });
  const early = makeRecord(KINDS.visit, { warning: 1 }, { now: 1000 });
  const middle = makeRecord(KINDS.doorVisit, { household: 1 }, { now: 2000 });
  assert.deepEqual(ordered([late, early, middle]).map((r) => r.created_at), [1000, 2000, 3000]);
  const store = memoryStore([late, early, middle]);
  const { calls, send } = server(() => ({ status: 201, payload: {} }));
  const result = await syncQueue({ store, send });
  assert.deepEqual(calls.map((c) => c.url), ["/api/v1/warnings/1/visits/", "/api/v1/door-visits/", "/api/v1/pledges/"]);
  assert.equal(result.sent, 3);
  assert.equal(store.rows.size, 0);
});

test("200 for an already-synced client_id counts as done", async () => {
  const store = memoryStore([makeRecord(KINDS.doorVisit, { household: 1 })]);
  const result = await syncQueue({ store, send: server([{ status: 200, payload: { id: 5 } }]).send });
  assert.equal(result.sent, 1);
  assert.equal(store.rows.size, 0);
});

test("a 4xx keeps the record, marked with the server's message, and the others still go", async () => {
  const bad = makeRecord(KINDS.pledge, { resident: 9 }, { now: 1 });
  const good = makeRecord(KINDS.doorVisit, { household: 2 }, { now: 2 });
  const store = memoryStore([bad, good]);
  const { calls, send } = server([{ status: 400, payload: { resident: ["陈大文已签署承诺书。"] } }, { status: 201 }]);
  const result = await syncQueue({ store, send });
  assert.equal(result.rejected, 1);
  assert.equal(result.sent, 1);
  assert.equal(store.rows.get(bad.client_id).error, "resident: 陈大文已签署承诺书。");
  // Not sent again until the worker fixes or discards it.
  await syncQueue({ store, send });
  assert.equal(calls.length, 2);
  await store.put(retried(store.rows.get(bad.client_id)));
  const again = server([{ status: 404, payload: { detail: "未找到。" } }]);
  await syncQueue({ store, send: again.send });
  assert.equal(again.calls.length, 1);
  assert.equal(store.rows.get(bad.client_id).error, "未找到。");
});

test("5xx and network errors keep the record and retry with back-off", async () => {
  let clock = 1_000_000;
  const now = () => clock;
  const record = makeRecord(KINDS.doorVisit, { household: 1 });
  const store = memoryStore([record]);
  const down = server(["network"]);
  const result = await syncQueue({ store, send: down.send, now });
  assert.equal(result.offline, true);
  const kept = store.rows.get(record.client_id);
  assert.equal(kept.attempts, 1);
  assert.equal(kept.next_try_at, clock + backoff(1));
  assert.equal(kept.error, null);
  // Too early: not sent.
  const early = server([{ status: 201 }]);
  await syncQueue({ store, send: early.send, now });
  assert.equal(early.calls.length, 0);
  // Later a 503: kept, waits longer.
  clock += backoff(1) + 1;
  await syncQueue({ store, send: server([{ status: 503, payload: null }]).send, now });
  assert.equal(store.rows.get(record.client_id).attempts, 2);
  assert.equal(store.rows.get(record.client_id).next_try_at, clock + backoff(2));
  clock += backoff(2) + 1;
  await syncQueue({ store, send: server([{ status: 201 }]).send, now });
  assert.equal(store.rows.size, 0);
});

test("a network error stops the pass: later records are not tried in vain", async () => {
  const store = memoryStore([makeRecord(KINDS.visit, { warning: 1 }, { now: 1 }), makeRecord(KINDS.visit, { warning: 2 }, { now: 2 })]);
  const { calls, send } = server(["network", { status: 201 }]);
  await syncQueue({ store, send });
  assert.equal(calls.length, 1);
  assert.equal(store.rows.size, 2);
});

test("back-off doubles and is capped", () => {
  assert.equal(backoff(1), 5000);
  assert.equal(backoff(2), 10000);
  assert.equal(backoff(3), 20000);
  assert.equal(backoff(30), BACKOFF_MAX);
});

test("an ended session (401 or a CSRF refusal) stops the sync and keeps every record", async () => {
  const records = [makeRecord(KINDS.visit, { warning: 1 }, { now: 1 }), makeRecord(KINDS.visit, { warning: 2 }, { now: 2 })];
  for (const answer of [{ status: 401, payload: { detail: "身份认证信息未提供。" } }, { status: 403, payload: { detail: "CSRF Failed: token missing." } }]) {
    const store = memoryStore(records);
    const { calls, send } = server([answer, { status: 201 }]);
    const result = await syncQueue({ store, send });
    assert.equal(result.auth, true);
    assert.equal(calls.length, 1);
    assert.equal(store.rows.size, 2);
    assert.ok([...store.rows.values()].every((r) => r.error === null));
  }
});

test("replaying a sync creates nothing: the same client_id is sent each time", async () => {
  const record = makeRecord(KINDS.doorVisit, { household: 1 });
  const seen = new Set();
  const send = async ({ body }) => {
    const status = seen.has(body.client_id) ? 200 : 201;
    seen.add(body.client_id);
    return { status, payload: {} };
  };
  await syncQueue({ store: memoryStore([record]), send });
  await syncQueue({ store: memoryStore([record]), send });
  assert.equal(seen.size, 1);
});

test("server messages are read per field, or from detail", () => {
  assert.equal(messageOf(400, { method: ["请选择"], non_field_errors: ["整体错误"] }), "method: 请选择; 整体错误");
  assert.equal(messageOf(409, { detail: "当前状态不允许。" }), "当前状态不允许。");
  assert.equal(messageOf(400, null), "HTTP 400");
});

test("the work data is stale after 7 days without a sync", () => {
  const now = Date.UTC(2026, 5, 10);
  assert.equal(isStale(null, now), false);
  assert.equal(isStale(now - 6 * DAY, now), false);
  assert.equal(isStale(now - 7 * DAY - 1, now), true);
});

test("a photo is posted as multipart to its visit's photos, its Blob named after its client_id", () => {
  const blob = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: "image/jpeg" });
  const photo = makeRecord(KINDS.photo, { visit_client_id: "v-1", photo: blob }, { now: Date.UTC(2026, 0, 2) });
  assert.equal(photo.body.taken_at, "2026-01-02T00:00:00.000Z");
  const request = requestFor(photo);
  assert.equal(request.url, "/api/v1/door-visits/v-1/photos/");
  assert.deepEqual(request.body, { client_id: photo.client_id });
  assert.equal(request.files.photo.blob, blob);
  assert.equal(request.files.photo.name, `${photo.client_id}.jpg`);
});

test("photos and pledges are sent after their door visit, and wait while it is refused", async () => {
  const visit = makeRecord(KINDS.doorVisit, { household: 1 }, { now: 1000 });
  const photo = makeRecord(KINDS.photo, { visit_client_id: visit.client_id, photo: "blob" }, { now: 1001 });
  const pledge = makeRecord(KINDS.pledge, { resident: 2, visit_client_id: visit.client_id }, { now: 1002 });
  const order = [];
  const refused = memoryStore([pledge, photo, visit]);
  const first = server((request) => (order.push(request.url), { status: 400, payload: { notes: ["太长"] } }));
  const waiting = await syncQueue({ store: refused, send: first.send });
  assert.deepEqual(order, ["/api/v1/door-visits/"]); // the photo and the pledge never went without their visit
  assert.equal(waiting.waiting, 2);
  assert.equal(refused.rows.size, 3);

  const fixed = memoryStore([pledge, photo, { ...visit }]);
  const second = server(() => ({ status: 201, payload: {} }));
  const result = await syncQueue({ store: fixed, send: second.send });
  assert.deepEqual(
    second.calls.map((c) => c.url),
    ["/api/v1/door-visits/", `/api/v1/door-visits/${visit.client_id}/photos/`, "/api/v1/pledges/"],
  );
  assert.equal(result.sent, 3);
  assert.equal(fixed.rows.size, 0);
});

test("a photo is shrunk to a long side of 1600 px, never enlarged", () => {
  assert.deepEqual(shrunkSize(4000, 3000), { width: PHOTO_MAX_SIDE, height: 1200 });
  assert.deepEqual(shrunkSize(3000, 4000), { width: 1200, height: PHOTO_MAX_SIDE });
  assert.deepEqual(shrunkSize(800, 600), { width: 800, height: 600 });
});

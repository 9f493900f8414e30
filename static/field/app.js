// The field app: today's follow-ups and the households to visit, recorded with or without signal.
// Lists come from the work data of the last sync (IndexedDB); records wait in the queue until they are sent.
import { KINDS, PHOTOS_PER_VISIT, isStale, makeRecord, pendingCount, retried, syncQueue } from "./queue.js";
import { shrinkPhoto } from "./photos.js";
import { meta, queue, wipe } from "./store.js";
import { signaturePad } from "./signature.js";

const T = JSON.parse(document.getElementById("field-strings").textContent);
const URLS = JSON.parse(document.getElementById("field-urls").textContent);
const KEEP_DAYS = Number(document.body.dataset.keepDays) || 7;
const $ = (selector, root = document) => root.querySelector(selector);

let data = null; // the work data of the last sync
let csrfToken = "";
let syncing = null;
let pad = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key === "type" || key === "name" || key === "value") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function notice(text, link) {
  const box = $("[data-notice]");
  box.replaceChildren();
  box.hidden = !text;
  if (text) {
    box.append(text);
    if (link) box.append(" ", el("a", { href: link.href }, link.text));
  }
}

// --- drawing ----------------------------------------------------------------------------------------------

async function render() {
  const records = await queue.all();
  $("[data-sync-pending]").textContent = String(pendingCount(records));
  const lastSync = await meta.get("last_sync");
  $("[data-last-sync]").textContent = lastSync ? new Date(lastSync).toLocaleString("zh-CN") : T.never;
  $("[data-user]").textContent = data ? data.user.name : "";
  renderWarnings(records);
  renderHouseholds(records);
  renderRejected(records);
}

function renderWarnings(records) {
  const list = $("[data-warnings]");
  list.replaceChildren();
  const rows = data ? data.warnings : [];
  if (!rows.length) list.append(el("li", { class: "empty" }, T.no_due));
  const waiting = new Set(records.filter((r) => r.kind === KINDS.visit).map((r) => String(r.body.warning)));
  for (const w of rows) {
    const due = `${w.overdue ? T.overdue : T.due} ${w.due || ""}`;
    list.append(
      el(
        "li",
        { class: `card risk-${w.risk}` },
        el("div", { class: "title" }, el("strong", {}, w.name), " ", el("span", { class: "tag" }, w.risk_label)),
        el("div", {}, `${w.phone || ""} · ${w.fraud_type_label}`),
        el("div", { class: "muted" }, w.address || w.village),
        el("div", { class: w.overdue ? "due overdue" : "due" }, due),
        waiting.has(String(w.id)) ? el("div", { class: "queued" }, T.recorded) : null,
        el("button", { type: "button", class: "btn", "data-action": "record-visit", "data-warning-id": w.id }, T.record_visit),
      ),
    );
  }
}

function renderHouseholds(records) {
  const list = $("[data-households]");
  list.replaceChildren();
  const rows = data ? data.households : [];
  if (!rows.length) list.append(el("li", { class: "empty" }, T.no_households));
  const waiting = new Set(records.filter((r) => r.kind === KINDS.doorVisit).map((r) => String(r.body.household)));
  for (const h of rows) {
    const names = h.members.map((m) => (m.pledged ? `${m.name}（${T.pledged}）` : m.name)).join("、");
    list.append(
      el(
        "li",
        { class: "card" },
        el("div", { class: "title" }, el("strong", {}, h.address), " ", el("span", { class: "tag" }, h.reference)),
        el("div", { class: "muted" }, `${T.members}: ${names || "—"}`),
        waiting.has(String(h.id)) ? el("div", { class: "queued" }, T.recorded) : null,
        el(
          "button",
          { type: "button", class: "btn", "data-action": "record-door-visit", "data-household-id": h.id },
          T.record_door_visit,
        ),
      ),
    );
  }
}

function renderRejected(records) {
  const list = $("[data-rejected]");
  list.replaceChildren();
  for (const record of records.filter((r) => r.error)) {
    const kind = { visit: T.kind_visit, door_visit: T.kind_door_visit, pledge: T.kind_pledge, photo: T.kind_photo }[
      record.kind
    ];
    list.append(
      el(
        "li",
        { "data-rejected-record": record.client_id },
        el("strong", {}, `${T.rejected}: ${kind} ${record.label}`),
        el("div", {}, record.error),
        el("button", { type: "button", class: "btn light small", "data-action": "retry" }, T.retry),
        el("button", { type: "button", class: "btn light small", "data-action": "discard" }, T.discard),
      ),
    );
  }
}

function showConnection() {
  const state = $("[data-connection]");
  state.textContent = syncing ? T.syncing : navigator.onLine ? T.online : T.offline;
  state.classList.toggle("off", !navigator.onLine);
  state.dataset.state = navigator.onLine ? "online" : "offline";
}

// --- sync -------------------------------------------------------------------------------------------------

async function download() {
  const response = await fetch(URLS.data, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401 || response.redirected) {
    return "auth";
  }
  if (!response.ok) {
    return "error";
  }
  const fresh = await response.json();
  const owner = await meta.get("owner");
  if (owner && owner !== fresh.user.username) {
    await wipe(); // another worker signed in on this phone: nothing of the previous one stays
  }
  csrfToken = fresh.csrf_token;
  delete fresh.csrf_token; // the token stays in memory, never on the phone's storage
  data = fresh;
  await meta.set("owner", fresh.user.username);
  await meta.set("data", fresh);
  await meta.set("last_sync", Date.now());
  return "ok";
}

async function send({ url, body, files }) {
  const headers = { Accept: "application/json", "X-CSRFToken": csrfToken };
  let content = JSON.stringify(body);
  if (files) {
    content = new FormData(); // multipart (a photo): the browser sets the Content-Type and its boundary
    for (const [name, value] of Object.entries(body)) content.append(name, value);
    for (const [name, file] of Object.entries(files)) content.append(name, file.blob, file.name);
  } else {
    headers["Content-Type"] = "application/json";
  }
  const response = await fetch(url, { method: "POST", credentials: "same-origin", headers, body: content });
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  return { status: response.status, payload };
}

export function sync() {
  if (!syncing) {
    syncing = runSync().finally(() => {
      syncing = null;
      showConnection();
    });
    showConnection();
  }
  return syncing;
}

async function runSync() {
  let state;
  try {
    state = await download();
  } catch {
    return; // no network: the queue waits
  }
  if (state === "auth") {
    notice(T.login_again, { href: URLS.login, text: "→" });
    return;
  }
  notice("");
  if (state !== "ok") return;
  const result = await syncQueue({ store: queue, send });
  if (result.auth) {
    notice(T.login_again, { href: URLS.login, text: "→" });
  } else if (result.sent) {
    try {
      await download(); // the lists without what was just recorded
    } catch {
      /* offline again: the lists refresh at the next sync */
    }
  }
  await render();
}

// --- forms ------------------------------------------------------------------------------------------------

function openSheet(name, subject, target) {
  const form = $(`[data-form="${name}"]`);
  form.reset();
  form.dataset.target = target;
  $("[data-subject]", form).textContent = subject;
  $("[data-lists]").hidden = true;
  document.querySelectorAll("[data-form]").forEach((f) => {
    f.hidden = f !== form;
  });
  window.scrollTo(0, 0);
  return form;
}

function closeSheets() {
  document.querySelectorAll("[data-form]").forEach((f) => {
    f.hidden = true;
  });
  $("[data-lists]").hidden = false;
}

// The dissuasion scripts (劝阻话术) of the published typical cases, from the work data: small and folded.
function scriptCases(cases) {
  const nodes = [];
  for (const item of cases) {
    nodes.push(el("h3", {}, item.title), el("ol", {}, ...item.script.map((line) => el("li", {}, line))));
  }
  return nodes;
}

function fillScripts(form, fraudTypes) {
  const box = $("[data-scripts]", form);
  const summary = box.querySelector("summary");
  box.replaceChildren(summary);
  box.open = false;
  const scripts = (data && data.scripts) || {};
  const labels = Object.fromEntries(data.choices.fraud_types.map((c) => [c.code, c.label]));
  const types = fraudTypes.filter((code) => scripts[code] && scripts[code].length);
  if (types.length === 1) {
    box.append(...scriptCases(scripts[types[0]]));
  } else {
    for (const code of types) {
      box.append(
        el("details", { "data-script-type": code }, el("summary", {}, labels[code] || code), ...scriptCases(scripts[code])),
      );
    }
  }
  box.hidden = !types.length;
}

function fillDoorVisitForm(form, household) {
  fillScripts(form, data.choices.fraud_types.map((c) => c.code));
  for (const name of ["materials", "fraud_types"]) {
    const box = $(`[data-choices="${name}"]`, form);
    box.querySelectorAll("label").forEach((label) => label.remove());
    for (const choice of data.choices[name]) {
      box.append(el("label", {}, el("input", { type: "checkbox", name, value: choice.code }), ` ${choice.label}`));
    }
  }
  const select = $("[data-members]", form);
  select.replaceChildren(el("option", { value: "" }, T.nobody));
  for (const member of household.members.filter((m) => !m.pledged)) {
    select.append(el("option", { value: member.id }, member.relation ? `${member.name}（${member.relation}）` : member.name));
  }
  const wording = $("[data-pledge-text]", form);
  wording.querySelectorAll("p").forEach((p) => p.remove());
  for (const paragraph of data.pledge_text ? data.pledge_text.paragraphs : []) {
    wording.append(el("p", {}, paragraph));
  }
  pad.clear();
}

async function saveVisit(form) {
  const warning = data.warnings.find((w) => String(w.id) === form.dataset.target);
  const fields = new FormData(form);
  const record = makeRecord(
    KINDS.visit,
    {
      warning: warning.id,
      method: fields.get("method"),
      at_risk: fields.get("at_risk") === "true",
      notes: fields.get("notes") || "",
    },
    { label: warning.name },
  );
  await queue.put(record);
}

async function saveDoorVisit(form) {
  const household = data.households.find((h) => String(h.id) === form.dataset.target);
  const fields = new FormData(form);
  const resident = fields.get("resident");
  if (resident && pad.isEmpty()) {
    notice(T.sign_first);
    return false;
  }
  const now = Date.now();
  const visit = makeRecord(
    KINDS.doorVisit,
    {
      household: household.id,
      someone_home: fields.get("someone_home") === "true",
      materials: fields.getAll("materials"),
      fraud_types: fields.getAll("fraud_types"),
      app_installed: fields.get("app_installed") === "true",
      notes: fields.get("notes") || "",
    },
    { now, label: household.address },
  );
  await queue.put(visit);
  // The photos, shrunk on the phone, each its own record (a Blob in IndexedDB), sent after the visit.
  const files = fields.getAll("photos").filter((file) => file && file.size);
  let order = 1;
  for (const file of files.slice(0, PHOTOS_PER_VISIT)) {
    const photo = await shrinkPhoto(file);
    if (!photo) continue;
    order += 1;
    await queue.put(
      makeRecord(
        KINDS.photo,
        { visit_client_id: visit.client_id, photo },
        { now: now + order, label: household.address },
      ),
    );
  }
  if (resident) {
    const member = household.members.find((m) => String(m.id) === resident);
    const pledge = makeRecord(
      KINDS.pledge,
      { resident: Number(resident), signature: pad.toDataURL(), visit_client_id: visit.client_id },
      { now: now + 1, label: member ? member.name : "" }, // signed after the visit began: synced after it
    );
    await queue.put(pledge);
  }
  return true;
}

function bind() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "record-visit") {
      const warning = data.warnings.find((w) => String(w.id) === button.dataset.warningId);
      const form = openSheet("visit", `${warning.name} · ${warning.address || warning.village}`, warning.id);
      fillScripts(form, [warning.fraud_type]);
    } else if (action === "record-door-visit") {
      const household = data.households.find((h) => String(h.id) === button.dataset.householdId);
      const form = openSheet("door-visit", `${household.address} · ${household.reference}`, household.id);
      pad.resize();
      fillDoorVisitForm(form, household);
    } else if (action === "cancel") {
      closeSheets();
    } else if (action === "clear-signature") {
      pad.clear();
    } else if (action === "sync") {
      sync();
    } else if (action === "discard" || action === "retry") {
      const id = button.closest("[data-rejected-record]").dataset.rejectedRecord;
      const record = (await queue.all()).find((r) => r.client_id === id);
      if (record && action === "discard" && window.confirm(T.discard_confirm)) await queue.remove(id);
      if (record && action === "retry") await queue.put(retried(record));
      await render();
      if (action === "retry") sync();
    } else if (action === "logout") {
      await logout();
    }
  });
  for (const form of document.querySelectorAll("[data-form]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const saved = form.dataset.form === "visit" ? (await saveVisit(form), true) : await saveDoorVisit(form);
      if (!saved) return;
      closeSheets();
      notice(T.saved);
      await render();
      if (navigator.onLine) sync();
    });
  }
  window.addEventListener("online", () => {
    showConnection();
    sync();
  });
  window.addEventListener("offline", showConnection);
  setInterval(() => {
    if (navigator.onLine) sync();
  }, 30000);
}

async function logout() {
  const waiting = pendingCount(await queue.all());
  if (waiting && !window.confirm(T.logout_confirm.replace("%(count)s", waiting))) return;
  await wipe();
  data = null;
  const form = $("[data-logout-form]");
  if (navigator.onLine && csrfToken) {
    form.querySelector("input[name=csrfmiddlewaretoken]").value = csrfToken;
    form.submit();
  } else {
    window.location.href = URLS.login;
  }
}

async function start() {
  pad = signaturePad($("[data-signature]"));
  bind();
  showConnection();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(URLS.sw, { scope: "/" }).catch(() => {});
  }
  const lastSync = await meta.get("last_sync");
  if (isStale(lastSync, Date.now(), KEEP_DAYS)) {
    await meta.remove("data"); // 7 days without a sync: the work data goes (the queue stays, to be sent)
    await meta.remove("last_sync");
    notice(T.stale);
  }
  data = (await meta.get("data")) || null;
  await render();
  document.body.dataset.ready = "true";
  if (navigator.onLine) await sync();
  document.body.dataset.synced = "true";
}

start();

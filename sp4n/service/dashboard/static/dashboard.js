// The monitoring room: reads /v1/dashboard as the API key in this tab allows, and re-reads it
// whenever the server's event stream says something changed. Plain JS, no build step, no CDN.
"use strict";

const TEXT = {
  id: {
    title: "Ruang Pemantauan SP4N-LAPOR!", skip: "Langsung ke antrean", updated: "Diperbarui",
    online: "langsung", offline: "terputus", settings: "Kunci API", settings_nav: "Pengaturan",
    tiles: "Ringkasan", received_today: "Diterima hari ini", received_this_week: "Diterima minggu ini",
    due_within_1_working_day: "Jatuh tempo ≤ 1 hari kerja", breached_now: "Lewat batas waktu",
    escalated: "Dieskalasi", unverified_beyond_3_working_days: "Belum diverifikasi > 3 hari kerja",
    queue: "Antrean: lewat batas dan jatuh tempo ≤ 1 hari kerja", col_tracking: "No. pelacakan",
    col_title: "Judul", col_agency: "Instansi", col_state: "Tahap", col_clock: "Tenggat (tahap)",
    col_due: "Batas waktu", col_left: "Sisa waktu kerja", settings_title: "Kunci API dan petugas",
    settings_note: "Kunci disimpan hanya di tab ini (sessionStorage) dan dikirim di header Authorization, tidak pernah di URL.",
    f_key: "Kunci API", f_actor: "ID petugas", f_role: "Peran", f_agency: "Instansi", save: "Simpan",
    public_mode: "Mode publik", cancel: "Batal", scope_public: "Mode publik: hanya angka agregat, tanpa laporan rahasia dan tanpa identitas pelapor.",
    scope_all: "Semua instansi", scope_agency: "Instansi: {0} dan di bawahnya", queue_public: "Antrean per laporan hanya untuk petugas dengan kunci API.",
    queue_empty: "Tidak ada laporan yang lewat batas atau jatuh tempo dalam 1 hari kerja.",
    late: "terlambat {0} hari kerja", late_today: "terlambat (hari ini)", left_today: "hari ini", left: "{0} hari kerja", end_of_day: "{0}, akhir hari",
    error: "Gagal memuat: {0}", switch_to: "English", lang_name: "en",
    league: "Peringkat instansi", up: "↑ Kembali", col_received: "Diterima", col_completion: "Selesai",
    col_follow_up: "Rerata hari kerja ke tindak lanjut", col_breached: "Lewat batas", trends: "Tren mingguan",
    completed: "Selesai", unassigned: "Belum didisposisikan", all_agencies: "Semua instansi",
    drill: "Lihat instansi di bawah {0}", chart: "Laporan diterima dan selesai per minggu, {0} minggu terakhir",
  },
  en: {
    title: "SP4N-LAPOR! monitoring room", skip: "Skip to the queue", updated: "Updated",
    online: "live", offline: "disconnected", settings: "API key", settings_nav: "Settings",
    tiles: "Summary", received_today: "Received today", received_this_week: "Received this week",
    due_within_1_working_day: "Due within 1 working day", breached_now: "Past due now",
    escalated: "Escalated", unverified_beyond_3_working_days: "Unverified beyond 3 working days",
    queue: "Queue: past due and due within 1 working day", col_tracking: "Tracking no.",
    col_title: "Title", col_agency: "Agency", col_state: "State", col_clock: "Deadline (state)",
    col_due: "Due", col_left: "Working time left", settings_title: "API key and officer",
    settings_note: "The key is kept in this tab only (sessionStorage) and sent in the Authorization header, never in a URL.",
    f_key: "API key", f_actor: "Officer id", f_role: "Role", f_agency: "Agency", save: "Save",
    public_mode: "Public mode", cancel: "Cancel", scope_public: "Public mode: aggregates only, no confidential report and no reporter's identity.",
    scope_all: "Every agency", scope_agency: "Agency: {0} and below", queue_public: "The queue of single reports is for staff with an API key.",
    queue_empty: "No report is past due or due within 1 working day.",
    late: "{0} working days late", late_today: "late (today)", left_today: "today", left: "{0} working days", end_of_day: "{0}, end of day",
    error: "Could not load: {0}", switch_to: "Bahasa Indonesia", lang_name: "id",
    league: "League table of agencies", up: "↑ Back", col_received: "Received", col_completion: "Completed",
    col_follow_up: "Mean working days to follow-up", col_breached: "Past due", trends: "Weekly trends",
    completed: "Completed", unassigned: "Not yet assigned", all_agencies: "Every agency",
    drill: "Show the agencies below {0}", chart: "Reports received and completed per week, last {0} weeks",
  },
};

const state = { lang: "id", auth: null, tiles: null, refreshing: null, again: false, stream: null, path: [] };

function t(key, ...args) {
  return (TEXT[state.lang][key] || key).replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
}

function $(id) { return document.getElementById(id); }

// A key may arrive in the URL fragment (never sent to a server): kept in sessionStorage, then
// the fragment is wiped from the address bar and history.
function readFragment() {
  if (!location.hash.includes("=")) return;
  const given = new URLSearchParams(location.hash.slice(1));
  if (given.get("lang") === "en" || given.get("lang") === "id") localStorage.setItem("sp4n.lang", given.get("lang"));
  if (given.get("key")) {
    saveAuth({ key: given.get("key"), actor: given.get("actor") || "", role: given.get("role") || "national_admin", agency: given.get("agency") || "" });
  }
  history.replaceState(null, "", location.pathname + location.search);
}

function saveAuth(auth) {
  state.auth = auth && auth.key ? auth : null;
  if (state.auth) sessionStorage.setItem("sp4n.auth", JSON.stringify(state.auth));
  else sessionStorage.removeItem("sp4n.auth");
}

function loadAuth() {
  try { state.auth = JSON.parse(sessionStorage.getItem("sp4n.auth") || "null"); } catch (e) { state.auth = null; }
}

function headers() {
  const h = { Accept: "application/json" };
  if (!state.auth) return h;
  h.Authorization = "Bearer " + state.auth.key;
  h["Sp4n-Actor-Id"] = state.auth.actor;
  h["Sp4n-Actor-Role"] = state.auth.role;
  if (state.auth.agency) h["Sp4n-Actor-Agency"] = state.auth.agency;
  return h;
}

async function getJson(path) {
  const res = await fetch(path, { headers: headers(), cache: "no-store" });
  const body = await res.json();
  if (!res.ok) throw new Error(body.detail || res.status);
  return body;
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  const other = t("lang_name");
  $("lang").textContent = t("switch_to");
  $("lang").lang = other;
  renderScope();
  if (state.tiles) renderTiles(state.tiles);
  if (state.queue) renderQueue(state.queue);
  if (state.league) renderLeague(state.league);
  if (state.trends) renderTrends(state.trends);
  setLive(state.live);
}

function renderScope() {
  const tiles = state.tiles;
  if (!tiles) return;
  $("scope").textContent = tiles.public ? t("scope_public") : tiles.agency ? t("scope_agency", tiles.agency) : t("scope_all");
}

function formatInstant(iso, zone) {
  const locale = state.lang === "id" ? "id-ID" : "en-GB";
  return new Intl.DateTimeFormat(locale, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: zone || "Asia/Jakarta", timeZoneName: "short",
  }).format(new Date(iso));
}

function renderTiles(tiles) {
  for (const li of document.querySelectorAll("[data-tile]")) {
    const value = li.querySelector(".value");
    const next = String(tiles[li.dataset.tile]);
    if (value.textContent !== next && value.textContent !== "–") {
      li.classList.remove("changed");
      void li.offsetWidth;
      li.classList.add("changed");
    }
    value.textContent = next;
  }
  const now = $("now");
  now.dateTime = tiles.now;
  now.textContent = formatInstant(tiles.now);
  renderScope();
}

// A day-based deadline passes at the end of its local date: shown as that date, not as midnight.
function dueText(item) {
  if (!item.due_at) return "–";
  const locale = state.lang === "id" ? "id-ID" : "en-GB";
  const day = new Date(item.due_date + "T12:00:00Z");
  const date = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(day);
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: item.zone }).format(new Date(item.due_at));
  return time === "00:00" ? t("end_of_day", date) : formatInstant(item.due_at, item.zone);
}

function leftText(item) {
  if (item.working_days_left === null) return "–";
  if (item.breached) return item.working_days_left === 0 ? t("late_today") : t("late", -item.working_days_left);
  return item.working_days_left === 0 ? t("left_today") : t("left", item.working_days_left);
}

function renderQueue(queue) {
  const note = $("queue-note");
  const table = $("queue-table");
  if (queue.public) {
    note.textContent = t("queue_public"); note.hidden = false; table.hidden = true;
    return;
  }
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
  const rows = $("queue-rows");
  rows.replaceChildren();
  for (const item of queue.items) {
    const tr = document.createElement("tr");
    tr.tabIndex = 0;
    tr.dataset.id = item.id;
    tr.className = item.breached ? "breached" : "soon";
    const cells = [
      [item.tracking_number], [item.title], [(state.lang === "id" ? item.agency_name_id : item.agency_name_en) || "–"],
      [(state.lang === "id" ? item.clock_label_id : item.clock_label_en) || "–", state.lang === "id" ? item.state_label_id : item.state_label_en],
      [dueText(item)], [leftText(item)],
    ];
    for (const [text, sub] of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      if (sub) {
        const small = document.createElement("span");
        small.className = "sub";
        small.textContent = sub;
        td.appendChild(small);
      }
      tr.appendChild(td);
    }
    rows.appendChild(tr);
  }
  note.hidden = queue.items.length > 0;
  note.textContent = t("queue_empty");
  table.hidden = queue.items.length === 0;
  if (focused) {
    const again = rows.querySelector(`tr[data-id="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function percent(x) {
  return x === null || x === undefined ? "–" : new Intl.NumberFormat(state.lang === "id" ? "id-ID" : "en-GB", { style: "percent", maximumFractionDigits: 1 }).format(x);
}

function decimal(x) {
  return x === null || x === undefined ? "–" : new Intl.NumberFormat(state.lang === "id" ? "id-ID" : "en-GB", { maximumFractionDigits: 1 }).format(x);
}

function agencyName(row) {
  if (row.agency === null) return t("unassigned");
  return (state.lang === "id" ? row.name_id : row.name_en) || row.agency;
}

// The league table shows one agency's children at a time; a name with agencies below it drills down.
function renderLeague(league) {
  $("league-period").textContent = league.period;
  $("league-up").hidden = state.path.length === 0;
  $("league-where").textContent = league.agency || t("all_agencies");
  const body = $("league-rows");
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.agency : null;
  body.replaceChildren();
  for (const row of league.rows) {
    const tr = document.createElement("tr");
    tr.dataset.agency = row.agency || "";
    const name = document.createElement("td");
    if (row.has_children) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "drill";
      button.dataset.agency = row.agency;
      button.textContent = agencyName(row);
      button.setAttribute("aria-label", t("drill", agencyName(row)));
      button.addEventListener("click", () => { state.path.push(row.agency); refresh().then(focusLeague); });
      name.appendChild(button);
    } else {
      name.textContent = agencyName(row);
    }
    tr.appendChild(name);
    for (const text of [String(row.received), percent(row.completion_rate), decimal(row.follow_up_mean_days), percent(row.breached_share)]) {
      const td = document.createElement("td");
      td.className = "num";
      td.textContent = text;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  if (focused) {
    const again = body.querySelector(`button[data-agency="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
}

function focusLeague() {
  const first = $("league-rows").querySelector("button") || $("league-up");
  if (!first.hidden) first.focus();
}

const SVG = "http://www.w3.org/2000/svg";

function svg(name, attrs, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// Grouped bars per ISO week: received and completed, drawn as inline SVG (no chart library).
function renderTrends(trends) {
  const weeks = trends.weeks;
  const width = 600, height = 220, left = 36, bottom = 24, top = 10;
  const max = Math.max(1, ...weeks.map((w) => w.received));
  const step = (width - left) / weeks.length;
  const bar = Math.max(2, step * 0.36);
  const y = (v) => top + (height - top - bottom) * (1 - v / max);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t("chart", weeks.length) });
  chart.appendChild(svg("title", {}, t("chart", weeks.length)));
  for (const v of [0, max]) {
    chart.appendChild(svg("line", { x1: left, x2: width, y1: y(v), y2: y(v) }));
    chart.appendChild(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, String(v)));
  }
  weeks.forEach((w, i) => {
    const x = left + i * step + step * 0.12;
    const received = svg("rect", { class: "bar-received", x, y: y(w.received), width: bar, height: y(0) - y(w.received) });
    received.appendChild(svg("title", {}, `${w.week}: ${t("col_received")} ${w.received}`));
    const completed = svg("rect", { class: "bar-completed", x: x + bar, y: y(w.completed), width: bar, height: y(0) - y(w.completed) });
    completed.appendChild(svg("title", {}, `${w.week}: ${t("completed")} ${w.completed}`));
    chart.append(received, completed);
    chart.appendChild(svg("text", { x: x + bar, y: height - 6, "text-anchor": "middle" }, w.week.slice(5)));
  });
  $("trend-chart").replaceChildren(chart);
}

function showError(err) {
  const note = $("queue-note");
  note.textContent = t("error", err.message);
  note.hidden = false;
}

// One refresh at a time; a change arriving meanwhile asks for one more afterwards.
async function refresh() {
  if (state.refreshing) { state.again = true; return state.refreshing; }
  state.refreshing = (async () => {
    try {
      state.tiles = await getJson("/v1/dashboard/tiles");
      renderTiles(state.tiles);
      state.queue = state.auth ? await getJson("/v1/dashboard/queue") : { public: true, items: [] };
      renderQueue(state.queue);
      const at = state.path.length ? "?agency=" + encodeURIComponent(state.path[state.path.length - 1]) : "";
      state.league = await getJson("/v1/dashboard/league" + at);
      renderLeague(state.league);
      state.trends = await getJson("/v1/dashboard/trends");
      renderTrends(state.trends);
      document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
    } catch (err) {
      showError(err);
    }
  })();
  await state.refreshing;
  state.refreshing = null;
  if (state.again) { state.again = false; return refresh(); }
}

function setLive(on) {
  state.live = on;
  const live = $("live");
  live.dataset.live = on ? "on" : "off";
  live.textContent = t(on ? "online" : "offline");
}

// Server-sent events read with fetch, so that the key goes in a header (EventSource cannot send one).
async function listen() {
  const controller = new AbortController();
  state.stream = controller;
  let retry = 3000;
  try {
    const res = await fetch("/v1/dashboard/events", { headers: { ...headers(), Accept: "text/event-stream" }, signal: controller.signal, cache: "no-store" });
    if (!res.ok || !res.body) throw new Error(String(res.status));
    setLive(true);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let kind = "message";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) kind = line.slice(6).trim();
          else if (line.startsWith("retry:")) retry = Number(line.slice(6)) || retry;
        }
        if (kind === "change" || kind === "tick") refresh();
      }
    }
  } catch (err) {
    if (controller.signal.aborted) return;
  }
  setLive(false);
  if (state.stream === controller) setTimeout(() => { if (state.stream === controller) { listen(); refresh(); } }, retry);
}

function restart() {
  if (state.stream) state.stream.abort();
  state.stream = null;
  setLive(false);
  refresh();
  listen();
}

// The queue is a list of rows: arrow keys, Home and End move between them.
function onQueueKey(event) {
  const row = event.target.closest("tr[data-id]");
  if (!row) return;
  const rows = Array.from($("queue-rows").rows);
  const at = rows.indexOf(row);
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  rows[Math.max(0, Math.min(rows.length - 1, to))].focus();
}

function openSettings() {
  const form = $("settings-form");
  const auth = state.auth || { key: "", actor: "", role: "national_admin", agency: "" };
  for (const name of ["key", "actor", "role", "agency"]) form.elements[name].value = auth[name];
  $("settings").showModal();
}

function onSettingsClose() {
  const dialog = $("settings");
  const form = $("settings-form");
  if (dialog.returnValue === "save") {
    const auth = {};
    for (const name of ["key", "actor", "role", "agency"]) auth[name] = form.elements[name].value.trim();
    saveAuth(auth);
  } else if (dialog.returnValue === "public") {
    saveAuth(null);
  } else {
    return;
  }
  form.elements.key.value = "";
  restart();
}

function start() {
  readFragment();
  loadAuth();
  const asked = new URLSearchParams(location.search).get("lang");
  state.lang = asked === "en" || asked === "id" ? asked : localStorage.getItem("sp4n.lang") === "en" ? "en" : "id";
  applyLanguage();
  $("lang").addEventListener("click", () => {
    state.lang = state.lang === "id" ? "en" : "id";
    localStorage.setItem("sp4n.lang", state.lang);
    applyLanguage();
  });
  $("open-settings").addEventListener("click", openSettings);
  $("settings").addEventListener("close", onSettingsClose);
  $("queue-rows").addEventListener("keydown", onQueueKey);
  $("league-up").addEventListener("click", () => { state.path.pop(); refresh().then(focusLeague); });
  refresh();
  listen();
}

document.addEventListener("DOMContentLoaded", start);

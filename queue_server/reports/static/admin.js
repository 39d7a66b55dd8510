// The office head's dashboard: live view every few seconds, reports on demand, notices (devices: devices_admin.js).
// Talks only to the JSON API with the session cookie; changes carry the X-CSRF-Token header.
"use strict";

const LIVE_EVERY_MS = 5000;
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return node;
}

async function api(path, options = {}) {
  const headers = { "Accept": "application/json", ...(options.headers || {}) };
  if (options.body !== undefined) { headers["Content-Type"] = "application/json"; headers["X-CSRF-Token"] = csrf(); }
  if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf();
  const response = await fetch(path, { credentials: "same-origin", ...options, headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  if (response.status === 401) { window.location = "/admin/login"; throw new Error("signed out"); }
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error((data && data.error && data.error.message) || response.statusText);
  return data;
}

// One change on /admin: run it, draw the list again, then say what happened (``done``: a text, or a function of
// the answer), or the server's message. The message comes after the list is drawn, so it says what the list shows.
async function runChange(change, { message, reload, done = "" }) {
  let text;
  try {
    const answer = await change();
    text = typeof done === "function" ? done(answer) : done;
  } catch (error) { text = error.message; }
  try { await reload(); } catch (error) { text = error.message; }
  $(message).textContent = text;
}

const number = (n) => n === null || n === undefined ? "–" : Number(n).toLocaleString("vi-VN");
const minutes = (s) => s === null || s === undefined ? "–" : (s / 60).toLocaleString("vi-VN", { maximumFractionDigits: 1 }) + " phút";
const percent = (p) => p === null || p === undefined ? "–" : p.toLocaleString("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + "%";
// Dates as Vietnamese offices write them, and times in the office's zone, whatever the PC's zone is.
const OFFICE_TZ = () => document.querySelector('meta[name="office-timezone"]').content;
const dmy = (iso) => iso ? iso.slice(0, 10).split("-").reverse().join("/") : "…";
const officeTime = (iso) => new Date(iso).toLocaleString("vi-VN", { timeZone: OFFICE_TZ(), hour12: false,
  day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
const COUNTER_STATES = { serving: "đang phục vụ", idle: "đang rảnh", paused: "tạm dừng", closed: "đóng" };

// -- today, live ---------------------------------------------------------------------------
async function refreshLive() {
  try {
    const live = await api("/api/reports/live");
    $("live-at").textContent = "cập nhật " + (live.at || "").slice(11, 19);
    const body = $("live-services").tBodies[0];
    body.replaceChildren(...live.services.map((s) => {
      const late = live.alerts.some((a) => a.service === s.code);
      return el("tr", { class: late ? "late" : "", "data-service": s.code }, el("td", {}, `${s.code} – ${s.name}`),
        el("td", {}, number(s.waiting)), el("td", {}, number(s.serving)), el("td", {}, number(s.served)),
        el("td", {}, minutes(s.average_wait_s)), el("td", {}, minutes(s.longest_wait_s)),
        el("td", {}, s.target_wait_minutes + " phút"));
    }));
    $("alerts").replaceChildren(...(live.alerts.length
      ? live.alerts.map((a) => el("div", { class: "alert", "data-service": a.service }, "⚠ " + a.message))
      : [el("p", { class: "ok" }, "Mọi lĩnh vực đang trong thời gian chờ mục tiêu.")]));
    $("live-counters").replaceChildren(...live.counters.map((c) => el("div", { class: "counter " + c.state },
      el("b", {}, c.name), el("br"), COUNTER_STATES[c.state] || c.state,
      c.current ? ` · số ${c.current}` : "", c.clerk ? ` · ${c.clerk}` : "", c.pause_reason ? ` (${c.pause_reason})` : "")));
  } catch (error) {
    $("live-at").textContent = "mất kết nối: " + error.message;
  }
}

// -- reports ----------------------------------------------------------------------------------
function periodQuery() {
  const kind = $("period-kind").value;
  if (kind === "custom") return `from=${$("period-from").value}&to=${$("period-to").value}`;
  return `period=${kind}&date=${$("period-date").value}`;
}

function groupTable(id, rows, nameOf) {
  const table = $(id);
  table.tHead.replaceChildren(el("tr", {}, ...["", "Cấp số", "Đã phục vụ", "Vắng mặt", "Chuyển", "Chờ TB", "Chờ trung vị",
    "Chờ P90", "Phục vụ TB", "Phục vụ P90", "Đánh giá", "Hài lòng"].map((h) => el("th", {}, h))));
  table.tBodies[0].replaceChildren(...rows.map((r) => el("tr", {}, el("td", {}, nameOf(r)),
    el("td", {}, number(r.tickets.issued)), el("td", {}, number(r.tickets.served)), el("td", {}, number(r.tickets.no_show)),
    el("td", {}, number(r.tickets.transferred)), el("td", {}, minutes(r.wait_s.mean)), el("td", {}, minutes(r.wait_s.median)),
    el("td", {}, minutes(r.wait_s.p90)), el("td", {}, minutes(r.service_s.mean)), el("td", {}, minutes(r.service_s.p90)),
    el("td", {}, number(r.satisfaction.ratings)), el("td", {}, percent(r.satisfaction.satisfied_share)))));
}

async function showReport(event) {
  if (event) event.preventDefault();
  const query = periodQuery();
  $("export-csv").href = `/api/reports/summary?${query}&format=csv`;
  $("export-csv-vi").href = `/api/reports/summary?${query}&format=csv-vi`;
  $("export-xlsx").href = `/api/reports/summary?${query}&format=xlsx`;
  $("export-docx").href = `/api/reports/summary?${query}&format=docx`;
  try {
    const r = await api(`/api/reports/summary?${query}`);
    $("report-period").textContent = `Từ ${dmy(r.period.from)} đến ${dmy(r.period.to)} (${r.period.days} ngày)`;
    const s = r.satisfaction;
    const cards = [["Số phiếu cấp", number(r.tickets.issued)], ["Đã phục vụ", number(r.tickets.served)],
      ["Vắng mặt", number(r.tickets.no_show)], ["Chuyển", number(r.tickets.transferred)],
      ["Chờ trung bình", minutes(r.wait_s.mean)], ["Chờ trung vị", minutes(r.wait_s.median)], ["90% chờ dưới", minutes(r.wait_s.p90)],
      ["Phục vụ trung bình", minutes(r.service_s.mean)], ["Lượt đánh giá", number(s.ratings)], ["Tỷ lệ hài lòng", percent(s.satisfied_share)]];
    if (r.dossiers) {  // from the provincial system's export, when the office imported one
      cards.push(["Hồ sơ tiếp nhận", number(r.dossiers.received)], ["Hồ sơ trực tuyến", number(r.dossiers.online)],
        ["Đúng hạn", number(r.dossiers.on_time)], ["Quá hạn", number(r.dossiers.late)]);
    }
    $("cards").replaceChildren(...cards.map(([label, value]) => el("div", { class: "card" }, el("b", {}, value), el("span", {}, label))));
    for (const name of ["tickets", "wait", "satisfaction", "heatmap", "service"]) $("chart-" + name).src = `/api/reports/charts/${name}.png?${query}`;
    groupTable("by-service", r.by_service, (x) => `${x.code} – ${x.name}`);
    groupTable("by-counter", r.by_counter, (x) => x.name);
    groupTable("by-clerk", r.by_clerk, (x) => x.name || x.clerk);
    const blocks = [...s.criteria, ...s.questions].map((c) => el("p", {}, el("b", {}, `${c.label} (${c.answered} trả lời): `),
      c.answers.map((a) => `${a.label} ${percent(a.share)}`).join(" · ")));
    blocks.push(el("p", {}, el("b", {}, `Lý do chưa hài lòng (${s.reasons.low_ratings} phiếu): `),
      s.reasons.items.map((x) => `${x.label} ${number(x.count)}`).join(" · ")));
    $("criteria").replaceChildren(...blocks);
    $("survey-text").replaceChildren(...(s.paragraphs || []).map((text) => el("p", {}, text)));
  } catch (error) {
    clearReport();  // old figures under a new period's heading would be read as the new period's
    $("report-period").textContent = "Không tải được báo cáo: " + error.message;
  }
}

function clearReport() {
  for (const id of ["cards", "criteria", "survey-text"]) $(id).replaceChildren();
  for (const id of ["by-service", "by-counter", "by-clerk"]) {
    $(id).tHead.replaceChildren();
    $(id).tBodies[0].replaceChildren();
  }
  for (const name of ["tickets", "wait", "satisfaction", "heatmap", "service"]) $("chart-" + name).removeAttribute("src");
}

// -- notices ------------------------------------------------------------------------------------
async function loadNotices() {
  const { notices } = await api("/api/notices?all=1");
  $("notice-list").replaceChildren(...notices.map((n) => {
    const toggle = el("button", { type: "button" }, n.active ? "Ẩn" : "Hiện");
    toggle.addEventListener("click", () => changeNotice(n.id, { method: "PATCH", body: { active: !n.active } }));
    const edit = el("button", { type: "button" }, "Sửa");
    edit.addEventListener("click", () => {
      const text = window.prompt("Nội dung thông báo", n.text);
      if (text) changeNotice(n.id, { method: "PATCH", body: { text } });
    });
    const remove = el("button", { type: "button" }, "Xóa");
    remove.addEventListener("click", () => changeNotice(n.id, { method: "DELETE" }));
    const dates = n.starts_on || n.ends_on ? ` (${dmy(n.starts_on)} → ${dmy(n.ends_on)})` : "";
    return el("li", { class: n.active ? "" : "off", "data-id": n.id }, n.text + dates, toggle, edit, remove);
  }));
}

function changeNotice(id, options) {
  return runChange(() => api(`/api/notices/${id}`, options), { message: "notice-message", reload: loadNotices });
}

async function addNotice(event) {
  event.preventDefault();
  const button = $("notice-add");
  if (button.disabled) return;  // a double click adds one notice, not two
  button.disabled = true;
  try {
    await api("/api/notices", { method: "POST", body: { text: $("notice-text").value,
      starts_on: $("notice-from").value || null, ends_on: $("notice-to").value || null } });
    $("notice-text").value = ""; $("notice-message").textContent = "";
  } catch (error) { $("notice-message").textContent = error.message; }
  finally { button.disabled = false; }
  loadNotices();
}

// The survey paragraphs onto the clipboard for the quarterly report. The office PC reaches the server
// over plain http on the LAN, where navigator.clipboard is missing: select the text and copy it then.
async function copySurvey() {
  const text = [...$("survey-text").querySelectorAll("p")].map((p) => p.textContent).join("\n\n");
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("survey-text"));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
  }
  $("copy-done").textContent = "Đã sao chép.";
}

document.addEventListener("DOMContentLoaded", () => {
  $("period-kind").addEventListener("change", () =>
    $("period-form").classList.toggle("is-custom", $("period-kind").value === "custom"));
  $("period-date").closest("label").classList.add("anchor");
  $("period-form").addEventListener("submit", showReport);
  $("notice-form").addEventListener("submit", addNotice);
  $("copy-survey").addEventListener("click", copySurvey);
  refreshLive();
  setInterval(refreshLive, LIVE_EVERY_MS);
  showReport();
  loadNotices().catch(() => {});
});

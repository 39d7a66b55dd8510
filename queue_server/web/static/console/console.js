// The clerk's console: live queue through /api/events, actions through the JSON API.
// Plain ES modules, no build step. The session cookie authenticates; every change
// sends the page's CSRF token in X-CSRF-Token.
import { SignedOut, apiClient, debounced, errorText, followFeed } from "./api.js";
import { createView, currentTicket, enabled, isClosedToday, isPaused } from "./view.js";
import { watchTicketDetails } from "./details.js";

const boot = JSON.parse(document.getElementById("console-data").textContent);
const $ = (id) => document.getElementById(id);
const STORAGE_KEY = "motcua.console.counter";
// Physical keys (KeyboardEvent.code), so shortcuts work whatever the keyboard layout or IME.
const SHORTCUTS = {
  Space: "next", Enter: "next", NumpadEnter: "next",
  KeyR: "recall", KeyS: "start", KeyV: "noshow", KeyT: "transfer", KeyP: "pause", KeyD: "done",
};

const state = {
  counter: null,         // the chosen counter's number
  counters: new Map(),   // number -> counter (API shape)
  services: new Map(),   // code -> service (API shape)
  queue: emptyQueue(),   // the counter's read: current (clerk's view), waiting, no-shows, served today
  timezone: "Asia/Ho_Chi_Minh",
  busy: false,           // an action is on its way: keys and buttons wait
  connected: false,
};

function emptyQueue() {
  return { current: null, waiting: [], waiting_total: 0, no_shows: [], served: [], served_total: 0, readAt: 0 };
}

const api = apiClient(boot.csrf, "/console/login");
const view = createView(boot, state, { onCallBack: callBack, onCallNumber: (ticket) => callNumber(ticket.number) });

// -- reading the queue -------------------------------------------------------------------

async function refreshCounters() {
  const answer = await api("GET", "/api/counters");
  if (!answer.ok) return;
  for (const counter of answer.json.counters) state.counters.set(counter.number, counter);
  view.render();
}

async function refreshServices() {
  const answer = await api("GET", "/api/services");
  if (!answer.ok) return;
  for (const service of answer.json.services) state.services.set(service.code, service);
  view.renderFields();
}

async function refreshQueue() {
  if (state.counter === null) return;
  const counter = state.counter;
  const answer = await api("GET", `/console/api/counters/${counter}/queue`);
  if (answer.ok && counter === state.counter) {
    state.queue = { ...answer.json, readAt: Date.now() };
    view.renderQueue();
  }
}

function refreshAll() {
  return Promise.all([refreshCounters(), refreshServices(), refreshQueue()]).catch(() => {});
}

const soonQueue = debounced(refreshQueue, 150);
const soonServices = debounced(refreshServices, 800); // estimates only: counts come with each event

function setConnected(connected) {
  state.connected = connected;
  view.renderConnection(connected);
}

function onSnapshot(snapshot) {
  if (snapshot.office && snapshot.office.timezone) state.timezone = snapshot.office.timezone;
  state.counters.clear();
  for (const counter of snapshot.counters) state.counters.set(counter.number, counter);
  for (const service of snapshot.services) state.services.set(service.code, service);
  view.render();
  soonQueue();
}

function onEvent(type, data) {
  if (data.counter && typeof data.counter === "object") state.counters.set(data.counter.number, data.counter);
  for (const [code, waiting] of Object.entries(data.waiting || {})) {
    const service = state.services.get(code);
    if (service) service.waiting = waiting;
  }
  if (type === "day.started") {
    refreshAll();
    return;
  }
  if (data.ticket && data.ticket.status !== "waiting") forgetWaiting(data.ticket.id);
  view.render();
  if (type.startsWith("ticket.")) {
    soonQueue();
    soonServices();
  }
}

function forgetWaiting(ticketId) {
  // A called ticket leaves the list at once; the refresh that follows brings the full truth.
  const before = state.queue.waiting.length;
  state.queue.waiting = state.queue.waiting.filter((t) => t.id !== ticketId);
  if (state.queue.waiting.length !== before) {
    state.queue.waiting_total -= 1;
    view.renderQueue();
  }
}

// -- acting --------------------------------------------------------------------------------

async function act(path, body, success) {
  if (state.busy || state.counter === null) return;
  state.busy = true;
  view.renderButtons();
  try {
    const answer = await api("POST", `/api/counters/${state.counter}/${path}`, body);
    if (answer.status === 204) {
      view.showMessage("Không còn ai đang chờ.", "info");
    } else if (!answer.ok) {
      view.showMessage(errorText(answer), "error");
    } else if (success) {
      view.showMessage(success(answer.json), "ok");
    }
    if (!state.connected) await refreshAll();
  } catch (error) {
    if (!(error instanceof SignedOut)) view.showMessage("Không gửi được lệnh: mất kết nối với máy chủ.", "error");
  } finally {
    state.busy = false;
    view.renderButtons();
  }
}

const numberIn = (json) => (json && json.ticket ? json.ticket.number : "");
// A second "call next" this soon after the first is a double press (a habit with mice):
// acting on it would complete the citizen just called before they reach the counter.
const DOUBLE_PRESS_MS = 700;
let lastAction = { name: null, at: 0 };

function trigger(action) {
  const previous = lastAction;
  lastAction = { name: action, at: Date.now() };
  if (action === "next" && previous.name === "next" && lastAction.at - previous.at < DOUBLE_PRESS_MS) return;
  if (!enabled(state, action)) {
    if (!state.busy && isClosedToday(state)) view.showMessage("Quầy đã đóng hôm nay: xin báo quản trị mở lại.", "error");
    else if (!state.busy && state.counter !== null) view.showMessage("Quầy chưa có số nào đang được gọi.", "info");
    return;
  }
  switch (action) {
    case "next": return act("call-next", {}, (json) => `Đã gọi số ${numberIn(json)}.`);
    case "recall": return act("recall", {}, (json) => `Đã gọi lại số ${numberIn(json)}.`);
    case "start": return act("start", {}, (json) => `Bắt đầu phục vụ số ${numberIn(json)}.`);
    case "noshow": return act("no-show", {}, (json) => `Số ${numberIn(json)} vắng mặt.`);
    case "done": return act("complete", {}, (json) => `Đã hoàn thành số ${numberIn(json)}.`);
    case "transfer": return openTransfer();
    case "pause":
      if (isPaused(state)) return act("resume", {}, () => "Quầy đã tiếp tục làm việc.");
      if (currentTicket(state)) return refusePause(currentTicket(state));
      return openPause();
  }
}

// A citizen already called would walk to a paused counter (the board says "Tạm ngưng"): finish first.
function refusePause(ticket) {
  view.showMessage(`Số ${ticket.number} chưa xong: bấm Hoàn thành, Vắng mặt hoặc Chuyển trước khi tạm dừng.`, "error");
}

/** "Call this number": a waiting ticket out of order, by the number on its chip or typed from the paper. */
function callNumber(number) {
  const wanted = String(number || "").trim().toUpperCase();
  if (!wanted) return;
  return act("call", { ticket: wanted }, (json) => `Đã gọi số ${numberIn(json)}.`);
}

function onCallNumberForm(event) {
  event.preventDefault();
  const field = $("call-number");
  const number = field.value;
  field.value = "";
  field.blur();
  callNumber(number);
}

function callBack(ticket) {
  return act("call", { ticket: ticket.id }, (json) => `Đã gọi lại số ${numberIn(json)}.`);
}

function pause(reason) {
  return act("pause", { reason }, () => `Quầy tạm dừng: ${reason}.`);
}

// -- dialogs -------------------------------------------------------------------------------

function choiceButton(label, key, onChoose) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn choice";
  const text = document.createElement("span");
  text.textContent = label;
  if (key) {
    const kbd = document.createElement("kbd");
    kbd.textContent = key;
    button.append(kbd, " ");
    button.dataset.key = key;
  }
  button.append(text);
  button.addEventListener("click", onChoose);
  return button;
}

function openTransfer() {
  const ticket = currentTicket(state);
  if (!ticket) return;
  const dialog = $("transfer-dialog");
  $("transfer-number").textContent = ticket.number;
  $("transfer-note").value = "";
  const choose = (body) => () => {
    const note = $("transfer-note").value.trim().normalize("NFC");
    dialog.close();
    act("transfer", note ? { ...body, note } : body, (json) => `Đã chuyển số ${numberIn(json)}.`);
  };
  let key = 0;
  const services = boot.services.filter((s) => s.code !== ticket.service).map((service) => {
    key += 1;
    return choiceButton(service.name, key <= 9 ? String(key) : "", choose({ service: service.code }));
  });
  // Today's fields and closures, as the live feed last told them (the admin may change them during the day).
  const live = (counter) => state.counters.get(counter.number) || counter;
  const counters = boot.all_counters.filter((c) => c.number !== state.counter && !live(c).closed_today).map((counter) => {
    key += 1;
    const label = `${counter.name} – ${live(counter).services.map(view.serviceName).join(", ")}`;
    return choiceButton(label, key <= 9 ? String(key) : "", choose({ counter: counter.number }));
  });
  $("transfer-services").replaceChildren(...services);
  $("transfer-counters").replaceChildren(...counters);
  dialog.showModal();
}

function openPause() {
  const dialog = $("pause-dialog");
  const presets = boot.pause_presets.map((reason, index) => choiceButton(reason, String(index + 1), () => {
    dialog.close();
    pause(reason);
  }));
  $("pause-presets").replaceChildren(...presets);
  $("pause-reason").value = "";
  dialog.returnValue = "";
  dialog.showModal();
}

function onPauseClosed() {
  const reason = $("pause-reason").value.trim();
  if ($("pause-dialog").returnValue === "ok" && reason) pause(reason.normalize("NFC"));
}

function onDialogKey(event) {
  // Digits pick the numbered choice in an open dialog (not while typing a reason).
  if (event.target.closest("input") || !/^(Digit|Numpad)[1-9]$/.test(event.code)) return;
  const button = event.currentTarget.querySelector(`button.choice[data-key="${event.code.slice(-1)}"]`);
  if (button) {
    event.preventDefault();
    button.click();
  }
}

// -- keyboard ------------------------------------------------------------------------------

function onKey(event) {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
  if (document.querySelector("dialog[open]")) return;
  const target = event.target;
  if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
  const action = SHORTCUTS[event.code];
  if (!action) return;
  // A button or link reached with Tab keeps its own Enter and Space.
  if (action === "next" && target.closest && target.closest("button, a")) return;
  event.preventDefault();
  trigger(action);
}

// -- choosing the counter ------------------------------------------------------------------

function chooseCounter(number) {
  state.counter = number;
  try { window.localStorage.setItem(STORAGE_KEY, String(number)); } catch (e) { /* storage off */ }
  state.queue = emptyQueue();
  view.render();
  view.renderQueue();
  refreshQueue().catch(() => {});
}

function initialCounter() {
  const allowed = boot.counters.map((c) => c.number);
  const fromUrl = Number(new URLSearchParams(window.location.search).get("quay"));
  let stored = null;
  try { stored = Number(window.localStorage.getItem(STORAGE_KEY)); } catch (e) { /* storage off */ }
  for (const candidate of [fromUrl, stored]) if (allowed.includes(candidate)) return candidate;
  return allowed.length ? allowed[0] : null;
}

function start() {
  const select = $("counter-select");
  for (const counter of boot.counters) {
    const option = document.createElement("option");
    option.value = counter.number;
    option.textContent = `${counter.name} – ${counter.services.map(view.serviceName).join(", ")}`;
    select.append(option);
  }
  select.disabled = boot.counters.length < 2;
  select.addEventListener("change", () => { chooseCounter(Number(select.value)); select.blur(); });
  state.counter = initialCounter();
  if (state.counter === null) {
    view.showMessage("Tài khoản chưa được phân công quầy nào: xin báo quản trị viên.", "error");
  } else {
    select.value = String(state.counter);
  }
  for (const button of document.querySelectorAll("#actions button[data-action]")) {
    button.addEventListener("click", () => { button.blur(); trigger(button.dataset.action); });
  }
  document.addEventListener("keydown", onKey);
  for (const id of ["transfer-dialog", "pause-dialog"]) $(id).addEventListener("keydown", onDialogKey);
  $("pause-dialog").addEventListener("close", onPauseClosed);
  $("call-number-form").addEventListener("submit", onCallNumberForm);
  // Enter in the note must not close the dialog without a choice: the clerk picks where it goes.
  $("transfer-note").addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
  for (const button of document.querySelectorAll(".dialog-cancel")) {
    button.addEventListener("click", () => button.closest("dialog").close("cancel"));
  }
  view.render();
  view.renderQueue();
  refreshAll();
  followFeed({ onSnapshot, onEvent, onConnection: setConnected });
  watchTicketDetails(api, () => state.counter);
  view.renderClock();
  setInterval(view.renderClock, 15000);
  // Without the live feed the console still works: poll until it is back.
  setInterval(() => { if (!state.connected) refreshAll(); }, 10000);
}

start();

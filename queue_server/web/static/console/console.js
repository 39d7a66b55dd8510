// The clerk's console: live queue through /api/events, actions through the JSON API.
// Plain JS, no build step. The session cookie authenticates; every change sends
// the page's CSRF token in X-CSRF-Token.
(() => {
  "use strict";

  const boot = JSON.parse(document.getElementById("console-data").textContent);
  const $ = (id) => document.getElementById(id);
  const STORAGE_KEY = "motcua.console.counter";
  const LIVE_EVENTS = [
    "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.no_show",
    "ticket.completed", "ticket.transferred", "counter.paused", "counter.resumed", "counter.closed",
    "counter.opened", "day.started",
  ];
  // Physical keys (KeyboardEvent.code), so shortcuts work whatever the keyboard layout or IME.
  const SHORTCUTS = {
    Space: "next", Enter: "next", NumpadEnter: "next",
    KeyR: "recall", KeyS: "start", KeyV: "noshow", KeyT: "transfer", KeyP: "pause", KeyD: "done",
  };
  const ERRORS = {
    no_current_ticket: "Quầy chưa có số nào đang được gọi.",
    counter_busy: "Số hiện tại chưa xong: bấm Hoàn thành, Vắng mặt hoặc Chuyển trước.",
    ticket_not_callable: "Không gọi lại được số này (đã quá thời gian chờ hoặc thuộc quầy khác).",
    counter_not_paused: "Quầy đang không tạm dừng.",
    not_your_counter: "Bạn không được phân công ở quầy này.",
    csrf_failed: "Trang đã cũ: xin tải lại trang (F5).",
    unknown_ticket: "Số này không còn trong hàng đợi hôm nay.",
    unknown_service: "Không có lĩnh vực này.",
    unknown_counter: "Không có quầy này.",
    try_again: "Máy chủ đang bận, xin thử lại.",
  };
  const STATUS_TEXT = { called: "Đã gọi", serving: "Đang phục vụ" };

  const state = {
    counter: null,
    counters: new Map(),   // number -> counter view (API shape)
    services: new Map(),   // code -> service view (API shape)
    queue: { waiting: [], waiting_total: 0, no_shows: [] },
    timezone: "Asia/Ho_Chi_Minh",
    busy: false,
    connected: false,
  };

  // -- talking to the server ---------------------------------------------------------------

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = boot.csrf;
      options.body = JSON.stringify(body || {});
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      window.location.assign("/console/login");
      throw new Error("signed out");
    }
    const json = response.status === 204 ? null : await response.json().catch(() => null);
    return { status: response.status, ok: response.ok, json };
  }

  function errorText(answer) {
    const error = (answer.json && answer.json.error) || {};
    if (ERRORS[error.code]) return ERRORS[error.code];
    if (answer.status === 429) return "Thao tác quá nhanh, xin đợi một chút.";
    return "Không thực hiện được: " + (error.message || "lỗi " + answer.status);
  }

  async function refreshCounters() {
    const answer = await api("GET", "/api/counters");
    if (answer.ok) {
      for (const counter of answer.json.counters) state.counters.set(counter.number, counter);
      render();
    }
  }

  async function refreshServices() {
    const answer = await api("GET", "/api/services");
    if (answer.ok) {
      for (const service of answer.json.services) state.services.set(service.code, service);
      renderFields();
    }
  }

  async function refreshQueue() {
    if (state.counter === null) return;
    const counter = state.counter;
    const answer = await api("GET", `/console/api/counters/${counter}/queue`);
    if (answer.ok && counter === state.counter) {
      state.queue = answer.json;
      renderQueue();
    }
  }

  function refreshAll() {
    return Promise.all([refreshCounters(), refreshServices(), refreshQueue()]).catch(() => {});
  }

  function debounced(fn, ms) {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(() => fn().catch(() => {}), ms);
    };
  }
  const soonQueue = debounced(refreshQueue, 150);
  const soonServices = debounced(refreshServices, 800); // estimates only; counts come with each event

  // -- the live feed ----------------------------------------------------------------------

  let source = null;
  let offlineTimer = null;

  function connect() {
    if (source) source.close();
    source = new EventSource("/api/events");
    source.onopen = () => setConnected(true);
    source.onerror = () => {
      setConnected(false);
      // The browser retries by itself unless the answer was not an event stream.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
    source.addEventListener("snapshot", (e) => onSnapshot(JSON.parse(e.data)));
    for (const type of LIVE_EVENTS) source.addEventListener(type, (e) => onEvent(type, JSON.parse(e.data)));
  }

  function setConnected(connected) {
    state.connected = connected;
    clearTimeout(offlineTimer);
    if (connected) {
      $("connection").hidden = true;
      document.body.classList.remove("offline");
    } else {
      // A discreet mark, and only when the break lasts: reconnecting takes a moment.
      offlineTimer = setTimeout(() => {
        $("connection").hidden = false;
        document.body.classList.add("offline");
      }, 1200);
    }
  }

  function onSnapshot(snapshot) {
    setConnected(true);
    if (snapshot.office && snapshot.office.timezone) state.timezone = snapshot.office.timezone;
    state.counters.clear();
    for (const counter of snapshot.counters) state.counters.set(counter.number, counter);
    for (const service of snapshot.services) state.services.set(service.code, service);
    render();
    soonQueue();
  }

  function onEvent(type, data) {
    setConnected(true);
    if (data.counter && typeof data.counter === "object") state.counters.set(data.counter.number, data.counter);
    if (data.waiting) {
      for (const [code, waiting] of Object.entries(data.waiting)) {
        const service = state.services.get(code);
        if (service) service.waiting = waiting;
      }
    }
    if (type === "day.started") {
      refreshAll();
      return;
    }
    if (data.ticket && data.ticket.status !== "waiting") forgetWaiting(data.ticket.id);
    render();
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
      renderQueue();
    }
  }

  // -- actions ----------------------------------------------------------------------------

  function current() {
    const counter = state.counters.get(state.counter);
    return counter ? counter.current : null;
  }

  function isPaused() {
    const counter = state.counters.get(state.counter);
    return Boolean(counter && counter.state === "paused");
  }

  function enabled(action) {
    if (state.counter === null || state.busy) return false;
    const ticket = current();
    switch (action) {
      case "next": case "pause": return true;
      case "start": return Boolean(ticket && ticket.status === "called");
      default: return Boolean(ticket);
    }
  }

  async function act(path, body, success) {
    if (state.busy || state.counter === null) return;
    state.busy = true;
    renderButtons();
    try {
      const answer = await api("POST", `/api/counters/${state.counter}/${path}`, body);
      if (answer.status === 204) {
        showMessage("Không còn ai đang chờ.", "info");
      } else if (!answer.ok) {
        showMessage(errorText(answer), "error");
      } else if (success) {
        showMessage(success(answer.json), "ok");
      }
      if (!state.connected) await refreshAll();
    } catch (error) {
      if (error.message !== "signed out") showMessage("Không gửi được lệnh: mất kết nối với máy chủ.", "error");
    } finally {
      state.busy = false;
      renderButtons();
    }
  }

  const ticketNumber = (json) => (json && json.ticket ? json.ticket.number : "");

  function trigger(action) {
    if (!enabled(action)) {
      if (!state.busy && state.counter !== null) showMessage("Quầy chưa có số nào đang được gọi.", "info");
      return;
    }
    switch (action) {
      case "next": return act("call-next", {}, (json) => `Đã gọi số ${ticketNumber(json)}.`);
      case "recall": return act("recall", {}, (json) => `Đã gọi lại số ${ticketNumber(json)}.`);
      case "start": return act("start", {}, (json) => `Bắt đầu phục vụ số ${ticketNumber(json)}.`);
      case "noshow": return act("no-show", {}, (json) => `Số ${ticketNumber(json)} vắng mặt.`);
      case "done": return act("complete", {}, (json) => `Đã hoàn thành số ${ticketNumber(json)}.`);
      case "transfer": return openTransfer();
      case "pause":
        if (isPaused()) return act("resume", {}, () => "Quầy đã tiếp tục làm việc.");
        return openPause();
    }
  }

  function callBack(ticket) {
    return act("call", { ticket: ticket.id }, (json) => `Đã gọi lại số ${ticketNumber(json)}.`);
  }

  // -- dialogs ----------------------------------------------------------------------------

  function choiceButton(label, key, onChoose) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn choice";
    button.innerHTML = `<kbd></kbd> <span></span>`;
    button.querySelector("kbd").textContent = key;
    button.querySelector("span").textContent = label;
    button.dataset.key = key;
    button.addEventListener("click", onChoose);
    return button;
  }

  function openTransfer() {
    const ticket = current();
    if (!ticket) return;
    const dialog = $("transfer-dialog");
    $("transfer-number").textContent = ticket.number;
    const services = $("transfer-services");
    const counters = $("transfer-counters");
    services.replaceChildren();
    counters.replaceChildren();
    let key = 0;
    const choose = (body) => () => {
      dialog.close();
      act("transfer", body, (json) => `Đã chuyển số ${ticketNumber(json)}.`);
    };
    for (const service of boot.services) {
      if (service.code === ticket.service) continue;
      key += 1;
      services.append(choiceButton(service.name, String(key), choose({ service: service.code })));
    }
    for (const counter of boot.all_counters) {
      if (counter.number === state.counter) continue;
      key += 1;
      const fields = counter.services.map((code) => serviceName(code)).join(", ");
      const label = `${counter.name} – ${fields}`;
      counters.append(choiceButton(label, key <= 9 ? String(key) : "", choose({ counter: counter.number })));
    }
    dialog.showModal();
  }

  function openPause() {
    const dialog = $("pause-dialog");
    const presets = $("pause-presets");
    presets.replaceChildren();
    boot.pause_presets.forEach((reason, index) => {
      presets.append(choiceButton(reason, String(index + 1), () => {
        dialog.close();
        pause(reason);
      }));
    });
    $("pause-reason").value = "";
    dialog.returnValue = "";
    dialog.showModal();
  }

  function pause(reason) {
    return act("pause", { reason }, () => `Quầy tạm dừng: ${reason}.`);
  }

  function onPauseClosed() {
    const dialog = $("pause-dialog");
    const reason = $("pause-reason").value.trim();
    if (dialog.returnValue === "ok" && reason) pause(reason.normalize("NFC"));
  }

  function onDialogKey(event) {
    // Digits pick the numbered choice in an open dialog (not while typing a reason).
    if (event.target.closest("input") || !/^Digit[1-9]$|^Numpad[1-9]$/.test(event.code)) return;
    const key = event.code.slice(-1);
    const button = event.currentTarget.querySelector(`button.choice[data-key="${key}"]`);
    if (button) {
      event.preventDefault();
      button.click();
    }
  }

  // -- keyboard ---------------------------------------------------------------------------

  function onKey(event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    if (document.querySelector("dialog[open]")) return;
    const target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
    const action = SHORTCUTS[event.code];
    if (!action) return;
    // A button reached with Tab keeps its own Enter/Space.
    if ((action === "next") && target.closest && target.closest("button, a")) return;
    event.preventDefault();
    trigger(action);
  }

  // -- drawing ----------------------------------------------------------------------------

  function serviceName(code) {
    const service = boot.services.find((s) => s.code === code);
    return service ? service.name : code;
  }

  const timeOf = (iso) => (iso ? iso.slice(11, 16) : "");

  function marksOf(ticket) {
    const marks = [];
    if (ticket.priority) marks.push(["priority", "Ưu tiên: " + (boot.priority_labels[ticket.priority] || ticket.priority)]);
    if (ticket.transfers > 0 || ticket.target_counter) marks.push(["transfer", "Được chuyển đến"]);
    return marks;
  }

  function markElements(ticket, short) {
    return marksOf(ticket).map(([kind, text]) => {
      const mark = document.createElement("span");
      mark.className = "mark mark-" + kind;
      mark.textContent = short ? (kind === "priority" ? "Ưu tiên" : "Chuyển") : text;
      mark.title = text;
      return mark;
    });
  }

  function render() {
    renderCurrent();
    renderFields();
    renderButtons();
  }

  function renderCurrent() {
    const counter = state.counters.get(state.counter);
    const config = boot.counters.find((c) => c.number === state.counter);
    $("counter-name").textContent = config ? config.name.toLowerCase() : "quầy";
    const stateLine = $("counter-state");
    stateLine.className = "counter-state";
    if (!counter) {
      stateLine.textContent = "";
    } else if (counter.state === "paused") {
      stateLine.textContent = "Đang tạm dừng: " + (counter.pause_reason || "");
      stateLine.classList.add("paused");
    } else if (counter.state === "closed") {
      stateLine.textContent = "Quầy chưa mở – bấm Gọi tiếp để bắt đầu.";
    } else if (!counter.current) {
      stateLine.textContent = "Quầy đang trống.";
    } else {
      stateLine.textContent = "";
    }
    const ticket = counter ? counter.current : null;
    $("ticket-box").classList.toggle("empty", !ticket);
    $("ticket-box").classList.toggle("priority", Boolean(ticket && ticket.priority));
    $("ticket-number").textContent = ticket ? ticket.number : "—";
    $("ticket-service").textContent = ticket ? ticket.service_name || serviceName(ticket.service) : "Chưa có số nào";
    let status = "";
    if (ticket) {
      status = `${STATUS_TEXT[ticket.status] || ticket.status} · gọi lúc ${timeOf(ticket.called_at)}`;
      if (ticket.recalls > 0) status += ` · đã gọi lại ${ticket.recalls} lần`;
    }
    $("ticket-status").textContent = status;
    $("ticket-marks").replaceChildren(...(ticket ? markElements(ticket, false) : []));
  }

  function renderFields() {
    const config = boot.counters.find((c) => c.number === state.counter);
    const rows = (config ? config.services : []).map((code) => {
      const service = state.services.get(code) || { name: serviceName(code), waiting: 0, estimated_wait_s: 0 };
      const row = document.createElement("tr");
      row.dataset.service = code;
      const minutes = Math.ceil((service.estimated_wait_s || 0) / 60);
      for (const [text, cls] of [
        [service.name || serviceName(code), "name"],
        [String(service.waiting ?? 0), "num waiting"],
        [!service.waiting ? "—" : minutes < 1 ? "dưới 1 phút" : `~${minutes} phút`, "num"],
      ]) {
        const cell = document.createElement("td");
        cell.className = cls;
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    $("fields").replaceChildren(...rows);
  }

  function renderQueue() {
    const items = state.queue.waiting.map((ticket) => {
      const item = document.createElement("li");
      item.className = ticket.priority ? "priority" : "";
      const number = document.createElement("strong");
      number.textContent = ticket.number;
      const time = document.createElement("span");
      time.className = "muted";
      time.textContent = timeOf(ticket.issued_at);
      item.append(number, ...markElements(ticket, true), time);
      return item;
    });
    $("queue").replaceChildren(...items);
    const more = state.queue.waiting_total - state.queue.waiting.length;
    $("queue-more").textContent = more > 0 ? `… và ${more} số nữa` : (items.length ? "" : "Không có ai đang chờ.");
    renderNoShows();
  }

  function renderNoShows() {
    const now = Date.now();
    const live = state.queue.no_shows.filter((t) => !t.callable_until || Date.parse(t.callable_until) > now);
    const items = live.map((ticket) => {
      const item = document.createElement("li");
      const number = document.createElement("strong");
      number.textContent = ticket.number;
      const when = document.createElement("span");
      when.className = "muted";
      when.textContent = `vắng lúc ${timeOf(ticket.finished_at)}`;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small";
      button.textContent = "Gọi lại";
      button.dataset.ticket = ticket.id;
      button.disabled = state.busy;
      button.addEventListener("click", () => { button.blur(); callBack(ticket); });
      item.append(number, ...markElements(ticket, true), when, button);
      return item;
    });
    $("no-shows").replaceChildren(...items);
    $("no-shows-empty").hidden = items.length > 0;
  }

  function renderButtons() {
    for (const button of document.querySelectorAll("#actions button[data-action]")) {
      button.disabled = !enabled(button.dataset.action);
    }
    const pauseButton = $("btn-pause");
    pauseButton.firstChild.textContent = isPaused() ? "Tiếp tục " : "Tạm dừng ";
    pauseButton.classList.toggle("btn-resume", isPaused());
    for (const button of document.querySelectorAll("#no-shows button")) button.disabled = state.busy;
    document.body.classList.toggle("busy", state.busy);
  }

  let messageTimer = null;
  function showMessage(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = "message " + kind;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => { box.textContent = ""; box.className = "message"; }, kind === "error" ? 8000 : 4000);
  }

  function tickClock() {
    const now = new Date();
    $("clock").textContent = now.toLocaleTimeString("vi-VN", { timeZone: state.timezone, hour: "2-digit", minute: "2-digit" });
    renderNoShows(); // drops no-shows whose grace has run out
  }

  // -- choosing the counter ---------------------------------------------------------------

  function chooseCounter(number) {
    state.counter = number;
    try { window.localStorage.setItem(STORAGE_KEY, String(number)); } catch (e) { /* private mode */ }
    state.queue = { waiting: [], waiting_total: 0, no_shows: [] };
    render();
    renderQueue();
    refreshQueue().catch(() => {});
  }

  function initialCounter() {
    const allowed = boot.counters.map((c) => c.number);
    const fromUrl = Number(new URLSearchParams(window.location.search).get("quay"));
    let stored = null;
    try { stored = Number(window.localStorage.getItem(STORAGE_KEY)); } catch (e) { /* private mode */ }
    for (const candidate of [fromUrl, stored]) if (allowed.includes(candidate)) return candidate;
    return allowed.length ? allowed[0] : null;
  }

  function start() {
    const select = $("counter-select");
    for (const counter of boot.counters) {
      const option = document.createElement("option");
      option.value = counter.number;
      option.textContent = `${counter.name} – ${counter.services.map(serviceName).join(", ")}`;
      select.append(option);
    }
    select.disabled = boot.counters.length < 2;
    select.addEventListener("change", () => { chooseCounter(Number(select.value)); select.blur(); });
    const first = initialCounter();
    if (first === null) {
      showMessage("Tài khoản chưa được phân công quầy nào: xin báo quản trị viên.", "error");
    } else {
      select.value = String(first);
    }
    for (const button of document.querySelectorAll("#actions button[data-action]")) {
      button.addEventListener("click", () => { button.blur(); trigger(button.dataset.action); });
    }
    document.addEventListener("keydown", onKey);
    for (const id of ["transfer-dialog", "pause-dialog"]) $(id).addEventListener("keydown", onDialogKey);
    $("pause-dialog").addEventListener("close", onPauseClosed);
    for (const button of document.querySelectorAll(".dialog-cancel")) {
      button.addEventListener("click", () => button.closest("dialog").close("cancel"));
    }
    state.counter = first;
    render();
    renderQueue();
    refreshAll();
    connect();
    tickClock();
    setInterval(tickClock, 15000);
    // Without the live feed the console still works: poll until it is back.
    setInterval(() => { if (!state.connected) refreshAll(); }, 10000);
  }

  start();
})();

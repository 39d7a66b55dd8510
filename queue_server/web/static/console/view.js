// Drawing the console from its state. No requests here: actions come in as callbacks.

const $ = (id) => document.getElementById(id);
const STATUS_TEXT = { called: "Đã gọi", serving: "Đang phục vụ" };

/** The ticket at the chosen counter, or null. */
export function currentTicket(state) {
  const counter = state.counters.get(state.counter);
  return counter ? counter.current : null;
}

/** The fields the chosen counter takes now: the live ones (the admin may reassign them today), else the page's. */
export function counterFields(boot, state) {
  const live = state.counters.get(state.counter);
  if (live && Array.isArray(live.services)) return live.services;
  const config = boot.counters.find((c) => c.number === state.counter);
  return config ? config.services : [];
}

/** True when the admin closed the chosen counter for today (/admin → Quầy hôm nay). */
export function isClosedToday(state) {
  const counter = state.counters.get(state.counter);
  return Boolean(counter && counter.closed_today);
}

export function isPaused(state) {
  const counter = state.counters.get(state.counter);
  return Boolean(counter && counter.state === "paused");
}

/** Whether an action makes sense now (its button is enabled, its key works). */
export function enabled(state, action) {
  if (state.counter === null || state.busy) return false;
  const ticket = currentTicket(state);
  switch (action) {
    case "next": case "pause": return !isClosedToday(state);
    case "start": return Boolean(ticket && ticket.status === "called");
    default: return Boolean(ticket);
  }
}

const timeOf = (iso) => (iso ? iso.slice(11, 16) : ""); // ISO times carry the office's offset already

/** "từ Quầy 1 (Tư pháp – Hộ tịch)" for a transferred ticket, or "". */
export function transferOrigin(ticket) {
  const from = ticket && ticket.transferred_from;
  if (!from) return "";
  return `từ ${from.counter_name}` + (from.service_name ? ` (${from.service_name})` : "");
}

/** Seconds waited now: the server's figure at the last read plus the time since, so the PC's clock may be off. */
export function waitedSeconds(ticket, readAt, now = Date.now()) {
  return (ticket.waited_s || 0) + (ticket.status === "waiting" ? Math.max(0, (now - readAt) / 1000) : 0);
}

export function createView(boot, state, { onCallBack, onCallNumber }) {
  function serviceName(code) {
    const service = boot.services.find((s) => s.code === code);
    return service ? service.name : code;
  }

  function marksOf(ticket) {
    const marks = [];
    if (ticket.priority) marks.push(["priority", "Ưu tiên: " + (boot.priority_labels[ticket.priority] || ticket.priority)]);
    if (ticket.transfers > 0 || ticket.target_counter) {
      const origin = transferOrigin(ticket);
      marks.push(["transfer", "Được chuyển đến" + (origin ? " " + origin : "")]);
    }
    return marks;
  }

  // Short marks for chips: the priority group stays named (who it is matters to the clerk), the transfer shortens.
  function markElements(ticket, short) {
    return marksOf(ticket).map(([kind, text]) => {
      const mark = document.createElement("span");
      mark.className = "mark mark-" + kind;
      mark.textContent = short && kind === "transfer" ? "Chuyển" : text;
      mark.title = text;
      return mark;
    });
  }

  /** The clerk's read of the current ticket (procedure, transfer, note), when it is the one on screen. */
  function contextOf(ticket) {
    const context = state.queue.current;
    return ticket && context && context.id === ticket.id ? context : null;
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
    } else if (counter.closed_today) {
      stateLine.textContent = "Quầy đã được quản trị đóng hôm nay: các lĩnh vực của quầy do quầy khác nhận. " +
        "Cần làm việc ở quầy này, xin báo quản trị mở lại.";
      stateLine.classList.add("paused", "closed-today");
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
    renderContext(ticket);
  }

  function renderContext(ticket) {
    const context = contextOf(ticket);
    $("ticket-procedure").textContent = context && context.procedure_name ? "Thủ tục: " + context.procedure_name : "";
    const box = $("ticket-transfer");
    box.replaceChildren();
    const origin = transferOrigin(context);
    if (!origin) return;
    const line = document.createElement("div");
    line.className = "transfer-origin";
    line.textContent = "Chuyển " + origin;
    box.append(line);
    if (context.transfer_note) {
      const note = document.createElement("div");
      note.className = "transfer-note";
      note.textContent = "Ghi chú: " + context.transfer_note;
      box.append(note);
    }
  }

  function renderFields() {
    const rows = counterFields(boot, state).map((code) => {
      const service = state.services.get(code) || { name: serviceName(code), waiting: 0, estimated_wait_s: 0 };
      const row = document.createElement("tr");
      row.dataset.service = code;
      for (const [text, cls] of [
        [service.name || serviceName(code), "name"],
        [String(service.waiting ?? 0), "num waiting"],
        [!service.waiting ? "—" : service.wait_text || "—", "num"],  // the server's words, as kiosk and paper
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
      item.dataset.ticket = ticket.id;
      const number = document.createElement("strong");
      number.textContent = ticket.number;
      const waited = document.createElement("span");
      waited.className = "waited";
      const call = document.createElement("button");
      call.type = "button";
      call.className = "btn btn-small btn-chip";
      call.textContent = "Gọi";
      call.title = `Gọi số ${ticket.number} ngay (ngoài thứ tự)`;
      call.disabled = state.busy;
      call.addEventListener("click", () => { call.blur(); onCallNumber(ticket); });
      item.title = [ticket.procedure_name && "Thủ tục: " + ticket.procedure_name, transferOrigin(ticket) &&
        "Chuyển " + transferOrigin(ticket), ticket.transfer_note && "Ghi chú: " + ticket.transfer_note,
        `Lấy số lúc ${timeOf(ticket.issued_at)}`].filter(Boolean).join(" · ");
      item.append(number, ...markElements(ticket, true), waited, call);
      return item;
    });
    $("queue").replaceChildren(...items);
    renderWaits();
    const more = state.queue.waiting_total - state.queue.waiting.length;
    $("queue-more").textContent = more > 0 ? `… và ${more} số nữa` : (items.length ? "" : "Không có ai đang chờ.");
    renderNoShows();
    renderServed();
    renderContext(currentTicket(state));
  }

  /** Each chip's wait in minutes, marked past the field's target wait; redrawn by the clock too. */
  function renderWaits() {
    const byId = new Map(state.queue.waiting.map((t) => [String(t.id), t]));
    for (const item of document.querySelectorAll("#queue li")) {
      const ticket = byId.get(item.dataset.ticket);
      if (!ticket) continue;
      const seconds = waitedSeconds(ticket, state.queue.readAt || Date.now());
      const minutes = Math.floor(seconds / 60);
      const over = ticket.target_wait_s > 0 && seconds > ticket.target_wait_s;
      const waited = item.querySelector(".waited");
      waited.textContent = minutes < 1 ? "vừa lấy" : `chờ ${minutes} phút`;
      waited.title = over ? `Quá thời gian chờ mục tiêu ${Math.round(ticket.target_wait_s / 60)} phút` : "";
      item.classList.toggle("over-target", over);
    }
  }

  function renderServed() {
    const served = state.queue.served || [];
    const items = served.map((ticket) => {
      const item = document.createElement("li");
      const number = document.createElement("strong");
      number.textContent = ticket.number;
      const when = document.createElement("span");
      when.className = "muted";
      const minutes = ticket.service_s == null ? "" :
        ticket.service_s < 60 ? " · dưới 1 phút" : ` · ${Math.round(ticket.service_s / 60)} phút`;
      when.textContent = `${timeOf(ticket.called_at)}–${timeOf(ticket.finished_at)}${minutes}`;
      const what = document.createElement("span");
      what.className = "served-what";
      what.textContent = ticket.procedure_name || ticket.service_name || "";
      item.append(number, when, what);
      return item;
    });
    $("served").replaceChildren(...items);
    const total = state.queue.served_total || 0;
    $("served-count").textContent = total ? `(${total} số)` : "";
    $("served-empty").hidden = items.length > 0;
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
      button.addEventListener("click", () => { button.blur(); onCallBack(ticket); });
      item.append(number, ...markElements(ticket, true), when, button);
      return item;
    });
    $("no-shows").replaceChildren(...items);
    $("no-shows-empty").hidden = items.length > 0;
  }

  function renderButtons() {
    for (const button of document.querySelectorAll("#actions button[data-action]")) {
      button.disabled = !enabled(state, button.dataset.action);
    }
    const paused = isPaused(state);
    const pauseButton = $("btn-pause");
    pauseButton.firstChild.textContent = paused ? "Tiếp tục " : "Tạm dừng ";
    pauseButton.classList.toggle("btn-resume", paused);
    for (const button of document.querySelectorAll("#no-shows button, #queue button, #call-number-ok")) {
      button.disabled = state.busy;
    }
    document.body.classList.toggle("busy", state.busy);
  }

  let offlineTimer = null;
  function renderConnection(connected) {
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

  let messageTimer = null;
  function showMessage(text, kind) {
    const box = $("message");
    box.textContent = text;
    box.className = "message " + kind;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(() => { box.textContent = ""; box.className = "message"; }, kind === "error" ? 8000 : 4000);
  }

  function renderClock() {
    const now = new Date();
    $("clock").textContent = now.toLocaleTimeString("vi-VN", { timeZone: state.timezone, hour: "2-digit", minute: "2-digit" });
    renderNoShows(); // drops no-shows whose grace has run out
    renderWaits(); // the minutes on the chips keep counting between reads
  }

  return {
    serviceName, render, renderFields, renderQueue, renderNoShows, renderButtons, renderConnection,
    showMessage, renderClock,
  };
}

// The browser lobby board: the same reducer as display/board.py, fed by EventSource.
// State is rebuilt from each `snapshot`; events already applied (by id) are ignored,
// so a reconnect with Last-Event-ID never shows or flashes a call twice.
// Refused a stream (503 when the feed is full, 429 for too many from one address), it polls
// GET /api/counters and /api/services, as the ticket page and the console do, until a stream opens.
"use strict";

(function () {
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const zone = settings.counters || [];
  const RECENT_LIMIT = 12;
  const EVENT_TYPES = ["snapshot", "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving",
    "ticket.no_show", "ticket.completed", "ticket.transferred", "ticket.cancelled", "counter.paused",
    "counter.resumed", "counter.closed", "counter.opened", "counter.changed", "day.started", "notice.changed"];

  // -- the reducer ---------------------------------------------------------------
  function fromSnapshot(data, id) {
    const office = data.office || {};
    return {
      officeName: office.name || "", timezone: office.timezone || "Asia/Ho_Chi_Minh",
      services: (data.services || []).map((s) => ({ code: s.code, name: s.name, counters: s.counters || [], waiting: s.waiting || 0 })),
      counters: (data.counters || []).map(counterRow),
      recent: (data.recent_calls || []).slice(0, RECENT_LIMIT).map((t) => call(t, false, null)),
      lastEventId: typeof data.last_event_id === "number" ? data.last_event_id : id,
      day: data.day || (typeof data.at === "string" ? data.at.slice(0, 10) : null), notices: notices(data.notices),
    };
  }

  // The office's notices from /admin (snapshot and notice.changed), in ticker order, with the days they show.
  function notices(list) {
    return (Array.isArray(list) ? list : []).filter((n) => n && typeof n.text === "string" && n.text.trim())
      .map((n) => ({ id: n.id, text: n.text, startsOn: n.starts_on || null, endsOn: n.ends_on || null }));
  }

  // Those showing on the server's day (the snapshot's and day.started's `day`), not this TV's clock.
  function noticesShowing(s) {
    if (!s) return [];
    return s.notices.filter((n) => !s.day || ((!n.startsOn || n.startsOn <= s.day) && (!n.endsOn || s.day <= n.endsOn)))
      .map((n) => n.text);
  }

  function counterRow(view) {
    const current = view.current || null;
    return { number: view.number, name: view.name || ("Quầy " + view.number), services: view.services || [],
      state: view.state || "idle", pauseReason: view.state === "paused" ? (view.pause_reason || "") : "",
      ticket: current ? current.number : null, closedToday: view.closed_today === true };
  }

  function call(ticket, recall, eventId) {
    return { ticketId: ticket.id, number: String(ticket.number || ""), serviceName: ticket.service_name || ticket.service || "",
      counter: ticket.counter, counterName: ticket.counter_name || (ticket.counter ? "Quầy " + ticket.counter : ""),
      recall: recall, eventId: eventId, calledAt: ticket.called_at || null, recalls: ticket.recalls || 0 };
  }

  function reduce(state, type, id, data) {
    if (type === "snapshot") return fromSnapshot(data, id);
    if (!state) return state;
    if (id !== null && state.lastEventId !== null && id <= state.lastEventId) return state;
    const next = Object.assign({}, state);
    if (data.counter && typeof data.counter.number === "number") {
      const row = counterRow(data.counter);
      const known = next.counters.some((c) => c.number === row.number);
      next.counters = known ? next.counters.map((c) => (c.number === row.number ? row : c))
        : next.counters.concat([row]).sort((a, b) => a.number - b.number);
    }
    if (data.waiting) {
      next.services = next.services.map((s) => (s.code in data.waiting ? Object.assign({}, s, { waiting: data.waiting[s.code] }) : s));
    }
    if ((type === "ticket.called" || type === "ticket.recalled") && data.ticket) {
      const c = call(data.ticket, type === "ticket.recalled", id);
      next.recent = [c].concat(next.recent.filter((r) => r.ticketId !== c.ticketId)).slice(0, RECENT_LIMIT);
    } else if (type === "notice.changed") {
      next.notices = notices(data.notices);
    } else if (type === "day.started") {
      next.day = data.day || next.day;
      next.recent = [];
      next.counters = next.counters.map((c) => Object.assign({}, c, { ticket: null, closedToday: false }));  // a day
    }
    if (id !== null) next.lastEventId = id;
    return next;
  }

  // A polled counter whose current ticket is new, or was recalled, is a call the board has not shown.
  function fromPoll(state, counters, services, pollId) {
    const base = state || { officeName: "", timezone: "Asia/Ho_Chi_Minh", services: [], counters: [], recent: [], lastEventId: null,
      day: null, notices: [] };
    const next = Object.assign({}, base, {
      services: services.map((s) => ({ code: s.code, name: s.name, counters: s.counters || [], waiting: s.waiting || 0 })),
      counters: counters.map(counterRow),
      lastEventId: null,  // the stream, when it opens again, starts from a fresh snapshot
    });
    const shown = {};
    base.recent.forEach((r) => { shown[r.ticketId] = r.recalls; });
    const calls = counters.filter((c) => c.current && c.current.called_at)
      .map((c) => Object.assign({ counter: c.number, counter_name: c.name }, c.current))
      .filter((t) => !(t.id in shown) || shown[t.id] < (t.recalls || 0))
      .sort((a, b) => Date.parse(a.called_at) - Date.parse(b.called_at));
    calls.forEach((t) => {
      const c = call(t, t.id in shown, state ? "poll-" + pollId + "-" + t.id : null);  // the first poll only draws
      next.recent = [c].concat(next.recent.filter((r) => r.ticketId !== c.ticketId)).slice(0, RECENT_LIMIT);
    });
    return next;
  }

  // -- drawing -----------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);
  const inZone = (counter) => zone.length === 0 || zone.indexOf(counter) >= 0;
  let state = null;
  // Events up to this id were replayed on a resume (the server's `replay` event): shown, never flashed
  // or said. Everything else from the feed is live, a recall minutes after its call included (issue 14.1).
  let replayUntil = 0;
  let flashUntil = 0;
  let flashTicket;  // the ticket id of the call flashing on the stage
  let flashTimer = null;

  function text(el, value) { if (el.textContent !== value) el.textContent = value; }

  function draw() {
    if (!state) return;
    text($("office"), state.officeName + (settings.title ? " — " + settings.title : ""));
    const names = {};
    state.services.forEach((s) => { names[s.code] = s.name; });
    const rows = state.counters.filter((c) => inZone(c.number)).map((c) => {
      const tr = document.createElement("tr");
      tr.className = c.state + (c.closedToday ? " closed-today" : "");
      tr.dataset.counter = c.number;
      const fields = c.services.map((code) => names[code] || code).join(" · ");
      const field = c.state === "paused" ? ("Tạm ngưng" + (c.pauseReason ? ": " + c.pauseReason : ""))
        : fields;
      // its own cell, not after the field: closed for today from /admin, or not opened yet (the server's words)
      const closed = settings.closedWords[c.closedToday ? "closed_today" : "not_opened"];
      const ticket = c.state === "closed" ? closed : (c.ticket || "—");
      [[String(c.number), "num"], [field, "field"], [ticket, "ticket"]].forEach(([value, cls]) => {
        const td = document.createElement("td");
        td.className = cls;
        td.textContent = value;
        tr.appendChild(td);
      });
      return tr;
    });
    $("grid").tBodies[0].replaceChildren(...rows);
    const calls = state.recent.filter((c) => inZone(c.counter));
    const flashing = Date.now() < flashUntil;
    // The call on the stage is not repeated below it: the flashing one (a call replayed meanwhile may be
    // newer), or between calls without slides the newest.
    const onStage = flashing ? flashTicket : (settings.media.length === 0 && calls[0] ? calls[0].ticketId : undefined);
    const shown = calls.filter((c) => onStage === undefined || c.ticketId !== onStage);
    $("recent").replaceChildren(...shown.slice(0, Math.max(1, settings.recentCalls - 1)).map((c) => {
      const li = document.createElement("li");
      li.innerHTML = '<span class="n"></span><span class="c"></span>';
      li.firstChild.textContent = c.number;
      li.lastChild.textContent = c.counterName;
      return li;
    }));
    const zoneServices = state.services.filter((s) => zone.length === 0 || s.counters.some(inZone));
    $("waiting").replaceChildren(...zoneServices.map((s) => {
      const div = document.createElement("div");
      div.innerHTML = '<span class="name"></span><span class="count"></span>';
      div.firstChild.textContent = s.name;
      div.lastChild.textContent = s.waiting + " người đang chờ";
      div.lastChild.classList.toggle("zero", s.waiting === 0);
      div.dataset.service = s.code;
      return div;
    }));
    if (!flashing) showIdleStage(calls[0] || null);
  }

  function showCall(c, live) {
    text($("call-title"), c ? (live ? (c.recall ? "MỜI LẠI CÔNG DÂN SỐ" : "MỜI CÔNG DÂN SỐ") : "SỐ VỪA GỌI") : "");
    text($("call-number"), c ? c.number : "");
    text($("call-counter"), c && c.counterName ? "— " + c.counterName.toUpperCase() + " —" : "");
    text($("call-field"), c ? c.serviceName : "");
  }

  function showIdleStage(latest) {
    $("call").classList.remove("flash");
    if (settings.media.length) {
      $("call").hidden = true;
      $("media").hidden = false;
    } else {
      $("call").hidden = false;
      showCall(latest, false);
    }
  }

  function announce(c) {
    flashUntil = Date.now() + settings.flashSeconds * 1000;
    flashTicket = c.ticketId;
    $("media").hidden = true;
    $("call").hidden = false;
    showCall(c, true);
    $("call").classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(draw, settings.flashSeconds * 1000 + 50);
    if (settings.voice && window.motcuaAudio) window.motcuaAudio.say(c);  // audio.js: chime and words, in order
  }

  // -- clock, ticker, media -------------------------------------------------------------
  // The server's weekday names (wording.WEEKDAYS, Monday first), keyed as Intl's short English names come.
  const WEEKDAYS = Object.fromEntries(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].map((d, i) => [d, settings.weekdays[i]]));
  function tick() {
    const tz = (state && state.timezone) || "Asia/Ho_Chi_Minh";
    const parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: tz, weekday: "short", day: "2-digit", month: "2-digit", year: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date()).forEach((p) => { parts[p.type] = p.value; });
    text($("clock"), parts.hour + ":" + parts.minute + ":" + parts.second);
    text($("date"), (WEEKDAYS[parts.weekday] || "") + ", " + parts.day + "/" + parts.month + "/" + parts.year);
  }

  // The configured lines, then the office's live notices; redrawn only when they change.
  function showTicker() {
    const lines = settings.ticker.concat(noticesShowing(state));
    text($("ticker-text"), lines.join("     ◆     "));
  }

  function startTicker() {
    const el = $("ticker-text");
    showTicker();
    let x = el.parentElement.clientWidth;
    let last = performance.now();
    function step(now) {
      x -= settings.tickerSpeed * (window.innerHeight / 1080) * (now - last) / 1000;
      last = now;
      if (x < -el.scrollWidth) x = el.parentElement.clientWidth;
      el.style.left = x + "px";
      requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  }

  function startMedia() {
    const items = settings.media;
    if (!items.length) return;
    let index = -1;
    let timer = null;
    function next() {
      clearTimeout(timer);
      index = (index + 1) % items.length;
      const item = items[index];
      const el = document.createElement(item.kind === "video" ? "video" : "img");
      el.src = item.url;
      el.onerror = () => { if (items.length > 1) next(); };  // e.g. a codec this TV cannot play
      if (item.kind === "video") { el.muted = true; el.autoplay = true; el.playsInline = true; el.onended = next; }
      $("media").replaceChildren(el);
      timer = setTimeout(next, item.seconds * 1000);
    }
    next();
  }

  // -- the live feed -------------------------------------------------------------------
  let source = null;
  let retryMs = 1000;

  function connect() {
    const resume = state && state.lastEventId !== null ? "?last_event_id=" + state.lastEventId : "";
    source = new EventSource("/api/events" + resume);
    source.onopen = () => { retryMs = 1000; $("offline").hidden = true; stopPolling(); };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {  // refused (503/429): poll, and try the stream again with back-off
        startPolling();
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 30000);
      } else if (!pollTimer) {
        $("offline").hidden = false;  // dropped: the browser reconnects by itself
      }
    };
    EVENT_TYPES.forEach((type) => source.addEventListener(type, onEvent));
    source.addEventListener("replay", onReplay);
  }

  // -- polling, when no stream is to be had ------------------------------------------------
  const POLL_MS = 3000;  // a call must reach the lobby within seconds; two small GETs per board
  let pollTimer = null;
  let polls = 0;

  function startPolling() {
    if (pollTimer) return;
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  }

  function getJson(path) {
    return fetch(path, { cache: "no-store" }).then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function poll() {
    Promise.all([getJson("/api/counters"), getJson("/api/services")]).then(([c, s]) => {
      if (!pollTimer) return;  // a stream opened meanwhile: it is the source now
      polls += 1;
      $("offline").hidden = true;
      show(fromPoll(state, c.counters || [], s.services || [], polls));
    }).catch(() => { $("offline").hidden = false; });
  }

  function replayed(c) {
    return typeof c.eventId === "number" && c.eventId <= replayUntil;
  }

  function onReplay(message) {
    let data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    if (typeof data.until === "number") replayUntil = Math.max(replayUntil, data.until);
  }

  function onEvent(message) {
    let data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    const id = /^\d+$/.test(message.lastEventId || "") ? Number(message.lastEventId) : null;
    show(reduce(state, message.type, id, data));
  }

  // Draw a new state; flash the newest call when it is new, in this board's zone and live (not replayed).
  function show(next) {
    const before = state;
    state = next;
    const latest = state && state.recent[0];
    const beforeLatest = before && before.recent[0];
    if (latest && latest.eventId !== null && state !== before && (!beforeLatest || beforeLatest.eventId !== latest.eventId)
        && inZone(latest.counter) && !replayed(latest)) {
      announce(latest);
    }
    document.body.dataset.lastEventId = state && state.lastEventId !== null ? state.lastEventId : "";
    draw();
    showTicker();
  }

  document.getElementById("board").className = "board " + settings.orientation;
  tick();
  setInterval(tick, 1000);
  startTicker();
  startMedia();
  connect();
  window.motcuaBoard = { reduce: reduce, fromPoll: fromPoll, state: () => state, polling: () => pollTimer !== null };
})();

// The ticket page: live updates from /api/events, re-reading /api/status/<token>; polling when the feed is closed.
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const T = boot.texts;
  const POLL_MS = boot.pollMs || 10000;
  const DEBOUNCE_MS = 250;
  let ticket = boot.ticket;
  let phase = phaseOf(ticket);
  let source = null;
  let pollTimer = null;
  let fetchTimer = null;
  let audio = null;
  const $ = (id) => document.getElementById(id);

  function phaseOf(t) {
    if (t.status === "waiting") return t.ahead <= boot.soonAhead ? "soon" : "waiting";
    if (t.status === "called" || t.status === "serving") return t.status;
    return "ended";
  }

  // The server's words for the promise (the kiosk's and the paper's: wording.wait_promise) on a Vietnamese page.
  function waitText(t) {
    if (boot.lang !== "en" && t.wait_text) return t.wait_text;
    const seconds = t.estimated_wait_s || 0;
    const minutes = Math.ceil(seconds / 60);
    return seconds < 60 ? T.under_minute : "~" + (minutes > 10 ? Math.ceil(minutes / 5) * 5 : minutes) + " " + T.minutes;
  }

  function render(t) {
    const next = phaseOf(t);
    document.body.className = "phase-" + next;
    $("number").textContent = t.number;
    $("service").textContent = t.service_name || t.service;
    $("mark").hidden = !t.priority;
    $("mark").textContent = t.priority === "appointment" ? T.appointment : T.priority;
    const headline = { waiting: T.waiting, soon: T.soon, called: T.called, serving: T.serving }[next];
    $("headline").textContent = headline || T[t.status] || t.status;
    const atCounter = next === "called" || next === "serving";
    $("counter").hidden = !atCounter;
    $("counter-name").textContent = t.counter_name || (T.counter + " " + t.counter);
    $("queue-facts").hidden = t.status !== "waiting";
    $("ahead").textContent = String(t.ahead);
    $("wait").textContent = waitText(t);
    const recalled = ticket && t.recalls > ticket.recalls && next === "called";
    if ((next !== phase && (next === "soon" || next === "called")) || recalled) alert(next);
    phase = next;
    ticket = t;
    $("sound").hidden = next === "ended";  // nothing more to be called for: offer the rating instead
    $("rate").hidden = t.status !== "done" || rating.rated;
    if (next === "ended") stopUpdates();
  }

  // -- the rating of this ticket, once it is done (one per ticket: the server answers 409 to a second) ----------
  const rating = boot.rating;
  let chosenLevel = null;

  function sendRating(level, reasons) {
    const body = { ticket: boot.token, overall: level };
    if (reasons.length) body.reasons = reasons;
    fetch(rating.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then((r) => {
        if (r.status !== 201 && r.status !== 409) return Promise.reject(r.status);
        rating.rated = true;
        $("rate").hidden = true;
        $("rate-done").hidden = false;
      })
      .catch(() => { $("rate-done").hidden = false; $("rate-done").textContent = T.rate_failed; });
  }

  document.querySelectorAll(".rate-face").forEach((button) => button.addEventListener("click", () => {
    const level = rating.levels.find((lv) => lv.code === button.dataset.level);
    document.querySelectorAll(".rate-face").forEach((b) => b.classList.toggle("chosen", b === button));
    if (level.asks_reasons && rating.reasons.length) { chosenLevel = level.code; $("rate-reasons").hidden = false; return; }
    sendRating(level.code, []);
  }));
  $("rate-send").addEventListener("click", () => {
    const picked = Array.from(document.querySelectorAll("#rate-reasons input:checked")).map((box) => box.value);
    if (chosenLevel) sendRating(chosenLevel, picked);
  });

  // -- alerts: colour (CSS), vibration, a WebAudio beep (no audio file) ---------------
  function alert(kind) {
    if (navigator.vibrate) {
      try { navigator.vibrate(kind === "called" ? [400, 150, 400, 150, 400] : [200, 100, 200]); } catch (e) { /* not allowed yet */ }
    }
    beep(kind === "called" ? 3 : 1);
  }

  function beep(times) {
    if (!audio) return;
    if (audio.state === "suspended") audio.resume();
    for (let i = 0; i < times; i++) {
      const start = audio.currentTime + i * 0.35;
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(start);
      osc.stop(start + 0.3);
    }
  }

  // Browsers play sound only after a tap: the button unlocks the audio and confirms with one beep.
  $("sound").addEventListener("click", function () {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) audio = new Ctx();
    if (audio && audio.state === "suspended") audio.resume();
    beep(1);
    if (navigator.vibrate) try { navigator.vibrate(100); } catch (e) { /* ignore */ }
    this.classList.add("on");
    this.textContent = T.sound_on;
  });

  // -- updates ----------------------------------------------------------------------------
  function refresh() {
    return fetch("/api/status/" + encodeURIComponent(boot.token), { cache: "no-store" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((body) => { render(body.ticket); if (!source && phase !== "ended") setConn(T.polling); })
      .catch(() => setConn(T.offline));
  }

  function refreshSoon() {
    clearTimeout(fetchTimer);
    fetchTimer = setTimeout(refresh, DEBOUNCE_MS);
  }

  function concernsMe(data) {
    const t = data && data.ticket;
    if (!t) return Boolean(data && data.counter && ticket.counter === data.counter.number);
    return t.id === ticket.id || t.service === ticket.service;
  }

  function setConn(text) { $("conn").textContent = text; }

  function startPolling() {
    if (source) { source.close(); source = null; }
    if (pollTimer || phase === "ended") return;
    setConn(T.polling);
    pollTimer = setInterval(refresh, POLL_MS);
  }

  function listen() {
    if (!window.EventSource || phase === "ended") { startPolling(); return; }
    source = new EventSource("/api/events");
    source.onopen = () => setConn(T.live);
    const onEvent = (e) => { try { if (concernsMe(JSON.parse(e.data))) refreshSoon(); } catch (err) { refreshSoon(); } };
    ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.no_show", "ticket.completed", "ticket.transferred",
     "ticket.serving", "counter.paused", "counter.resumed"].forEach((type) => source.addEventListener(type, onEvent));
    source.addEventListener("snapshot", refreshSoon);
    source.addEventListener("day.started", refreshSoon);
    // A refused stream (503: the feed is full) closes for good: poll instead. A dropped one reconnects by itself.
    source.onerror = () => { if (source && source.readyState === EventSource.CLOSED) startPolling(); else setConn(T.offline); };
  }

  function stopUpdates() {
    if (source) { source.close(); source = null; }
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    setConn("");
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden && phase !== "ended") refresh(); });
  // Leaving the page closes the stream at once: the server's stream slot and the browser's connection are freed.
  window.addEventListener("pagehide", stopUpdates);
  window.addEventListener("pageshow", (e) => { if (e.persisted && phase !== "ended") { refresh(); listen(); } });
  listen();
})();

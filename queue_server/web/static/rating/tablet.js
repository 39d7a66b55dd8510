// The counter's rating tablet: idle shows the counter and its called number; a completed service at this
// counter (the live feed's ticket.completed) opens the faces at once; a tap sends one rating, then thanks.
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const $ = (id) => document.getElementById(id);
  const levels = Object.fromEntries(boot.levels.map((lv) => [lv.code, lv]));
  let prompt = null;        // {ticket: id, number, expiresAt: ms}
  let chosen = null;        // the level tapped, while reasons are asked
  let timer = null;
  let source = null;

  function show(screen) {
    ["idle", "prompt", "reasons", "thanks"].forEach((name) => { $(name).hidden = name !== screen; });
    document.body.className = "screen-" + screen;
  }

  function renderCounter(counter) {
    if (!counter || counter.number !== boot.counter) return;
    $("counter-name").textContent = counter.name || boot.counterName;
    const current = counter.current;
    $("called").textContent = current ? current.number : "–";
    $("called-label").textContent = current ? "Đang phục vụ số" : (counter.state === "paused" ? "Tạm ngưng" : "Chưa gọi số");
  }

  function idle() {
    prompt = null; chosen = null;
    clearTimeout(timer);
    show("idle");
  }

  function ask(ticket, expiresInMs) {
    if (!ticket || (prompt && prompt.ticket === ticket.id)) return;
    prompt = { ticket: ticket.id, number: ticket.number, expiresAt: Date.now() + expiresInMs };
    chosen = null;
    $("question").textContent = "Quý khách có hài lòng với lượt phục vụ số " + ticket.number + " không?";
    document.querySelectorAll(".reason").forEach((b) => b.setAttribute("aria-pressed", "false"));
    show("prompt");
    const bar = $("timer-bar");
    bar.style.transition = "none"; bar.style.width = "100%";
    void bar.offsetWidth;  // restart the shrinking bar
    bar.style.transition = "width " + expiresInMs + "ms linear"; bar.style.width = "0%";
    clearTimeout(timer);
    timer = setTimeout(idle, expiresInMs);
  }

  function thank(text, detail) {
    $("thanks-text").textContent = text;
    $("thanks-detail").textContent = detail;
    show("thanks");
    clearTimeout(timer);
    prompt = null; chosen = null;
    timer = setTimeout(idle, boot.thanksSeconds * 1000);
  }

  function send(level, reasons) {
    if (!prompt) return;
    const body = { ticket: prompt.ticket, counter: boot.counter, overall: level };
    if (reasons.length) body.reasons = reasons;
    prompt.sending = true;
    fetch(boot.rateUrl, { method: "POST", credentials: "same-origin",
                          headers: { "Content-Type": "application/json", "X-CSRF-Token": boot.csrf },
                          body: JSON.stringify(body) })
      .then((r) => r.json().catch(() => ({})).then((answer) => ({ status: r.status, answer })))
      .then(({ status, answer }) => {
        if (status === 201 || status === 409) thank("Cảm ơn quý khách!", "Ý kiến của quý khách giúp chúng tôi phục vụ tốt hơn.");
        else thank("Chưa ghi được đánh giá", (answer.error && answer.error.message) || "Xin thử lại lần sau.");
      })
      .catch(() => thank("Mất kết nối", "Chưa ghi được đánh giá. Xin cảm ơn quý khách!"));
  }

  document.querySelectorAll(".face-button").forEach((button) => button.addEventListener("click", () => {
    if (!prompt || prompt.sending) return;
    const level = levels[button.dataset.level];
    if (level.asks_reasons && boot.reasons.length) { chosen = level.code; show("reasons"); return; }
    send(level.code, []);
  }));
  document.querySelectorAll(".reason").forEach((button) => button.addEventListener("click", () => {
    button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
  }));
  $("send").addEventListener("click", () => {
    const picked = Array.from(document.querySelectorAll('.reason[aria-pressed="true"]')).map((b) => b.dataset.reason);
    if (chosen) send(chosen, picked);
  });
  $("skip").addEventListener("click", () => { if (chosen) send(chosen, []); });

  // A prompt already open when the page (re)loads or the feed reconnects: the server says which and for how long.
  function catchUp() {
    fetch(boot.promptUrl, { cache: "no-store", credentials: "same-origin" })
      .then((r) => (r.status === 200 ? r.json() : null))
      .then((open) => { if (open) ask(open.ticket, open.expires_in_s * 1000); })
      .catch(() => {});
  }

  function onEvent(type, data) {
    if (data.counter) renderCounter(data.counter);
    const t = data.ticket;
    if (type === "ticket.completed" && t && t.counter === boot.counter) ask(t, boot.promptSeconds * 1000);
  }

  function listen() {
    source = new EventSource("/api/events");
    source.onopen = () => { $("conn").textContent = ""; };
    source.addEventListener("snapshot", (e) => {
      const snap = JSON.parse(e.data);
      renderCounter((snap.counters || []).find((c) => c.number === boot.counter));
      catchUp();
    });
    ["ticket.called", "ticket.recalled", "ticket.serving", "ticket.completed", "ticket.no_show", "ticket.transferred",
     "counter.paused", "counter.resumed", "counter.closed"].forEach((type) =>
      source.addEventListener(type, (e) => { try { onEvent(type, JSON.parse(e.data)); } catch (err) { /* a bad event */ } }));
    source.onerror = () => {
      $("conn").textContent = "Mất kết nối – đang thử lại";
      if (source.readyState === EventSource.CLOSED) { source = null; setTimeout(listen, 5000); }
    };
  }

  show("idle");
  listen();
})();

// Today's counters on /admin: which fields each counter takes (saved over the office file's), or close one.
// Uses admin.js's api(), el(), $() (loaded first).
"use strict";

async function loadCounters() {
  const [{ counters }, { services }] = [await api("/api/counters"), await api("/api/services")];
  $("counters-table").tHead.replaceChildren(el("tr", {}, el("th", {}, "Quầy"), el("th", {}, "Trạng thái"),
    ...services.map((s) => el("th", {}, s.name)), el("th", {})));
  $("counters-table").tBodies[0].replaceChildren(...counters.map((c) => {
    const boxes = services.map((s) => {
      const box = el("input", { type: "checkbox", value: s.code, "aria-label": `${c.name}: ${s.name}` });
      box.checked = c.services.includes(s.code);
      return el("td", {}, box);
    });
    const save = el("button", { type: "button", class: "save" }, "Lưu");
    save.addEventListener("click", () => {
      const chosen = boxes.map((td) => td.firstChild).filter((b) => b.checked).map((b) => b.value);
      changeCounters(() => api(`/api/counters/${c.number}/services`, { method: "PUT", body: { services: chosen } }),
        `Đã lưu: ${c.name} nhận ${chosen.length} lĩnh vực.`);
    });
    const reset = el("button", { type: "button" }, "Mặc định");
    reset.addEventListener("click", () => changeCounters(
      () => api(`/api/counters/${c.number}/services`, { method: "DELETE" }), `${c.name} trở lại lĩnh vực mặc định.`));
    const close = el("button", { type: "button" }, "Đóng quầy");
    close.disabled = c.state === "closed";
    close.addEventListener("click", () => changeCounters(
      () => api(`/api/counters/${c.number}/close`, { method: "POST" }), `Đã đóng ${c.name}.`));
    return el("tr", { "data-counter": c.number }, el("td", {}, c.name), el("td", {}, COUNTER_STATES[c.state] || c.state),
      ...boxes, el("td", {}, save, reset, close));
  }));
}

// The message comes after the table is drawn again, so what it says is what the table shows.
async function changeCounters(change, done) {
  let message = done;
  try { await change(); } catch (error) { message = error.message; }
  try { await loadCounters(); } catch (error) { message = error.message; }
  $("counters-message").textContent = message;
}

document.addEventListener("DOMContentLoaded", () => {
  loadCounters().catch((error) => { $("counters-message").textContent = error.message; });
});

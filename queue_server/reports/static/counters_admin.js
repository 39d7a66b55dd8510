// Today's counters on /admin: which fields each counter takes (saved over the office file's), and a counter
// closed or opened for today (its fields go to the other open counters). Uses admin.js's api(), el(), $(),
// runChange() (loaded first).
"use strict";

async function loadCounters() {
  const [{ counters }, { services }] = [await api("/api/counters"), await api("/api/services")];
  $("counters-table").tHead.replaceChildren(el("tr", {}, el("th", {}, "Quầy"), el("th", {}, "Trạng thái"),
    ...services.map((s) => el("th", {}, s.name)), el("th", {})));
  $("counters-table").tBodies[0].replaceChildren(...counters.map((c) => counterRow(c, services)));
  const unserved = services.filter((s) => s.accepting === false).map((s) => s.name);
  $("counters-unserved").textContent = unserved.length
    ? `Hôm nay không quầy nào mở nhận: ${unserved.join(", ")} — ki-ốt báo tạm ngừng tiếp nhận lĩnh vực này.` : "";
}

function counterRow(c, services) {
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
  const toggle = c.closed_today
    ? el("button", { type: "button", class: "open-today" }, "Mở quầy")
    : el("button", { type: "button", class: "close-today" }, "Đóng quầy hôm nay");
  toggle.addEventListener("click", () => changeCounters(
    () => api(`/api/counters/${c.number}/${c.closed_today ? "open" : "close"}-today`, { method: "POST" }),
    c.closed_today ? `Đã mở lại ${c.name}.` : `Đã đóng ${c.name} hôm nay; các lĩnh vực của quầy do quầy khác nhận.`));
  const state = c.closed_today ? "đóng hôm nay" : COUNTER_STATES[c.state] || c.state;
  return el("tr", { "data-counter": c.number, class: c.closed_today ? "off" : "" }, el("td", {}, c.name),
    el("td", {}, state), ...boxes, el("td", {}, save, reset, toggle));
}

function changeCounters(change, done) {
  return runChange(change, { message: "counters-message", reload: loadCounters, done });
}

document.addEventListener("DOMContentLoaded", () => {
  loadCounters().catch((error) => { $("counters-message").textContent = error.message; });
});

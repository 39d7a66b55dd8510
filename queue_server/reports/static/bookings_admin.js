// A day's bookings on /admin: see them, cancel one with the office's reason, close a slot or the whole day.
// Uses admin.js's api(), el(), $(), dmy(), runChange() (loaded first); changes carry the CSRF header through api().
"use strict";

const BOOKING_STATES = { booked: "Đã đặt", checked_in: "Đã lấy số", cancelled: "Đã hủy" };
const bookingsQuery = () => {
  const service = $("bookings-service").value;
  return `date=${$("bookings-date").value}` + (service ? `&service=${encodeURIComponent(service)}` : "");
};

function bookingRow(b) {
  const cells = [b.slot_start.slice(11, 16), b.code, b.service_name, b.phone || "–",
    BOOKING_STATES[b.status] + (b.cancel_reason ? ` (${b.cancel_reason})` : "")].map((t) => el("td", {}, t));
  const actions = el("td", {});
  if (b.status === "booked") {
    const cancel = el("button", { type: "button", class: "cancel" }, "Hủy");
    cancel.addEventListener("click", () => {
      const reason = window.prompt(`Hủy lịch hẹn ${b.code} lúc ${b.slot_start.slice(11, 16)}: lý do?`);
      if (reason) changeBookings(() => api(`/api/admin/bookings/${b.code}/cancel`, { method: "POST", body: { reason } }));
    });
    actions.append(cancel);
  }
  return el("tr", { "data-code": b.code, class: b.status === "cancelled" ? "off" : "" }, ...cells, actions);
}

function blockItem(block) {
  const open = el("button", { type: "button" }, "Mở lại");
  open.addEventListener("click", () => changeBookings(() => api(`/api/admin/booking-blocks/${block.id}`, { method: "DELETE" })));
  const what = `${block.slot_start ? block.slot_start.slice(11, 16) : "Cả ngày"} · ${block.service || "mọi lĩnh vực"}`;
  return el("li", { "data-id": block.id }, `${what}: ${block.reason} `, open);
}

async function loadBookings() {
  const day = await api(`/api/admin/bookings?${bookingsQuery()}`);
  const select = $("bookings-service");
  if (select.options.length === 1) {
    for (const s of day.services) select.append(el("option", { value: s.code }, s.name));
  }
  $("bookings-table").tBodies[0].replaceChildren(...(day.bookings.length ? day.bookings.map(bookingRow)
    : [el("tr", {}, el("td", { colspan: "6" }, `Ngày ${dmy(day.date)} chưa có lịch hẹn.`))]));
  $("blocks-list").replaceChildren(...day.blocks.map(blockItem));
}

function changeBookings(change) {
  return runChange(change, { message: "bookings-message", reload: loadBookings });
}

async function addBlock(event) {
  event.preventDefault();
  const button = $("block-add");
  if (button.disabled) return;
  button.disabled = true;
  const body = { date: $("bookings-date").value, reason: $("block-reason").value,
                 service: $("bookings-service").value || null, time: $("block-time").value.trim() || null };
  await changeBookings(async () => { await api("/api/admin/booking-blocks", { method: "POST", body }); $("block-form").reset(); });
  button.disabled = false;
}

document.addEventListener("DOMContentLoaded", () => {
  $("bookings-form").addEventListener("submit", (event) => { event.preventDefault(); changeBookings(async () => {}); });
  $("block-form").addEventListener("submit", addBlock);
  loadBookings().catch((error) => { $("bookings-message").textContent = error.message; });
});

// The booking calendar on /admin: hours, days off announced late, swapped working weekend days (làm bù).
// Uses admin.js's api(), el(), $(), dmy(), runChange() (loaded first).
"use strict";

const DAY_KINDS = { closed: "Nghỉ", working: "Làm bù" };

async function loadCalendar() {
  const calendar = await api("/api/admin/calendar");
  $("hours-morning").value = calendar.hours.morning;
  $("hours-afternoon").value = calendar.hours.afternoon;
  $("hours-saturday").checked = calendar.hours.saturday_morning;
  $("days-list").replaceChildren(...calendar.days.map((d) => {
    const remove = el("button", { type: "button" }, "Bỏ");
    remove.addEventListener("click", () => changeCalendar(() => api(`/api/admin/calendar/days/${d.date}`, { method: "DELETE" })));
    return el("li", { "data-date": d.date }, `${dmy(d.date)} · ${DAY_KINDS[d.kind]}: ${d.name} `, remove);
  }));
  $("public-holidays").replaceChildren(...calendar.public_holidays.map((h) => el("li", {}, `${dmy(h.date)}: ${h.name}`)));
}

function changeCalendar(change) {
  return runChange(change, { message: "calendar-message", reload: loadCalendar, done: (answer) => {
    const booked = answer && answer.day && answer.day.booked;
    return booked ? `Đã lưu. Ngày này đã có ${booked} lịch hẹn: xem ở bảng trên và hủy kèm lý do nếu không tiếp được.` : "";
  } });
}

document.addEventListener("DOMContentLoaded", () => {
  $("hours-form").addEventListener("submit", (event) => {
    event.preventDefault();
    changeCalendar(() => api("/api/admin/calendar/hours", { method: "PUT", body: { morning: $("hours-morning").value,
      afternoon: $("hours-afternoon").value, saturday_morning: $("hours-saturday").checked } }));
  });
  $("day-form").addEventListener("submit", (event) => {
    event.preventDefault();
    changeCalendar(() => api("/api/admin/calendar/days", { method: "POST", body: { date: $("day-date").value,
      kind: $("day-kind").value, name: $("day-name").value } }));
  });
  loadCalendar().catch((error) => { $("calendar-message").textContent = error.message; });
});

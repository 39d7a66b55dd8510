// The officers on /admin: add one (the temporary password is shown once), rename, disable, reset a password.
// Uses admin.js's api(), el(), $() and runChange() (loaded first); every change carries the CSRF header through api().
"use strict";

const ROLE_NAMES = { clerk: "Cán bộ một cửa", admin: "Quản trị" };
const ACTIONS = { "person.add": "thêm", "person.update": "sửa", "person.reset_password": "cấp lại mật khẩu",
                  "person.change_own_password": "tự đổi mật khẩu", "booking.cancel": "hủy lịch hẹn",
                  "booking.block": "khóa lịch ngày", "booking.unblock": "mở lại khóa lịch số" };

function showPassword(fullName, password) {
  $("person-password").replaceChildren(`Mật khẩu tạm của ${fullName}: `, el("code", {}, password),
    " — chỉ hiện lần này. Cán bộ sẽ phải đổi mật khẩu khi đăng nhập lần đầu.");
}

function personRow(p) {
  const reset = el("button", { type: "button", class: "reset" }, "Cấp lại mật khẩu");
  reset.addEventListener("click", () => changePerson(async () => {
    const { password } = await api(`/api/people/${encodeURIComponent(p.username)}/reset-password`, { method: "POST" });
    showPassword(p.full_name || p.username, password);
  }));
  const toggle = el("button", { type: "button", class: "toggle" }, p.active ? "Khóa" : "Mở khóa");
  toggle.addEventListener("click", () => changePerson(() =>
    api(`/api/people/${encodeURIComponent(p.username)}`, { method: "PATCH", body: { active: !p.active } })));
  const rename = el("button", { type: "button" }, "Sửa tên");
  rename.addEventListener("click", () => {
    const name = window.prompt("Họ và tên", p.full_name);
    if (name) changePerson(() => api(`/api/people/${encodeURIComponent(p.username)}`, { method: "PATCH", body: { full_name: name } }));
  });
  const state = !p.active ? "đã khóa" : p.must_change_password ? "chờ đổi mật khẩu" : "đang làm việc";
  return el("tr", { class: p.active ? "" : "off", "data-username": p.username }, el("td", {}, p.full_name || "–"),
    el("td", {}, p.username), el("td", {}, ROLE_NAMES[p.role] || p.role), el("td", {}, p.counters.join(", ") || "–"),
    el("td", {}, state), el("td", {}, rename, reset, toggle));
}

async function loadPeople() {
  const { people, audit } = await api("/api/people");
  $("people-table").tBodies[0].replaceChildren(...people.map(personRow));
  $("audit-list").replaceChildren(...audit.map((a) => el("li", {},
    `${officeTime(a.at)} · ${a.actor} ${ACTIONS[a.action] || a.action} ${a.target}`)));
}

function changePerson(change) {
  return runChange(change, { message: "person-message", reload: loadPeople });
}

async function addPerson(event) {
  event.preventDefault();
  const button = $("person-add");
  if (button.disabled) return;
  button.disabled = true;
  const counters = [...$("person-counters").querySelectorAll("input:checked")].map((box) => Number(box.value));
  try {
    const { person, password } = await api("/api/people", { method: "POST", body: {
      full_name: $("person-name").value, username: $("person-username").value, role: $("person-role").value, counters } });
    showPassword(person.full_name, password);
    $("person-form").reset();
    $("person-message").textContent = "";
  } catch (error) { $("person-message").textContent = error.message; }
  finally { button.disabled = false; }
  loadPeople().catch(() => {});
}

document.addEventListener("DOMContentLoaded", () => {
  $("person-form").addEventListener("submit", addPerson);
  loadPeople().catch((error) => { $("person-message").textContent = error.message; });
});

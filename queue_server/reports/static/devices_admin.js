// Devices on /admin: the table of kiosks, boards and tablets, pairing a new kiosk or board by the 6-digit code it
// shows (its QR opens /admin?pair=CODE), and revoking a device's token. Uses admin.js's api(), el(), $(),
// officeTime(), runChange() (loaded first); changes carry the CSRF header through api().
"use strict";

const ROLES = { kiosk: "Ki-ốt", display: "Màn hình sảnh", rating: "Máy đánh giá" };
const CODE_DIGITS = 6;
const DEVICES_EVERY_MS = 30000;
const WAIT_FOR_CLAIM_MS = 2000;  // a paired device collects its token on its next poll (every 2 s)
const WAIT_FOR_CLAIM_TRIES = 15;
const FOLLOW_MS = 5000;
// Paired from this page but not yet collected: the table is redrawn until the device has its token. The server says
// which devices wait (`pairing`), so a reload or another admin's page shows "waiting", not "revoked", too.
const justPaired = new Set();

// "042 917", "042-917", " 042917 " → "042917"; null when it is not six digits.
const SEPARATORS = /[\s.\-–]/g;
function pairingCode(typed) {
  const digits = typed.replace(SEPARATORS, "");
  return digits.length === CODE_DIGITS && /^[0-9]+$/.test(digits) ? digits : null;
}

function lastContact(d) {
  if (d.connected) return "đang kết nối";
  return d.last_seen_at ? officeTime(d.last_seen_at) : "chưa liên lạc";
}

function condition(d) {
  if (!d.active) return d.pairing ? "chờ thiết bị nhận mã" : "đã thu hồi";
  const parts = Object.entries(d.status || {}).map(([part, s]) => `${part}: ${s.ok ? "tốt" : "lỗi"}${s.message ? " – " + s.message : ""}`);
  return parts.join("; ") || "–";
}

function deviceRow(d) {
  const bad = d.active && Object.values(d.status || {}).some((s) => !s.ok);
  const actions = el("td", {});
  if (d.active) {
    const revoke = el("button", { type: "button", class: "revoke" }, "Thu hồi");
    revoke.addEventListener("click", () => revokeDevice(d, revoke));
    actions.append(revoke);
  }
  const revoked = !d.active && !d.pairing;
  return el("tr", { "data-device": d.name, class: revoked ? "off" : bad ? "late" : "" }, el("td", {}, d.name),
    el("td", {}, ROLES[d.role] || d.role), el("td", {}, lastContact(d)), el("td", {}, condition(d)), actions);
}

async function loadDevices() {
  const { devices } = await api("/api/devices");
  for (const d of devices) if (d.active) justPaired.delete(d.name);
  $("device-table").tBodies[0].replaceChildren(...(devices.length ? devices.map(deviceRow)
    : [el("tr", {}, el("td", { colspan: "5" }, "Chưa có thiết bị nào: ghép ki-ốt hoặc màn hình bằng mã ở trên."))]));
}

// One change to the devices; the message under the form is in the error colour when it was refused.
async function changeDevices(change, done) {
  let failed = true;
  await runChange(async () => { const answer = await change(); failed = false; return answer; },
    { message: "devices-message", reload: loadDevices, done });
  $("devices-message").classList.toggle("error", failed);
  return !failed;
}

function refuse(text, field) {
  $("devices-message").textContent = text;
  $("devices-message").classList.add("error");
  $(field).focus();
}

// What is wrong with a code that is not six digits, in words the person can act on.
function codeProblem(typed) {
  const shown = typed.trim();
  if (!shown) return `Xin nhập mã ${CODE_DIGITS} chữ số đang hiện trên màn hình thiết bị.`;
  const digits = shown.replace(SEPARATORS, "");
  const what = /^[0-9]*$/.test(digits) ? `có ${digits.length} chữ số` : "có ký tự không phải chữ số";
  return `Mã “${shown}” ${what}: mã ghép có ${CODE_DIGITS} chữ số, như trên màn hình thiết bị (ví dụ 042 917).`;
}

async function pairDevice(event) {
  event.preventDefault();
  const button = $("pair-add");
  if (button.disabled) return;  // a double click pairs once
  const code = pairingCode($("pair-code").value);
  const name = $("pair-name").value.trim();
  if (code === null) return refuse(codeProblem($("pair-code").value), "pair-code");
  if (!name) return refuse("Xin đặt tên cho thiết bị, ví dụ kiosk-sanh hoặc bang-tang-1.", "pair-name");
  button.disabled = true;
  const paired = await changeDevices(async () => {
    const answer = await api("/api/admin/pairings", { method: "POST", body: { code, name } });
    justPaired.add(answer.name);
    $("pair-form").reset();
    return answer;
  }, (answer) => `Đã ghép “${answer.name}” làm ${(ROLES[answer.role] || answer.role).toLowerCase()}; `
    + "thiết bị tự vào việc trong vài giây.");
  button.disabled = false;
  if (paired) followClaim(WAIT_FOR_CLAIM_TRIES);
}

// Draw the table again until the device just paired has collected its token (then it shows as working).
function followClaim(tries) {
  if (tries <= 0 || justPaired.size === 0) return;
  setTimeout(() => loadDevices().catch(() => {}).finally(() => followClaim(tries - 1)), WAIT_FOR_CLAIM_MS);
}

function revokeDevice(d, button) {
  const role = (ROLES[d.role] || d.role).toLowerCase();
  if (!window.confirm(`Thu hồi ${role} “${d.name}”? Thiết bị ngừng hoạt động ngay; muốn dùng lại phải ghép lại.`)) return;
  button.disabled = true;
  changeDevices(() => api(`/api/devices/${encodeURIComponent(d.name)}/revoke`, { method: "POST" }),
    `Đã thu hồi “${d.name}”: thiết bị không dùng được nữa.`);
}

// The device's QR opens /admin?pair=CODE#devices on a phone: the code is filled in, the name is next.
function prefillFromUrl() {
  const code = new URLSearchParams(window.location.search).get("pair");
  if (!code) return;
  $("pair-code").value = code;
  // After the page's own jump to #devices, which would take the focus away again.
  window.addEventListener("load", () => setTimeout(() => { keepInView(); $("pair-name").focus({ preventScroll: true }); }));
}

// The lists above fill in after the page loads and push this section down: follow it until the person acts.
function keepInView() {
  const follow = new ResizeObserver(() => $("devices").scrollIntoView());
  follow.observe(document.body);
  const stop = () => follow.disconnect();
  for (const kind of ["wheel", "touchstart", "keydown", "mousedown"]) window.addEventListener(kind, stop, { once: true });
  setTimeout(stop, FOLLOW_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  $("pair-form").addEventListener("submit", pairDevice);
  prefillFromUrl();
  loadDevices().catch((error) => { $("devices-message").textContent = error.message; });
  setInterval(() => loadDevices().catch(() => {}), DEVICES_EVERY_MS);
});

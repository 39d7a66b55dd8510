// The officer's own password: the temporary one an admin gave must be replaced before any work.
"use strict";

const $ = (id) => document.getElementById(id);

async function save(event) {
  event.preventDefault();
  if ($("new").value !== $("again").value) {
    $("message").textContent = "Hai lần nhập mật khẩu mới không giống nhau.";
    return;
  }
  $("save").disabled = true;
  try {
    const response = await fetch("/api/me/password", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRF-Token": document.querySelector('meta[name="csrf-token"]').content },
      body: JSON.stringify({ current: $("current").value, new: $("new").value }) });
    const data = await response.json();
    if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
    $("message").textContent = "Đã đổi mật khẩu.";
    window.location = $("password-form").dataset.home;
  } catch (error) {
    $("message").textContent = error.message;
  } finally {
    $("save").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => $("password-form").addEventListener("submit", save));

// The pairing screen: asks every few seconds whether the admin confirmed the code, then opens the tablet.
"use strict";
(function () {
  const url = document.body.dataset.stateUrl;
  const every = Number(document.body.dataset.pollMs) || 2000;
  const note = document.getElementById("pair-state");

  function check() {
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((body) => {
        if (body.state === "paired") { note.textContent = "Đã ghép. Đang mở…"; window.location.reload(); return; }
        if (body.state === "expired") { note.textContent = "Mã đã hết hạn. Đang lấy mã mới…"; window.location.reload(); return; }
        setTimeout(check, every);
      })
      .catch(() => setTimeout(check, every * 2));
  }
  setTimeout(check, every);
})();

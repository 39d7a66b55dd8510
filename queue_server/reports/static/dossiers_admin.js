// The provincial one-stop system's export on /admin: read the file, map its columns once, import.
// Uses admin.js's el() and $() (loaded first). Uploads are multipart, so they call fetch themselves.
"use strict";

let dossierFields = {};

async function upload(path, file) {
  const body = new FormData();
  body.append("file", file);
  const response = await fetch(path, { method: "POST", body, credentials: "same-origin",
    headers: { "Accept": "application/json", "X-CSRF-Token": csrf() } });
  const data = await response.json();
  if (!response.ok) throw new Error((data.error && data.error.message) || response.statusText);
  return data;
}

async function readExport(event) {
  event.preventDefault();
  const file = $("dossier-file").files[0];
  if (!file) return;
  try {
    const [preview, columns] = [await upload("/api/admin/dossiers/preview", file), await api("/api/admin/dossiers/columns")];
    dossierFields = columns.fields;
    const chosen = preview.columns || preview.proposal;
    $("dossier-selects").replaceChildren(...Object.entries(dossierFields).map(([name, label]) => {
      const select = el("select", { "data-field": name }, el("option", { value: "" }, "– không có –"),
        ...preview.headers.map((h) => el("option", { value: h }, h)));
      select.value = chosen[name] || "";
      return el("label", {}, `${label} `, select);
    }));
    $("dossier-columns").hidden = false;
    $("dossier-message").textContent = `Tệp có ${preview.rows} dòng. Kiểm tra các cột rồi bấm "Lưu cột và nhập".`;
  } catch (error) { $("dossier-message").textContent = error.message; }
}

async function importExport(event) {
  event.preventDefault();
  const button = $("dossier-import");
  if (button.disabled) return;
  button.disabled = true;
  const columns = {};
  for (const select of $("dossier-selects").querySelectorAll("select")) {
    if (select.value) columns[select.dataset.field] = select.value;
  }
  try {
    await api("/api/admin/dossiers/columns", { method: "PUT", body: { columns } });
    const done = await upload("/api/admin/dossiers/import", $("dossier-file").files[0]);
    $("dossier-message").textContent = `Đã nhập ${done.imported} hồ sơ từ ${done.file}.`;
    $("dossier-columns").hidden = true;
    showReport();
  } catch (error) { $("dossier-message").textContent = error.message; }
  finally { button.disabled = false; }
}

document.addEventListener("DOMContentLoaded", () => {
  $("dossier-form").addEventListener("submit", readExport);
  $("dossier-columns").addEventListener("submit", importExport);
});

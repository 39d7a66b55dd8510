// What only the counter may see about its current ticket: the booking (time, code, late) and the dossier
// code of a result-return ticket. Read from /api/counters/<n>/current-details whenever the current number
// changes on screen; drawn in its own line under the ticket's marks.
const $ = (id) => document.getElementById(id);

export function watchTicketDetails(api, counterOf) {
  const marks = $("ticket-marks");
  const number = $("ticket-number");
  if (!marks || !number) return;
  const line = document.createElement("div");
  line.id = "ticket-details";
  line.className = "ticket-details";
  marks.after(line);
  let shown = null;
  let asked = 0;

  async function load() {
    const counter = counterOf();
    const key = `${counter}:${number.textContent}`;
    if (key === shown) return;
    shown = key;
    const mine = ++asked;
    line.replaceChildren();
    if (counter === null || number.textContent === "—") return;
    const answer = await api("GET", `/api/counters/${counter}/current-details`).catch(() => null);
    if (mine !== asked) return;
    if (!answer || !answer.ok) {  // busy server or a dropped connection: ask again shortly
      shown = null;
      setTimeout(load, 2000);
      return;
    }
    const parts = [];
    const booking = answer.json.appointment;
    if (booking) {
      const code = booking.code.slice(0, 4) + "-" + booking.code.slice(4);
      parts.push(`Lịch hẹn ${booking.slot_start.slice(11, 16)} · mã ${code}` + (booking.late ? " · đến muộn (số thường)" : ""));
    }
    if (answer.json.dossier_code) parts.push("Mã hồ sơ: " + answer.json.dossier_code);
    line.replaceChildren(...parts.map((text) => {
      const item = document.createElement("span");
      item.className = "detail";
      item.textContent = text;
      return item;
    }));
  }

  new MutationObserver(load).observe(number, { childList: true, characterData: true, subtree: true });
  load();
}

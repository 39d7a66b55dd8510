// The layout rule of the lobby boards, measured in the page (tests/support/text_layout.py runs it).
// Every element that holds text itself: its font size (at least minPx), and its text's boxes against the viewport,
// every ancestor that clips, its parent and the other texts. The ticker scrolls on purpose: only its height counts.
// Returns one sentence per breach; an empty list when the screen keeps the rule.
const minPx = arguments[0];
const vw = window.innerWidth, vh = window.innerHeight, slack = 1;
const problems = [], boxes = [];
const label = (el) => (el.id ? "#" + el.id : el.tagName.toLowerCase() + "." + el.className) + " " + JSON.stringify(el.textContent.trim().slice(0, 40));
const inside = (a, b) => a.left >= b.left - slack && a.top >= b.top - slack && a.right <= b.right + slack && a.bottom <= b.bottom + slack;
for (const el of document.body.querySelectorAll("*")) {
  const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own.length || !el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
  if (el.closest("script, [hidden]")) continue;
  const size = parseFloat(getComputedStyle(el).fontSize);
  if (size < minPx) problems.push(label(el) + " is " + size + " px");
  const marquee = !!el.closest(".ticker");
  const range = document.createRange();
  range.selectNodeContents(el);
  const text = range.getBoundingClientRect();
  const view = { left: marquee ? -1e9 : 0, top: 0, right: marquee ? 1e9 : vw, bottom: vh };
  if (!inside(text, view)) problems.push(label(el) + " leaves the screen");
  if (!marquee && !inside(el.getBoundingClientRect(), el.parentElement.getBoundingClientRect())) problems.push(label(el) + " sticks out of its parent");
  for (let up = el; up && up !== document.body; up = up.parentElement) {
    const style = getComputedStyle(up);
    if (style.overflow === "visible" || (marquee && up.classList.contains("ticker"))) continue;
    const r = up.getBoundingClientRect();
    if (!inside(text, marquee ? { left: -1e9, top: r.top, right: 1e9, bottom: r.bottom } : r)) problems.push(label(el) + " is cut by " + label(up));
  }
  if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + slack) problems.push(label(el) + " is wider than its box");
  if (el.clientHeight > 0 && el.scrollHeight > el.clientHeight + slack && getComputedStyle(el).overflow !== "visible") problems.push(label(el) + " is taller than its box");
  if (!marquee) boxes.push([label(el), Array.from(range.getClientRects())]);
}
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const hit = boxes[i][1].some((a) => boxes[j][1].some((b) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack));
  if (hit) problems.push(boxes[i][0] + " overlaps " + boxes[j][0]);
}
return problems;

// Rows that do not fit their box are shown a page at a time, never cut off at the edge of the screen:
// the counter grid of a 17-counter office, the waiting counts of 15 fields. board.js redraws the rows;
// this watches the two boxes and hides the rows of the other pages, turning the page every few seconds.
"use strict";

(function () {
  const PAGE_SECONDS = 8;  // long enough to find one's counter, short enough to see every page within a minute
  const pagers = [
    { box: () => document.querySelector(".grid-box"), list: () => document.querySelector("#grid tbody"), page: 0 },
    { box: () => document.getElementById("waiting"), list: () => document.getElementById("waiting"), page: 0 },
  ];

  // [start, end) index ranges of the items, each as many as fit the box's height from the top.
  function pagesOf(box, items) {
    const pages = [];
    let start = 0;
    while (start < items.length) {
      items.forEach((el, i) => { el.hidden = i < start; });
      const limit = box.getBoundingClientRect().top + box.clientHeight + 0.5;
      let end = start + 1;  // at least one a page, even one taller than its box
      while (end < items.length && items[end].getBoundingClientRect().bottom <= limit) end += 1;
      pages.push([start, end]);
      start = end;
    }
    return pages;
  }

  function fit(pager) {
    const box = pager.box();
    const list = pager.list();
    if (!box || !list) return;
    const items = Array.from(list.children);
    const pages = pagesOf(box, items);
    if (!pages.length) { box.dataset.page = ""; return; }
    pager.page %= pages.length;
    const [start, end] = pages[pager.page];
    items.forEach((el, i) => { el.hidden = i < start || i >= end; });
    box.dataset.page = pages.length > 1 ? (pager.page + 1) + "/" + pages.length : "";
  }

  function fitAll() { pagers.forEach(fit); }

  function turnPages() {
    pagers.forEach((pager) => { pager.page += 1; fit(pager); });
  }

  function start() {
    // New rows from board.js are measured before the browser paints them (observers run first).
    const observer = new MutationObserver(fitAll);
    pagers.forEach((pager) => { const list = pager.list(); if (list) observer.observe(list, { childList: true }); });
    window.addEventListener("resize", fitAll);
    setInterval(turnPages, PAGE_SECONDS * 1000);
    fitAll();
  }

  window.motcuaFit = { fitAll: fitAll, turnPages: turnPages };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

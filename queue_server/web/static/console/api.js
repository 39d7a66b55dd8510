// The JSON API and the live feed, as the console uses them (same origin, session cookie).

const ERRORS = {
  no_current_ticket: "Quầy chưa có số nào đang được gọi.",
  counter_busy: "Số hiện tại chưa xong: bấm Hoàn thành, Vắng mặt hoặc Chuyển trước.",
  ticket_in_progress: "Số hiện tại chưa xong: bấm Hoàn thành, Vắng mặt hoặc Chuyển trước khi tạm dừng.",
  ticket_not_callable: "Không gọi được số này (đã phục vụ, đã quá thời gian chờ hoặc thuộc quầy khác).",
  counter_not_paused: "Quầy đang không tạm dừng.",
  not_your_counter: "Bạn không được phân công ở quầy này.",
  csrf_failed: "Trang đã cũ: xin tải lại trang (F5).",
  unknown_ticket: "Hôm nay không có số này trong hàng chờ: xin xem lại số trên phiếu.",
  unknown_service: "Không có lĩnh vực này.",
  unknown_counter: "Không có quầy này.",
  try_again: "Máy chủ đang bận, xin thử lại.",
};

const LIVE_EVENTS = [
  "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.no_show",
  "ticket.completed", "ticket.transferred", "counter.paused", "counter.resumed", "counter.closed",
  "counter.opened", "counter.changed", "day.started",  // changed: the admin gave it other fields or closed it today
];

export class SignedOut extends Error {}

/** A function (method, path, body) → {status, ok, json}; changes carry the CSRF token. */
export function apiClient(csrf, signInPage) {
  return async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body || {});
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      window.location.assign(signInPage);
      throw new SignedOut("signed out");
    }
    const json = response.status === 204 ? null : await response.json().catch(() => null);
    return { status: response.status, ok: response.ok, json };
  };
}

/** What to tell the clerk about a refused action, in Vietnamese. */
export function errorText(answer) {
  const error = (answer.json && answer.json.error) || {};
  if (ERRORS[error.code]) return ERRORS[error.code];
  if (answer.status === 429) return "Thao tác quá nhanh, xin đợi một chút.";
  return "Không thực hiện được: " + (error.message || "lỗi " + answer.status);
}

/** Follow /api/events: the browser reconnects by itself (resuming with Last-Event-ID); we do when it gives up. */
export function followFeed({ onSnapshot, onEvent, onConnection }) {
  let source = null;
  function connect() {
    if (source) source.close();
    source = new EventSource("/api/events");
    source.onopen = () => onConnection(true);
    source.onerror = () => {
      onConnection(false);
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
    source.addEventListener("snapshot", (e) => { onConnection(true); onSnapshot(JSON.parse(e.data)); });
    for (const type of LIVE_EVENTS) {
      source.addEventListener(type, (e) => { onConnection(true); onEvent(type, JSON.parse(e.data)); });
    }
  }
  connect();
}

/** Run ``fn`` once, ``ms`` after the last of a burst of calls. */
export function debounced(fn, ms) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => fn().catch(() => {}), ms);
  };
}

/* Shared by the hall's pages: setup, words, API calls, the live event stream, small helpers. */
"use strict";

const HK = (() => {
  const setup = JSON.parse(document.getElementById("setup").textContent);
  const words = setup.words;

  // A kiosk, board or rating pad is opened by its machine key (?key=...): the page keeps it for
  // this tab and sends it on its own calls. A logged-in page sends its session's CSRF token.
  const KEY_STORE = "hk_key";
  const given = new URLSearchParams(window.location.search).get("key");
  if (given) sessionStorage.setItem(KEY_STORE, given);
  const machineKey = given || sessionStorage.getItem(KEY_STORE);

  /** The page word for key, with {name} fields filled in. */
  function t(key, fields) {
    let text = words[key] !== undefined ? words[key] : key;
    if (fields) {
      for (const [name, value] of Object.entries(fields)) {
        text = text.split("{" + name + "}").join(String(value));
      }
    }
    return text;
  }

  /** Pick the page language from a {zh, en} object (or return a plain string). */
  function pick(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    return value[setup.lang] || value.zh || "";
  }

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
      this.detail = detail;
    }
  }

  /** Call the API; resolves to the JSON body, rejects with ApiError (status 0: no network). */
  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" } };
    if (machineKey) options.headers["X-Hall-Key"] = machineKey;
    if (setup.csrf && method !== "GET") options.headers["X-CSRF-Token"] = setup.csrf;
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch("/api/v1" + path, options);
    } catch (err) {
      throw new ApiError(0, String(err));
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_err) {
      data = null;
    }
    if (!response.ok) {
      // A coded refusal carries its message in both languages: show the page's own.
      let detail = data && data.message ? pick(data.message) : undefined;
      if (!detail) detail = data && data.detail !== undefined ? data.detail : response.statusText;
      if (typeof detail !== "string") detail = JSON.stringify(detail);
      throw new ApiError(response.status, detail);
    }
    return data;
  }

  const KINDS = [
    "ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.no_show",
    "ticket.suspended", "ticket.finished", "ticket.transferred", "ticket.rated",
    "window.state", "appointment.booked", "appointment.checked_in", "committed.completed",
    "device.printer", "device.keypad_refused", "print.state", "voice.ready",
    "alert.raised", // supervisors' pages only: the stream sends it to those who read alerts
  ];

  /**
   * Listen to /api/v1/events. EventSource reconnects by itself (sending Last-Event-ID); when the
   * browser gives up (readyState CLOSED) a new one is opened after a pause. onResync runs after
   * every (re)connection and on the server's "reset", so the page reloads its state.
   */
  function live(onEvent, onResync) {
    const notice = document.getElementById("live-notice");
    let source = null;
    let retry = 1000;
    function connect() {
      // EventSource sends no headers: the key goes in the address (a session goes as its cookie)
      const query = machineKey ? "?key=" + encodeURIComponent(machineKey) : "";
      source = new EventSource("/api/v1/events" + query);
      source.addEventListener("open", () => {
        retry = 1000;
        if (notice) notice.hidden = true;
        onResync();
      });
      source.addEventListener("error", () => {
        if (notice) notice.hidden = false;
        if (source.readyState === EventSource.CLOSED) {
          setTimeout(connect, retry);
          retry = Math.min(retry * 2, 15000);
        }
      });
      source.addEventListener("reset", () => onResync());
      for (const kind of KINDS) {
        source.addEventListener(kind, (message) => {
          let data;
          try {
            data = JSON.parse(message.data);
          } catch (_err) {
            return;
          }
          onEvent(kind, data);
        });
      }
    }
    connect();
    return () => source && source.close();
  }

  /** Run fn at most once per wait ms (trailing call kept). */
  function debounce(fn, wait) {
    let timer = null;
    return () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, wait);
    };
  }

  /** Create an element: el("li", {class: "x", text: "y"}, [children]). */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  /** Minutes and seconds since an ISO instant: "12:05". */
  function since(iso, nowMs) {
    if (!iso) return "";
    const seconds = Math.max(0, Math.floor(((nowMs || Date.now()) - Date.parse(iso)) / 1000));
    const m = Math.floor(seconds / 60);
    const s = String(seconds % 60).padStart(2, "0");
    return m + ":" + s;
  }

  function startClock() {
    const node = document.getElementById("clock");
    if (!node) return;
    const tick = () => {
      node.textContent = new Date().toLocaleTimeString(setup.lang === "zh" ? "zh-CN" : "en-GB", {
        hour: "2-digit", minute: "2-digit", timeZone: setup.zone || undefined,
      });
    };
    tick();
    setInterval(tick, 10000);
  }

  function show(id, visible) {
    document.getElementById(id).hidden = !visible;
  }

  document.addEventListener("DOMContentLoaded", startClock);
  return { setup, t, pick, api, ApiError, live, debounce, el, since, show };
})();

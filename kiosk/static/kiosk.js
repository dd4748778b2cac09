/* Kiosk (取号): service buttons, priority lane, appointment check-in, the ticket on screen. */
"use strict";

(() => {
  const { t, pick, api, el, live, debounce, setup } = HK;
  const IDLE_MS = 60000; // any screen but the start one returns home after this long untouched
  const TICKET_SECONDS = 30; // the ticket stays on screen this long
  const SCREENS = ["start", "priority", "check-in", "ticket", "error"];
  let screen = "start";
  let lastTouch = Date.now();
  let priorityReason = null;
  let entryMode = "code";
  const CODE_DIGITS = 16; // an appointment's check-in code (kiosk.appointments.CODE_DIGITS)
  let entry = "";
  let countdown = null;
  let printerOk = true;
  let myPrinter = null; // this kiosk's printer's name (from /queue-devices)
  let busy = false;

  function showScreen(name) {
    screen = name;
    for (const s of SCREENS) document.getElementById("screen-" + s).hidden = s !== name;
    if (countdown) {
      clearInterval(countdown);
      countdown = null;
    }
  }

  function home() {
    priorityReason = null;
    entry = "";
    updatePriority();
    showScreen("start");
    refresh();
  }

  function updatePriority() {
    const prompt = document.getElementById("start-prompt");
    const button = document.getElementById("btn-priority");
    if (priorityReason) {
      prompt.textContent = t("priority_on", { reason: t("reason." + priorityReason) });
      button.classList.add("active");
    } else {
      prompt.textContent = t("choose_service");
      button.classList.remove("active");
    }
  }

  function renderServices(rows) {
    const groups = new Map();
    for (const row of rows) {
      const name = row.group || "";
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(row);
    }
    const box = document.getElementById("groups");
    box.replaceChildren();
    for (const [name, services] of groups) {
      const buttons = services.map((s) =>
        el("button", {
          type: "button",
          class: "service-button",
          dataset: { service: s.service },
          onclick: () => take(s.service),
        }, [
          el("span", { class: "service-name", text: pick(s.name) }),
          el("span", { class: "service-waiting", text: t("waiting_n", { n: s.waiting }) }),
        ]));
      box.append(el("div", { class: "group" }, [
        el("h3", { text: name }),
        el("div", { class: "service-buttons" }, buttons),
      ]));
    }
  }

  async function refresh() {
    try {
      const body = await api("GET", "/queue");
      renderServices(body.data);
    } catch (err) {
      document.getElementById("live-notice").hidden = false;
    }
  }

  async function take(service) {
    if (busy) return;
    busy = true;
    try {
      const body = { service };
      if (priorityReason) body.priority_reason = priorityReason;
      showTicket(await api("POST", "/tickets", body));
    } catch (err) {
      showError(t("take_failed"), err);
    } finally {
      busy = false;
    }
  }

  function showTicket(ticket) {
    document.getElementById("ticket-code").textContent = ticket.code;
    document.getElementById("ticket-service").textContent = pick(ticket.service_name);
    const channel = ticket.channel !== "normal" ? pick(ticket.channel_text) : "";
    document.getElementById("ticket-channel").textContent = channel;
    document.getElementById("ticket-ahead").textContent = pick(ticket.ahead_text);
    document.getElementById("ticket-wait").textContent = pick(ticket.wait_text);
    document.getElementById("ticket-printer").hidden = printerOk;
    const docs = document.getElementById("ticket-docs");
    docs.replaceChildren(...ticket.documents.map((d) => el("li", { text: d })));
    if (!ticket.documents.length) docs.append(el("li", { class: "muted", text: t("no_documents") }));
    showScreen("ticket");
    let left = TICKET_SECONDS;
    const note = document.getElementById("countdown");
    note.textContent = t("returning", { s: left });
    countdown = setInterval(() => {
      left -= 1;
      note.textContent = t("returning", { s: left });
      if (left <= 0) home();
    }, 1000);
  }

  function showError(title, err) {
    document.getElementById("error-title").textContent = title;
    let detail = err.detail || String(err);
    if (err.status === 0) detail = t("network_error");
    if (err.status === 404 && screen === "check-in") detail = t("not_found");
    document.getElementById("error-detail").textContent = detail;
    showScreen("error");
  }

  // --- appointment check-in with an on-screen keypad ---

  function setMode(mode) {
    entryMode = mode;
    entry = "";
    for (const tab of document.querySelectorAll(".tab")) {
      tab.classList.toggle("active", tab.dataset.mode === mode);
    }
    document.getElementById("entry-prompt").textContent = t(mode === "code" ? "enter_code" : "enter_id");
    buildKeypad();
    updateEntry();
  }

  function updateEntry() {
    // a booking code shows in groups of four, as on the booking's message
    document.getElementById("entry").textContent =
      entryMode === "code" ? entry.replace(/(\d{4})(?=\d)/g, "$1 ") : entry;
    const needed = entryMode === "code" ? CODE_DIGITS : 18;
    document.getElementById("btn-confirm").disabled = entry.length !== needed;
    document.getElementById("check-in-error").hidden = true;
  }

  function press(key) {
    const limit = entryMode === "code" ? CODE_DIGITS : 18;
    if (key === "del") entry = entry.slice(0, -1);
    else if (key === "clear") entry = "";
    else if (entry.length < limit) {
      // X is only the last character of an ID number
      if (key === "X" && (entryMode !== "id" || entry.length !== 17)) return;
      entry += key;
    }
    updateEntry();
  }

  function buildKeypad() {
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", entryMode === "id" ? "X" : "clear", "0", "del"];
    const pad = document.getElementById("keypad");
    pad.replaceChildren(...keys.map((k) => el("button", {
      type: "button",
      class: "key" + (k.length > 1 ? " key-word" : ""),
      dataset: { key: k },
      text: k === "del" ? t("delete") : k === "clear" ? t("clear") : k,
      onclick: () => press(k),
    })));
  }

  async function confirmCheckIn() {
    if (busy) return;
    busy = true;
    const body = entryMode === "code" ? { code: entry } : { id_number: entry };
    try {
      showTicket(await api("POST", "/appointments/check-in", body));
    } catch (err) {
      showError(t("check_in_failed"), err);
    } finally {
      busy = false;
    }
  }

  // --- printer state ---

  function setPrinter(ok, text) {
    printerOk = ok;
    const notice = document.getElementById("printer-notice");
    notice.textContent = ok ? "" : pick(text) || t("printer_down");
    notice.hidden = ok;
    document.getElementById("ticket-printer").hidden = ok;
  }

  async function loadPrinter() {
    try {
      const status = await api("GET", "/queue-devices");
      if (status.configured && status.printer) {
        myPrinter = status.printer.name;
        setPrinter(status.printer.ok, status.printer.text);
      }
    } catch (_err) {
      /* the page works without it */
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("reasons").append(...setup.reasons.map((r) => el("button", {
      type: "button",
      class: "big choice",
      dataset: { reason: r },
      text: t("reason." + r),
      onclick: () => {
        priorityReason = r;
        updatePriority();
        showScreen("start");
      },
    })));
    document.getElementById("btn-priority").addEventListener("click", () => {
      if (priorityReason) {
        priorityReason = null;
        updatePriority();
      } else showScreen("priority");
    });
    document.getElementById("btn-check-in").addEventListener("click", () => {
      setMode("code");
      showScreen("check-in");
    });
    for (const tab of document.querySelectorAll(".tab")) {
      tab.addEventListener("click", () => setMode(tab.dataset.mode));
    }
    document.getElementById("btn-confirm").addEventListener("click", confirmCheckIn);
    for (const button of document.querySelectorAll("[data-home]")) button.addEventListener("click", home);
    document.addEventListener("pointerdown", () => { lastTouch = Date.now(); }, true);
    setInterval(() => {
      const leftover = screen !== "start" || priorityReason; // never pass a choice on
      if (leftover && screen !== "ticket" && Date.now() - lastTouch > IDLE_MS) home();
    }, 1000);
    const later = debounce(refresh, 1000);
    live((kind, data) => {
      if (kind === "device.printer" && (!data.printer || data.printer === myPrinter)) {
        setPrinter(data.ok, data.text);
      }
      else if (kind.startsWith("ticket.") || kind === "window.state") later();
    }, () => {
      refresh();
      loadPrinter();
    });
    refresh();
    loadPrinter();
  });
})();

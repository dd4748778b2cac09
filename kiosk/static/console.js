/* Window console (窗口): call, recall, start, no-show, suspend, call back, finish, transfer,
   pause / resume / away / back; this window's queue, live over SSE. */
"use strict";

(() => {
  const { t, pick, api, el, live, debounce, since, setup } = HK;
  const number = setup.window.number;
  let state = null; // the last /windows/{n}/queue answer
  let transferChoice = null; // {to_window} or {to_service}

  function message(text, ok) {
    const node = document.getElementById("message");
    node.textContent = text || "";
    node.classList.toggle("ok", Boolean(ok));
    node.hidden = !text;
  }

  async function act(path, body) {
    message("");
    try {
      const result = await api("POST", "/windows/" + number + "/" + path, body);
      await refresh();
      return result;
    } catch (err) {
      message(t("refused") + (err.status === 0 ? t("network_error") : err.detail));
      await refresh();
      return null;
    }
  }

  function staffBody() {
    return { staff_no: document.getElementById("staff").value };
  }

  function renderCurrent() {
    const box = document.getElementById("current");
    const cur = state && state.current;
    if (!cur) {
      box.replaceChildren(el("p", { class: "muted", text: t("nobody") }));
      return;
    }
    const begun = cur.started_at || cur.called_at;
    box.replaceChildren(
      el("p", { class: "current-code", text: cur.code }),
      el("p", { class: "current-service", text: pick(cur.service_name) }),
      el("p", { class: "current-status" }, [
        el("span", { class: "badge status-" + cur.status, text: pick(cur.status_text) }),
        cur.channel !== "normal" ? el("span", { class: "badge channel", text: pick(cur.channel_text) }) : "",
        cur.recalls ? el("span", { class: "muted", text: " ×" + cur.recalls }) : "",
      ]),
      el("p", { class: "current-time" }, [
        t("time_spent") + " ",
        el("span", { id: "elapsed", dataset: { since: begun || "" }, text: since(begun) }),
      ]),
      el("p", { class: "current-print" }, [
        t("print_state") + " ",
        el("span", {
          class: "badge print-" + (cur.print ? cur.print.state : "none"),
          text: cur.print ? pick(cur.print.text) : t("not_printed_yet"),
        }),
        " ",
        el("button", { type: "button", class: "small", id: "reprint", text: t("reprint"), onclick: () => reprint(cur) }),
      ]),
      el("ul", { class: "docs small" }, cur.documents.map((d) => el("li", { text: d }))),
    );
  }

  async function reprint(ticket) {
    message("");
    try {
      await api("POST", "/tickets/" + ticket.id + "/reprint");
      message(t("reprint_sent", { code: ticket.code }), true);
    } catch (err) {
      message(t("refused") + (err.status === 0 ? t("network_error") : err.detail));
    }
    await refresh();
  }

  function ticketRow(ticket, buttonText, onClick) {
    const waited = since(ticket.issued_at);
    return el("li", { dataset: { ticket: ticket.id } }, [
      el("span", { class: "code", text: ticket.code }),
      el("span", { class: "service", text: pick(ticket.service_name) }),
      ticket.channel !== "normal" ? el("span", { class: "badge channel", text: pick(ticket.channel_text) }) : "",
      el("span", { class: "muted", text: t("waited") + " " + waited }),
      el("button", { type: "button", class: "small", text: buttonText, onclick: onClick }),
    ]);
  }

  function render() {
    const win = state.window;
    const badge = document.getElementById("window-state");
    badge.textContent = pick(win.state_text);
    badge.className = "badge state-" + win.state;
    const staff = document.getElementById("staff");
    if (win.staff_no && [...staff.options].some((o) => o.value === win.staff_no)) staff.value = win.staff_no;
    renderCurrent();
    document.getElementById("waiting-count").textContent = "(" + state.waiting.length + ")";
    const waiting = document.getElementById("waiting");
    waiting.replaceChildren(...state.waiting.map((tk) => ticketRow(tk, t("call_this"),
      () => act("call", { ticket_id: tk.id, ...staffBody() }))));
    if (!state.waiting.length) waiting.append(el("li", { class: "muted", text: t("empty") }));
    const suspended = document.getElementById("suspended");
    suspended.replaceChildren(...state.suspended.map((tk) => ticketRow(tk, t("call_back"),
      () => act("call-back", { ticket_id: tk.id, ...staffBody() }))));
    if (!state.suspended.length) suspended.append(el("li", { class: "muted", text: t("empty") }));
  }

  async function refresh() {
    try {
      state = await api("GET", "/windows/" + number + "/queue");
      render();
    } catch (err) {
      message(t("refused") + (err.status === 0 ? t("network_error") : err.detail));
    }
  }

  // --- dialogs ---

  function openMissing() {
    const cur = state && state.current;
    const box = document.getElementById("missing-docs");
    box.replaceChildren(...(cur ? cur.documents : []).map((d) => el("label", { class: "check" }, [
      el("input", { type: "checkbox", value: d }), " " + d,
    ])));
    document.getElementById("missing-other").value = "";
    document.getElementById("missing-dialog").showModal();
  }

  async function confirmMissing(event) {
    event.preventDefault();
    const docs = [...document.querySelectorAll("#missing-docs input:checked")].map((i) => i.value);
    const other = document.getElementById("missing-other").value.trim();
    if (other) docs.push(other);
    document.getElementById("missing-dialog").close();
    await act("finish", { outcome: "missing_documents", missing_documents: docs });
  }

  async function openTransfer() {
    transferChoice = null;
    document.getElementById("transfer-confirm").disabled = true;
    document.getElementById("come-back").checked = false;
    const [windows, queue] = await Promise.all([api("GET", "/windows-live"), api("GET", "/queue")]);
    const choose = (button, choice) => {
      for (const b of document.querySelectorAll("#transfer-dialog .choice")) b.classList.remove("active");
      button.classList.add("active");
      transferChoice = choice;
      document.getElementById("transfer-confirm").disabled = false;
    };
    document.getElementById("transfer-windows").replaceChildren(...windows.data
      .filter((w) => w.window !== number)
      .map((w) => {
        const open = w.state === "idle" || w.state === "serving";
        const button = el("button", {
          type: "button", class: "choice", disabled: !open, dataset: { window: w.window },
          text: w.name + (open ? "" : " (" + pick(w.state_text) + ")"),
        });
        button.addEventListener("click", () => choose(button, { to_window: w.window }));
        return button;
      }));
    document.getElementById("transfer-services").replaceChildren(...queue.data.map((s) => {
      const button = el("button", {
        type: "button", class: "choice", disabled: !s.open_windows.length, dataset: { service: s.service },
        text: pick(s.name),
      });
      button.addEventListener("click", () => choose(button, { to_service: s.service }));
      return button;
    }));
    document.getElementById("transfer-dialog").showModal();
  }

  async function confirmTransfer(event) {
    event.preventDefault();
    if (!transferChoice) return;
    document.getElementById("transfer-dialog").close();
    const body = { ...transferChoice, come_back: document.getElementById("come-back").checked };
    const leg = await act("transfer", body);
    if (leg && leg.target_window) message(t("window_n", { n: leg.target_window }) + " ← " + leg.code, true);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll("[data-act]")) {
      button.addEventListener("click", () => {
        const action = button.dataset.act;
        let body;
        if (["call-next", "pause", "resume", "away", "back"].includes(action)) body = staffBody();
        if (action === "finish") body = { outcome: "done" };
        act(action, body);
      });
    }
    document.querySelector('[data-open="missing-dialog"]').addEventListener("click", openMissing);
    document.querySelector('[data-open="transfer-dialog"]').addEventListener("click", () => {
      openTransfer().catch((err) => message(t("refused") + err.detail));
    });
    document.getElementById("missing-form").addEventListener("submit", confirmMissing);
    document.getElementById("transfer-form").addEventListener("submit", confirmTransfer);
    for (const button of document.querySelectorAll("[data-close]")) {
      button.addEventListener("click", () => button.closest("dialog").close());
    }
    setInterval(() => {
      const node = document.getElementById("elapsed");
      if (node && node.dataset.since) node.textContent = since(node.dataset.since);
    }, 1000);
    const later = debounce(refresh, 150);
    live((kind, data) => {
      if (kind === "device.keypad_refused" && data.window === number) message(t("refused") + (data.message ? HK.pick(data.message) : data.detail));
      else if (kind.startsWith("ticket.") || kind === "window.state" || kind === "print.state") later();
    }, refresh);
    refresh();
  });
})();

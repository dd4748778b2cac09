/* Kiosk service page (取号机维护): the printer's state, today's tickets with their print state,
   and printing one again. For the hall's staff, logged in. */
"use strict";

(() => {
  const { t, pick, api, el, live, debounce, setup } = HK;
  let myPrinter = null; // the printer whose state this page shows (from /queue-devices)

  function message(text, ok) {
    const node = document.getElementById("message");
    node.textContent = text || "";
    node.classList.toggle("ok", Boolean(ok));
    node.hidden = !text;
  }

  function clockTime(iso) {
    return new Date(iso).toLocaleTimeString(setup.lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: setup.zone, hour: "2-digit", minute: "2-digit",
    });
  }

  async function reprint(row) {
    message("");
    try {
      await api("POST", "/tickets/" + row.id + "/reprint");
      message(t("reprint_sent", { code: row.code }), true);
    } catch (err) {
      message(t("refused") + (err.status === 0 ? t("network_error") : err.detail));
    }
    await refresh();
  }

  function printCell(row) {
    if (!row.print) return el("span", { class: "muted", text: t("not_printed_yet") });
    return el("span", { class: "badge print-" + row.print.state, text: pick(row.print.text) });
  }

  function render(body) {
    const rows = body.data.map((row) => el("tr", { dataset: { ticket: row.id } }, [
      el("td", { class: "code", text: row.code }),
      el("td", { text: clockTime(row.issued_at) }),
      el("td", { text: pick(row.status_text) }),
      el("td", { text: row.window ? t("window_n", { n: row.window }) : "" }),
      el("td", {}, [printCell(row)]),
      el("td", {}, [el("button", {
        type: "button", class: "small", dataset: { reprint: row.id }, text: t("reprint"),
        onclick: () => reprint(row),
      })]),
    ]));
    const tbody = document.getElementById("prints");
    tbody.replaceChildren(...rows);
    if (!rows.length) tbody.append(el("tr", {}, [el("td", { class: "muted", text: t("empty") })]));
    document.getElementById("printer-waiting").textContent = t("waiting_prints", { n: body.waiting });
  }

  function setPrinter(ok, text) {
    const node = document.getElementById("printer-state");
    node.textContent = ok ? t("printer_ok") : pick(text);
    node.classList.toggle("down", !ok);
  }

  async function loadPrinter() {
    try {
      const status = await api("GET", "/queue-devices");
      if (status.configured && status.printer) {
        myPrinter = status.printer.name;
        setPrinter(status.printer.ok, status.printer.text);
      }
    } catch (_err) {
      /* the list works without it */
    }
  }

  async function refresh() {
    try {
      render(await api("GET", "/ticket-prints"));
    } catch (err) {
      message(t("refused") + (err.status === 0 ? t("network_error") : err.detail));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const later = debounce(refresh, 300);
    live((kind, data) => {
      if (kind === "device.printer" && (!data.printer || data.printer === myPrinter)) {
        setPrinter(data.ok, data.text);
      }
      if (kind === "print.state" || kind.startsWith("ticket.")) later();
    }, () => {
      refresh();
      loadPrinter();
    });
    refresh();
    loadPrinter();
  });
})();

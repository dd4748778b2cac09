/* The citizen's ticket on their phone (/my-ticket/{token}, opened from the ticket's QR code):
   place in the queue, estimated wait, the window once called, the documents to bring. It reads
   only its own ticket; the hall's public events just tell it when to look again. */
"use strict";

(() => {
  const { setup, t, pick, api, live, debounce, show } = HK;
  const token = setup.token;

  function text(id, value) {
    document.getElementById(id).textContent = value;
  }

  function list(id, items) {
    const node = document.getElementById(id);
    node.replaceChildren(...items.map((item) => HK.el("li", { text: item })));
  }

  function render(ticket) {
    show("mine-missing", false);
    show("mine", true);
    text("mine-code", ticket.code);
    text("mine-service", pick(ticket.service_name));
    text("mine-status", pick(ticket.status_text));
    const status = ticket.status;
    document.getElementById("mine").dataset.status = status;
    const call = document.getElementById("mine-call");
    if ((status === "called" || status === "serving") && ticket.window_number) {
      call.textContent = t(status === "called" ? "mine_called" : "mine_serving", {
        window: ticket.window_number,
      });
      call.hidden = false;
    } else {
      call.hidden = true;
    }
    const waiting = status === "waiting" && ticket.ahead !== undefined;
    show("mine-queue", waiting);
    if (waiting) {
      text("mine-ahead", ticket.ahead === 0 ? t("mine_first") : pick(ticket.ahead_text));
      text("mine-wait", pick(ticket.wait_text));
    }
    const documents = ticket.documents || [];
    show("mine-docs", documents.length > 0 && status !== "finished");
    list("mine-documents", documents);
    const notice = ticket.notice;
    show("mine-notice", Boolean(notice));
    if (notice) {
      text("mine-notice-title", pick(notice.title));
      text("mine-notice-intro", pick(notice.intro));
      list("mine-notice-items", notice.documents || []);
    }
    const time = new Date().toLocaleTimeString(setup.lang === "zh" ? "zh-CN" : "en-GB", {
      hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: setup.zone || undefined,
    });
    text("mine-updated", t("mine_updated", { time }));
  }

  async function load() {
    try {
      render(await api("GET", "/my-ticket/" + encodeURIComponent(token)));
    } catch (err) {
      if (err.status === 404 || err.status === 422) {
        show("mine", false);
        show("mine-missing", true);
      }
    }
  }

  const reload = debounce(load, 300);
  document.addEventListener("DOMContentLoaded", () => {
    load();
    live((kind) => {
      if (kind.startsWith("ticket.") || kind === "window.state") reload();
    }, reload);
    setInterval(load, 30000); // estimates move with time, not only with events
  });
})();

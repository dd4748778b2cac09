/* Rating pad (评价器): attitude, quality, efficiency, integrity and overall, 1-5, once per ticket. */
"use strict";

(() => {
  const { t, pick, api, el, live, setup } = HK;
  const number = setup.window.number;
  const DIMENSIONS = ["attitude", "quality", "efficiency", "integrity", "overall"];
  const AFTER_MS = 6000; // the thanks (or refusal) screen stays this long
  let ticket = null;
  let scores = {};
  let resting = null; // timer back to the idle screen

  function showScreen(name) {
    for (const s of ["idle", "form", "thanks", "refused"]) {
      document.getElementById("screen-" + s).hidden = s !== name;
    }
  }

  function rest(after) {
    clearTimeout(resting);
    resting = setTimeout(() => {
      resting = null;
      ticket = null;
      showScreen("idle");
      loadPending();
    }, after);
  }

  function buildRows() {
    const rows = document.getElementById("rows");
    rows.replaceChildren(...DIMENSIONS.map((dim) => el("div", { class: "rate-row", dataset: { dim } }, [
      el("span", { class: "rate-label", text: t("rating." + dim) }),
      el("div", { class: "stars" }, [1, 2, 3, 4, 5].map((n) => el("button", {
        type: "button",
        class: "star",
        dataset: { score: n },
        title: t("score_" + n),
        "aria-label": t("rating." + dim) + " " + n,
        onclick: () => choose(dim, n),
      }, [el("span", { class: "star-mark", text: "★" }), el("span", { class: "star-word", text: t("score_" + n) })]))),
    ])));
  }

  function choose(dim, n) {
    scores[dim] = n;
    const row = document.querySelector('.rate-row[data-dim="' + dim + '"]');
    for (const star of row.querySelectorAll(".star")) {
      star.classList.toggle("on", Number(star.dataset.score) <= n);
    }
    document.getElementById("btn-submit").disabled = DIMENSIONS.some((d) => !scores[d]);
  }

  function showForm(found) {
    clearTimeout(resting);
    ticket = found;
    scores = {};
    buildRows();
    document.getElementById("rate-code").textContent = found.code;
    document.getElementById("rate-service").textContent = pick(found.service_name);
    document.getElementById("rate-error").hidden = true;
    document.getElementById("btn-submit").disabled = true;
    showScreen("form");
    rest(120000); // nobody rated: give the pad back after two minutes
  }

  async function submit() {
    if (!ticket) return;
    const button = document.getElementById("btn-submit");
    button.disabled = true;
    try {
      await api("POST", "/tickets/" + ticket.id + "/rating", scores);
      showScreen("thanks");
      rest(AFTER_MS);
    } catch (err) {
      if (err.status === 409) {
        showScreen("refused");
        rest(AFTER_MS);
      } else {
        const node = document.getElementById("rate-error");
        node.textContent = err.status === 0 ? t("network_error") : err.detail;
        node.hidden = false;
        button.disabled = false;
      }
    }
  }

  async function loadTicket(id) {
    try {
      showForm(await api("GET", "/tickets/" + id));
    } catch (_err) {
      showScreen("idle");
    }
  }

  async function loadPending() {
    if (ticket) return;
    try {
      const body = await api("GET", "/windows/" + number + "/to-rate");
      if (body.ticket && !ticket) showForm(body.ticket);
    } catch (_err) {
      /* stay idle */
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("btn-submit").addEventListener("click", submit);
    live((kind, data) => {
      if ((kind === "ticket.finished" || kind === "ticket.transferred") && data.window === number) {
        loadTicket(data.ticket_id);
      } else if (kind === "ticket.rated" && ticket && data.ticket_id === ticket.id
                 && document.getElementById("screen-form").hidden === false) {
        showScreen("thanks"); // rated on the evaluator keypad meanwhile
        rest(AFTER_MS);
      }
    }, loadPending);
    if (setup.ticket_id) loadTicket(setup.ticket_id);
    else loadPending();
  });
})();

/* Supervisor dashboard (监督大屏): windows now, queues, limits exceeded, today's statistics;
   the attendance and alert panels are supervisor_side.js's, the charts supervisor_charts.js's. */
"use strict";

(() => {
  const { t, pick, api, el, live, debounce } = HK;
  const AWAY_LIMIT_S = 30 * 60; // away this long is off post (hall rule A3's default)
  let serviceNames = new Map();

  function windowCard(w) {
    const ticket = w.ticket;
    return el("div", { class: "sup-window state-" + w.state + (w.over_service_limit ? " over" : ""), dataset: { window: w.window } }, [
      el("div", { class: "sup-window-head" }, [
        el("strong", { text: t("window_n", { n: w.window }) }),
        el("span", { class: "badge state-" + w.state, text: pick(w.state_text) }),
      ]),
      el("div", { class: "muted", text: w.name }),
      el("div", { class: "sup-staff", text: t("staff") + ": " + (w.staff_name || w.staff_no || "—") }),
      el("div", { class: "sup-ticket", text: ticket ? ticket.code + " · " + (HK.setup.lang === "en" ? ticket.service_en : ticket.service) : "—" }),
      el("div", { class: "muted", text: ticket && ticket.minutes !== null ? ticket.minutes + " " + t("minutes") : Math.round((w.seconds_in_state || 0) / 60) + " " + t("minutes") }),
    ]);
  }

  function limits(windows, queues) {
    const out = [];
    for (const q of queues) {
      const service = pick(q.name);
      if (q.over_max_wait) out.push(t("over_wait", { service, m: q.oldest_wait_minutes, max: q.max_wait_minutes }));
      if (q.over_limit) out.push(t("over_queue", { service, n: q.waiting }));
    }
    for (const w of windows) {
      if (w.over_service_limit) {
        out.push(t("over_service", { n: w.window, code: w.ticket.code, m: w.ticket.minutes, max: w.ticket.max_service_minutes }));
      }
      if (w.state === "away" && w.seconds_in_state > AWAY_LIMIT_S) {
        out.push(t("long_away", { n: w.window, state: pick(w.state_text), m: Math.round(w.seconds_in_state / 60) }));
      }
    }
    return out;
  }

  async function loadLive() {
    try {
      const [sup, queue] = await Promise.all([api("GET", "/supervision"), api("GET", "/queue")]);
      serviceNames = new Map(queue.data.map((q) => [q.service, pick(q.name)]));
      document.getElementById("windows").replaceChildren(...sup.data.map(windowCard));
      document.getElementById("queues").replaceChildren(...queue.data.map((q) => el("tr", { class: q.over_max_wait || q.over_limit ? "over" : "" }, [
        el("td", { text: pick(q.name) }),
        el("td", { class: "num", text: String(q.waiting) }),
        el("td", { class: "num", text: q.oldest_wait_minutes === null ? "—" : String(q.oldest_wait_minutes) }),
        el("td", { class: "num", text: q.waiting ? q.estimated_wait_minutes + t("minutes") : "—" }),
        el("td", { text: q.open_windows.join("、") || "—" }),
      ])));
      SupCharts.bars(document.getElementById("chart-waiting"), queue.data.map((q) => pick(q.name)),
        [{ name: t("waiting"), values: queue.data.map((q) => q.waiting) }], { empty: t("no_data"), horizontal: true });
      const found = limits(sup.data, queue.data);
      const list = document.getElementById("limits");
      list.replaceChildren(...found.map((text) => el("li", { class: "over", text })));
      if (!found.length) list.append(el("li", { class: "ok", text: t("no_limits") }));
    } catch (_err) {
      document.getElementById("live-notice").hidden = false;
    }
  }

  function weighted(rows, value, weight) {
    let sum = 0, count = 0;
    for (const r of rows) {
      if (r[value] !== null && r[weight]) {
        sum += r[value] * r[weight];
        count += r[weight];
      }
    }
    return count ? Math.round((sum / count) * 10) / 10 : null;
  }

  function totals(rows) {
    const add = (key) => rows.reduce((n, r) => n + (r[key] || 0), 0);
    const onTime = add("committed_on_time"), late = add("committed_late");
    const items = [
      [t("tickets"), add("tickets")],
      [t("served"), add("served")],
      [t("no_shows"), add("no_shows")],
      [t("wait_mean"), weighted(rows, "wait_mean_min", "called")],
      [t("service_mean"), weighted(rows, "service_mean_min", "served")],
      [t("rating_mean"), weighted(rows, "rating_overall", "ratings")],
      [t("on_time"), onTime + late ? Math.round((onTime / (onTime + late)) * 1000) / 10 + "%" : null],
    ];
    document.getElementById("totals").replaceChildren(...items.map(([label, value]) => el("div", { class: "total" }, [
      el("span", { class: "total-value", text: value === null ? "—" : String(value) }),
      el("span", { class: "total-label", text: label }),
    ])));
  }

  async function loadStats() {
    try {
      const [hour, service, win, staff] = await Promise.all(
        ["hour", "service", "window", "staff"].map((by) => api("GET", "/stats?by=" + by)));
      const empty = t("no_data");
      totals(service.data);
      SupCharts.bars(document.getElementById("chart-hour"), hour.data.map((r) => t("hour_n", { h: r.key })), [
        { name: t("tickets"), values: hour.data.map((r) => r.tickets) },
        { name: t("calls"), values: hour.data.map((r) => r.called) },
        { name: t("legend_wait"), values: hour.data.map((r) => r.wait_mean_min), type: "line", axis: 1 },
      ], { empty });
      SupCharts.bars(document.getElementById("chart-staff"), staff.data.map((r) => (r.name ? pick(r.name) : r.key)),
        [{ name: t("served"), values: staff.data.map((r) => r.served) }], { empty, horizontal: true });
      SupCharts.bars(document.getElementById("chart-rating"), win.data.map((r) => String(r.key)),
        [{ name: t("rating_mean"), values: win.data.map((r) => r.rating_overall) }],
        { empty, max: 5, axisName: t("window") });
    } catch (_err) {
      document.getElementById("live-notice").hidden = false;
    }
  }

  async function loadSide() {
    try {
      await Promise.all([SupSide.loadAttendance(), SupSide.loadAlerts()]);
    } catch (_err) {
      document.getElementById("live-notice").hidden = false;
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const liveLater = debounce(loadLive, 1000);
    const statsLater = debounce(loadStats, 3000);
    const sideLater = debounce(loadSide, 250); // a burst of alerts: one reload
    live((kind) => {
      if (kind === "alert.raised") sideLater(); // an alert was committed: the list at once
      if (kind.startsWith("ticket.") || kind === "window.state") liveLater();
      if (["ticket.finished", "ticket.no_show", "ticket.rated", "ticket.transferred"].includes(kind)) statsLater();
    }, () => {
      liveLater();
      statsLater();
      sideLater(); // alerts raised while the stream was down
    });
    setInterval(loadLive, 30000); // waits grow with no event at all
    setInterval(loadStats, 60000);
    // Alerts arrive as events (alert.raised); the poll finds those of another instance and
    // attendance that changed without an alert.
    setInterval(loadSide, 15000);
    SupSide.watchFilters();
    await loadLive();
    loadStats();
    loadSide();
  });
})();

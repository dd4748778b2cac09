/* The dashboard's side panels: today's attendance by name (the attendance room's board,
   GET /api/v1/attendance/board) and today's alerts with their acknowledgement
   (GET /api/v1/alerts, filtered by kind, severity and acknowledged; POST /api/v1/alerts/{id}/ack).
   The rooms are joined here, in the page:
   the queue's code never reads the attendance room's. */
"use strict";

const SupSide = (() => {
  const { t, api, el } = HK;
  // The states in the order the ring and its legend show them; "none": not judged yet.
  const STATES = [
    "normal", "late", "early", "missing", "absent", "off_post", "window_uncovered", "leave",
    "out", "away", "pending", "duty_unrecorded", "off",
  ];
  const COLOURS = {
    normal: "#2e8b57", late: "#e08a1e", early: "#f0b429", missing: "#d97706", absent: "#c0392b",
    off_post: "#8e1b10", window_uncovered: "#a93226", leave: "#5b8def", out: "#7c9fd9",
    away: "#b794f4", pending: "#9ca3af", duty_unrecorded: "#6b7280", off: "#cbd5e1",
    none: "#e5e7eb",
  };
  // A repeat or an escalation is acknowledged through the alert it follows up: shown there.
  const FOLLOW_UPS = new Set(["alert.repeat", "alert.escalation"]);

  function statusText(code) {
    return code && code !== "none" ? t("labels.status." + code) : t("att_unknown");
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString(HK.setup.lang === "zh" ? "zh-CN" : "en-GB", {
      hour: "2-digit", minute: "2-digit", timeZone: HK.setup.zone || undefined,
    });
  }

  async function loadAttendance() {
    const board = await api("GET", "/attendance/board");
    const rows = board.data;
    const counts = new Map();
    for (const r of rows) counts.set(r.status || "none", (counts.get(r.status || "none") || 0) + 1);
    const order = [...STATES, ...[...counts.keys()].filter((s) => !STATES.includes(s) && s !== "none"), "none"];
    SupCharts.ring(
      document.getElementById("chart-attendance"),
      order.filter((s) => counts.has(s)).map((s) => ({
        name: statusText(s), value: counts.get(s), colour: COLOURS[s] || "#94a3b8",
      })),
      { empty: t("no_data") },
    );
    document.getElementById("att-counts").textContent = t("staff_n", { n: rows.length });
    document.getElementById("att-staff").replaceChildren(...rows.map((r) => el("li", {
      class: "st-" + (r.status || "none"), title: r.staff_no, dataset: { staff: r.staff_no },
    }, [
      el("span", { class: "att-name", text: r.name }),
      el("span", { text: statusText(r.status) + (r.away_minutes ? " · " + t("away_m", { m: r.away_minutes }) : "") }),
    ])));
    document.getElementById("att-none").hidden = rows.length > 0;
  }

  function alertItem(a) {
    const head = [
      el("span", { class: "alert-time", text: clock(a.time) }),
      el("span", { class: "badge", text: t("alerts.robot.severity." + a.severity) }),
    ];
    if (a.repeats) head.push(el("span", { class: "muted", text: "×" + (a.repeats + 1) }));
    if (a.ack) {
      const name = a.ack.name || a.ack.by;
      head.push(el("span", { class: "alert-acked", text: t("acked_by", { name, time: clock(a.ack.at) }) }));
    } else {
      head.push(el("button", {
        class: "alert-ack", type: "button", text: t("ack"), onclick: () => acknowledge(a.id),
      }));
    }
    return el("li", {
      class: "alert sev-" + a.severity + (a.acknowledged ? " acked" : ""), dataset: { alert: a.id },
    }, [el("div", { class: "alert-head" }, head), el("div", { class: "alert-text", text: a.message || a.kind })]);
  }

  // The panel's filters (kind, severity, acknowledged), sent to GET /api/v1/alerts.
  const FILTERS = [["alert-kind", "kind"], ["alert-severity", "severity"], ["alert-state", "acknowledged"]];
  let asked = 0; // a newer load (a filter changed meanwhile) wins over an older one

  function filterQuery() {
    const query = new URLSearchParams({ limit: "1000" });
    for (const [id, name] of FILTERS) {
      const value = document.getElementById(id).value;
      if (value) query.set(name, value);
    }
    return query;
  }

  async function loadAlerts() {
    if (!HK.setup.can_ack) return;
    const query = filterQuery();
    const filtered = [...query.keys()].length > 1;
    const mine = ++asked;
    const answer = await api("GET", "/alerts?" + query.toString());
    if (mine !== asked) return;
    const shown = answer.data.filter((a) => !FOLLOW_UPS.has(a.kind));
    const open = shown.filter((a) => !a.acknowledged).length;
    document.getElementById("alert-counts").textContent = t(filtered ? "alerts_shown" : "alerts_n", { n: shown.length, open });
    document.getElementById("alerts").replaceChildren(...shown.map(alertItem));
    document.getElementById("alerts-none").hidden = shown.length > 0 || filtered;
    document.getElementById("alerts-none-match").hidden = shown.length > 0 || !filtered;
  }

  function watchFilters() {
    for (const [id] of FILTERS) {
      const node = document.getElementById(id);
      if (node) node.addEventListener("change", () => loadAlerts().catch(() => {
        document.getElementById("live-notice").hidden = false;
      }));
    }
  }

  async function acknowledge(id) {
    const problem = document.getElementById("alert-error");
    problem.hidden = true;
    try {
      await api("POST", "/alerts/" + id + "/ack", {});
    } catch (err) {
      problem.textContent = t("ack_failed") + err.detail;
      problem.hidden = false;
    }
    await loadAlerts();
  }

  return { loadAttendance, loadAlerts, watchFilters };
})();

/* The dashboard's charts: Apache ECharts (served from /static/vendor/echarts, no CDN), drawn as
   SVG in type large enough to read on a wall screen from a few metres. */
"use strict";

const SupCharts = (() => {
  const COLOURS = ["#1f4e9c", "#e08a1e", "#2e8b57", "#8e44ad", "#c0392b", "#5b8def"];
  const TEXT = {
    fontFamily: '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif',
    fontSize: 15,
    color: "#1f2937",
  };
  const charts = new Map(); // box id -> ECharts instance

  function chartOf(box) {
    let chart = charts.get(box.id);
    if (!chart) {
      box.replaceChildren();
      chart = echarts.init(box, null, { renderer: "svg" });
      charts.set(box.id, chart);
    }
    return chart;
  }

  function showEmpty(box, text) {
    const chart = charts.get(box.id);
    if (chart) {
      chart.dispose();
      charts.delete(box.id);
    }
    box.replaceChildren(HK.el("p", { class: "chart-empty", text }));
  }

  function valueAxis(extra) {
    return Object.assign({
      type: "value",
      axisLabel: { fontSize: 14 },
      splitLine: { lineStyle: { color: "#e5e7eb" } },
    }, extra);
  }

  /**
   * Bars (and lines) of `labels`. series: [{name, values: [number|null], type?: "bar"|"line",
   * axis?: 0|1}]; options: {empty: text when there is nothing, max, horizontal, axisName}.
   */
  function bars(box, labels, series, options) {
    const opts = options || {};
    const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
    if (!labels.length || !all.length) {
      showEmpty(box, opts.empty || "—");
      return;
    }
    const twoAxes = series.some((s) => s.axis === 1);
    const category = {
      type: "category",
      data: labels,
      name: opts.axisName,
      nameTextStyle: { fontSize: 14 },
      axisLabel: { fontSize: 15, interval: 0, hideOverlap: true },
      axisTick: { alignWithLabel: true },
    };
    const values = twoAxes
      ? [valueAxis({ minInterval: 1 }), valueAxis({ splitLine: { show: false } })]
      : valueAxis({ max: opts.max, minInterval: opts.max ? undefined : 1 });
    const legend = series.length > 1;
    chartOf(box).setOption({
      animation: false,
      color: COLOURS,
      textStyle: TEXT,
      grid: { left: 6, right: 14, top: legend ? 34 : 22, bottom: 4, containLabel: true },
      legend: legend ? { top: 0, itemGap: 18, textStyle: { fontSize: 15 } } : { show: false },
      tooltip: { trigger: "axis" },
      xAxis: opts.horizontal ? values : category,
      yAxis: opts.horizontal ? Object.assign(category, { inverse: true }) : values,
      series: series.map((s) => ({
        name: s.name,
        type: s.type || "bar",
        yAxisIndex: opts.horizontal ? 0 : s.axis || 0,
        data: s.values,
        barMaxWidth: 44,
        connectNulls: true,
        symbolSize: 8,
        label: {
          show: (s.type || "bar") === "bar",
          position: opts.horizontal ? "right" : "top",
          fontSize: 15,
        },
      })),
    }, true);
  }

  /** A ring of `parts` ([{name, value, colour}]) with a legend giving each count. */
  function ring(box, parts, options) {
    const opts = options || {};
    const shown = parts.filter((p) => p.value > 0);
    if (!shown.length) {
      showEmpty(box, opts.empty || "—");
      return;
    }
    const counts = new Map(shown.map((p) => [p.name, p.value]));
    chartOf(box).setOption({
      animation: false,
      textStyle: TEXT,
      tooltip: { trigger: "item" },
      legend: {
        orient: "vertical", left: "52%", top: "middle", itemGap: 8,
        textStyle: { fontSize: 16 },
        formatter: (name) => name + "  " + counts.get(name),
      },
      series: [{
        type: "pie",
        radius: ["42%", "78%"],
        center: ["25%", "50%"],
        label: { show: false },
        data: shown.map((p) => ({ name: p.name, value: p.value, itemStyle: { color: p.colour } })),
      }],
    }, true);
  }

  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  return { bars, ring };
})();

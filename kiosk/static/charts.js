/* Bar charts drawn as inline SVG: groups of bars (one per series) with labels and values. */
"use strict";

const HKCharts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f4e9c", "#e08a1e", "#2e8b57", "#8e44ad"];

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * Draw into `box` a bar chart of `labels` (x axis) with one bar per series in each group.
   * series: [{name, values: [number|null]}]; null draws no bar.
   */
  function bars(box, labels, series, options) {
    const opts = Object.assign({ height: 220, empty: "—", digits: 1 }, options || {});
    box.replaceChildren();
    const all = series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
    if (!labels.length || !all.length) {
      box.append(Object.assign(document.createElement("p"), { className: "muted", textContent: opts.empty }));
      return;
    }
    const max = Math.max(...all, opts.max || 0) || 1;
    const left = 8, top = 22, bottom = 40;
    const groupWidth = Math.max(36, series.length * 22 + 14);
    // a few groups keep their size instead of being stretched over the whole figure
    const width = Math.max(480, left * 2 + groupWidth * labels.length);
    const plot = opts.height - top - bottom;
    const root = svg("svg", {
      viewBox: `0 0 ${width} ${opts.height}`, width: "100%", height: opts.height, role: "img",
      preserveAspectRatio: "xMinYMin meet",
    });
    root.append(svg("line", { x1: left, y1: top + plot, x2: width - left, y2: top + plot, stroke: "#999" }));
    labels.forEach((label, i) => {
      const x0 = left + i * groupWidth + 7;
      series.forEach((s, j) => {
        const value = s.values[i];
        if (value === null || value === undefined) return;
        const h = Math.max(1, (value / max) * plot);
        const x = x0 + j * 22;
        const bar = svg("rect", { x, y: top + plot - h, width: 18, height: h, fill: COLOURS[j % COLOURS.length] });
        bar.append(svg("title", {}, `${label} · ${s.name}: ${value}`));
        root.append(bar);
        root.append(svg("text", { x: x + 9, y: top + plot - h - 4, "text-anchor": "middle", class: "chart-value" },
          Number(value).toFixed(Number.isInteger(value) ? 0 : opts.digits)));
      });
      root.append(svg("text", { x: x0 + (series.length * 22 - 4) / 2, y: top + plot + 18, "text-anchor": "middle", class: "chart-label" }, String(label)));
    });
    box.append(root);
    if (series.length > 1) {
      const legend = document.createElement("p");
      legend.className = "legend";
      series.forEach((s, j) => {
        const item = document.createElement("span");
        const swatch = document.createElement("i");
        swatch.style.background = COLOURS[j % COLOURS.length];
        item.append(swatch, " " + s.name);
        legend.append(item);
      });
      box.append(legend);
    }
  }

  return { bars };
})();

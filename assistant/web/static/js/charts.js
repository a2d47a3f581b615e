// Small inline-SVG charts: vertical bars / histogram, stacked bars with a rate line, grouped bars, progress.
// Every chart is a <svg role="img"> with an aria-label and per-mark <title> tooltips; colours come from CSS.

import { h, s } from "./dom.js";

const M = { top: 16, right: 44, bottom: 48, left: 44 };

/** Plot geometry for a viewBox of width x height (the SVG scales to its box; text stays legible). */
function box(width = 560, height = 240) {
  return { W: width, H: height, plotW: width - M.left - M.right, plotH: height - M.top - M.bottom };
}

/** A round axis maximum at or above `value`, split into four round ticks (whole ticks for counts). */
export function niceMax(value, integer = true) {
  if (!(value > 0)) return integer ? 4 : 1;
  const raw = value / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const steps = integer && power < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  for (const step of steps) {
    const tick = step * power;
    if ((!integer || Number.isInteger(tick)) && tick * 4 >= value) return tick * 4;
  }
  return 40 * power;
}

function frame(g, ariaLabel, extraClass = "") {
  return s("svg", { class: `chart ${extraClass}`.trim(), viewBox: `0 0 ${g.W} ${g.H}`, role: "img", "aria-label": ariaLabel, preserveAspectRatio: "xMidYMid meet" });
}

function yAxis(g, svg, max, format, side = "left") {
  const x0 = M.left;
  const x1 = g.W - M.right;
  const plotH = g.plotH;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = M.top + plotH - (plotH * i) / 4;
    if (side === "left") svg.append(s("line", { x1: x0, x2: x1, y1: y, y2: y, class: i ? "grid" : "axis" }));
    svg.append(
      s(
        "text",
        { x: side === "left" ? x0 - 6 : x1 + 6, y: y + 4, "text-anchor": side === "left" ? "end" : "start", class: "tick" },
        format(v),
      ),
    );
  }
}

function xLabels(g, svg, labels, slot, every = 1) {
  labels.forEach((label, i) => {
    if (i % every) return;
    svg.append(
      s("text", { x: M.left + slot * (i + 0.5), y: g.H - M.bottom + 16, "text-anchor": "middle", class: "tick" }, label),
    );
  });
}

function axisTitle(g, svg, text) {
  if (text) svg.append(s("text", { x: (M.left + g.W - M.right) / 2, y: g.H - 8, "text-anchor": "middle", class: "axis-title" }, text));
}

const intFormat = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * Vertical bars. bars: [{label, value, title?, cls?}]; options: {ariaLabel, xTitle, yFormat, valueLabels}.
 */
export function barChart(bars, { ariaLabel = "", xTitle = "", yFormat = intFormat, valueLabels = true, width, height } = {}) {
  const g = box(width, height);
  const { plotW, plotH } = g;
  const svg = frame(g, ariaLabel, "bars");
  const max = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  yAxis(g, svg, max, yFormat);
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(2, slot * 0.72);
  bars.forEach((b, i) => {
    const bh = (b.value / max) * plotH;
    const x = M.left + slot * i + (slot - barW) / 2;
    const y = M.top + plotH - bh;
    svg.append(
      s(
        "g",
        { class: `mark ${b.cls || ""}`.trim() },
        s("title", {}, b.title || `${b.label}: ${b.value}`),
        s("rect", { x, y, width: barW, height: Math.max(0, bh), rx: 2, class: "bar" }),
        valueLabels && b.value > 0
          ? s("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", class: "value" }, yFormat(b.value))
          : null,
      ),
    );
  });
  xLabels(g, svg, bars.map((b) => b.label), slot, Math.ceil(bars.length / 12));
  axisTitle(g, svg, xTitle);
  return svg;
}

/** Histogram bins [{from, to (null = open), count}] drawn as bars; `colorOf(bin, i)` returns a CSS class. */
export function histogram(bins, { ariaLabel = "", xTitle = "", edgeFormat = (v) => String(v), classOf = null, unit = "", width, height } = {}) {
  const bars = bins.map((bin, i) => {
    const label = bin.to === null || bin.to === undefined ? `${edgeFormat(bin.from)}+` : `${edgeFormat(bin.from)}–${edgeFormat(bin.to)}`;
    return { label, value: bin.count, title: `${label}: ${bin.count}${unit ? ` ${unit}` : ""}`, cls: classOf ? classOf(bin, i) : "" };
  });
  return barChart(bars, { ariaLabel, xTitle, width, height });
}

/**
 * Stacked bars (e.g. accepted + the rest per hour) with an optional rate line on a 0–100 % right axis.
 * columns: [{label, parts: [{value, cls, name}], rate: number|null}]
 */
export function stackedBarsWithLine(columns, { ariaLabel = "", xTitle = "", rateName = "", width, height } = {}) {
  const g = box(width, height);
  const { plotW, plotH } = g;
  const svg = frame(g, ariaLabel, "stacked");
  const totals = columns.map((c) => c.parts.reduce((sum, p) => sum + p.value, 0));
  const max = niceMax(Math.max(0, ...totals));
  yAxis(g, svg, max, intFormat);
  const hasRate = columns.some((c) => c.rate !== null && c.rate !== undefined);
  if (hasRate) yAxis(g, svg, 1, (v) => `${Math.round(v * 100)}%`, "right");
  const slot = plotW / Math.max(1, columns.length);
  const barW = Math.max(2, slot * 0.7);
  columns.forEach((c, i) => {
    let y = M.top + plotH;
    const x = M.left + slot * i + (slot - barW) / 2;
    const mark = s("g", { class: "mark" });
    mark.append(s("title", {}, [c.label, ...c.parts.map((p) => `${p.name}: ${p.value}`), hasRate && c.rate !== null ? `${rateName}: ${Math.round(c.rate * 100)}%` : null].filter(Boolean).join("\n")));
    c.parts.forEach((p) => {
      const bh = (p.value / max) * plotH;
      y -= bh;
      if (bh > 0) mark.append(s("rect", { x, y, width: barW, height: bh, class: `bar ${p.cls}` }));
    });
    svg.append(mark);
  });
  if (hasRate) {
    const points = columns
      .map((c, i) => (c.rate === null || c.rate === undefined ? null : [M.left + slot * (i + 0.5), M.top + plotH - c.rate * plotH]))
      .filter(Boolean);
    if (points.length > 1) svg.append(s("polyline", { points: points.map((p) => p.join(",")).join(" "), class: "rate-line" }));
    points.forEach(([x, y]) => svg.append(s("circle", { cx: x, cy: y, r: 3, class: "rate-dot" })));
  }
  xLabels(g, svg, columns.map((c) => c.label), slot, Math.ceil(columns.length / 12));
  axisTitle(g, svg, xTitle);
  return svg;
}

/**
 * Grouped bars. groups: [{label, values: [number per series], note?}]; series: [{name, cls}].
 */
export function groupedBars(groups, series, { ariaLabel = "", xTitle = "", width, height } = {}) {
  const g = box(width, height);
  const { plotW, plotH } = g;
  const svg = frame(g, ariaLabel, "grouped");
  const max = niceMax(Math.max(0, ...groups.flatMap((grp) => grp.values)));
  yAxis(g, svg, max, intFormat);
  const slot = plotW / Math.max(1, groups.length);
  const inner = Math.min(slot * 0.8, 56 * series.length);
  const barW = inner / series.length;
  groups.forEach((grp, gi) => {
    const x0 = M.left + slot * gi + (slot - inner) / 2;
    grp.values.forEach((v, si) => {
      const bh = (v / max) * plotH;
      const x = x0 + si * barW;
      const y = M.top + plotH - bh;
      svg.append(
        s(
          "g",
          { class: "mark" },
          s("title", {}, `${grp.label} · ${series[si].name}: ${v}`),
          s("rect", { x: x + 1, y, width: barW - 2, height: Math.max(0, bh), rx: 2, class: `bar ${series[si].cls}` }),
          v > 0 ? s("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", class: "value" }, String(v)) : null,
        ),
      );
    });
    if (grp.note) {
      svg.append(s("text", { x: M.left + slot * (gi + 0.5), y: g.H - M.bottom + 30, "text-anchor": "middle", class: "note" }, grp.note));
    }
  });
  xLabels(g, svg, groups.map((grp) => grp.label), slot);
  axisTitle(g, svg, xTitle);
  return svg;
}

/** A horizontal progress bar (value in [0, ∞); the bar is capped at 100 % and marks the target). */
export function progressBar(value, { ariaLabel = "", text = "" } = {}) {
  const width = 560;
  const height = 40;
  const clamped = Math.max(0, Math.min(1, value ?? 0));
  const state = value === null || value === undefined ? "" : value >= 1 ? "ok" : value >= 0.75 ? "warn" : "low";
  return s(
    "svg",
    { class: "chart progress", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": ariaLabel },
    s("title", {}, text),
    s("rect", { x: 0, y: 8, width, height: 20, rx: 10, class: "track" }),
    s("rect", { x: 0, y: 8, width: Math.max(clamped * width, clamped > 0 ? 10 : 0), height: 20, rx: 10, class: `fill ${state}` }),
    s("text", { x: width / 2, y: 23, "text-anchor": "middle", class: "progress-text" }, text),
  );
}

/** A legend: [{name, cls}] -> <ul>. */
export function legend(items) {
  return h(
    "ul",
    { class: "legend" },
    items.map((it) => h("li", {}, h("span", { class: `swatch ${it.cls}`, "aria-hidden": "true" }), it.name)),
  );
}

/** The "no data yet" placeholder. */
export function emptyState(text) {
  return h("p", { class: "empty", role: "status" }, text);
}

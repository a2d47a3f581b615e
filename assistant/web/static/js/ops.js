// The operations dashboard: GET /v1/ops/summary every 10 s, drawn as inline-SVG charts.

import { $, h, clear, fmt, pct, timeOf } from "./dom.js";
import { api, ApiError } from "./api.js";
import { t, lang, setLanguage, initialLanguage, applyStrings, bindToggle, onLanguageChange } from "./i18n.js";
import { barChart, histogram, stackedBarsWithLine, groupedBars, progressBar, legend, emptyState } from "./charts.js";
import { KeyGate } from "./keys.js";

const REFRESH_MS = 10_000;

let key = null;
let timer = null;
let summary = null;
let gate;

async function refresh() {
  if (!key) return;
  try {
    summary = await api("GET", "/v1/ops/summary", { key });
    showBanner("");
    render();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      stop();
      gate.rejected();
    } else {
      showBanner(`${t("chat.error")} ${err.message}`);
    }
  }
}

function showBanner(message) {
  const banner = $("#banner");
  banner.textContent = message;
  banner.hidden = !message;
}

function render() {
  if (!summary) return;
  $("#updated").textContent = t("ops.updated", timeOf(summary.generated_at, lang()));
  renderKpis(summary);
  slot("timeline", timeline(summary.timeline || []));
  slot("utilization", utilization(summary.utilization));
  slot("strategies", strategies(summary.strategies || []));
  slot("offers", offers(summary.offers_to_accept));
  slot("wait", waits(summary.wait_days));
  slot("newshops", newShops(summary.new_shops));
  slot("capacity", capacity(summary.capacity));
  document.body.setAttribute("data-rendered", String(summary.generated_at));
}

function slot(name, content) {
  const el = $(`#chart-${name} .chart-slot`);
  clear(el).append(...[content].flat().filter(Boolean));
}

function kpi(label, value, sub = "") {
  return h("div", { class: "kpi" }, h("div", { class: "k-label" }, label), h("div", { class: "k-value" }, value), sub ? h("div", { class: "k-sub" }, sub) : null);
}

function renderKpis(sm) {
  const box = clear($("#kpis"));
  const totals = sm.totals || {};
  const util = sm.utilization || {};
  const wait = sm.wait_days || {};
  const cap = sm.capacity || {};
  box.append(
    kpi(t("ops.kpi.decisions"), String(totals.decisions ?? 0)),
    kpi(t("ops.kpi.outcomes"), String(totals.outcomes ?? 0)),
    kpi(t("ops.kpi.acceptance"), pct(totals.acceptance_rate, 1)),
    kpi(t("ops.kpi.offers"), fmt(sm.offers_to_accept?.mean, 2)),
    kpi(t("ops.kpi.wait"), fmt(wait.mean, 2), wait.p90 !== null && wait.p90 !== undefined ? `${t("ops.kpi.p90")} ${fmt(wait.p90, 1)}` : ""),
    kpi(t("ops.kpi.gini"), fmt(util.gini, 3), `${util.idle_shops ?? 0} ${t("ops.idle")} · ${util.full_shops ?? 0} ${t("ops.full")}`),
    kpi(t("ops.kpi.lag"), duration(cap.lag_s), `${cap.events ?? 0} ${t("ops.events")}`),
  );
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

const count = (v) => Math.round(v ?? 0).toLocaleString(lang() === "zh" ? "zh-CN" : "en-GB");
const total = (rows, key) => rows.reduce((sum, r) => sum + (r[key] || 0), 0);
const stats = (...chips) => h("div", { class: "chart-stats" }, chips.filter(Boolean).map((c) => h("span", { class: "chip" }, c)));

function timeline(rows) {
  if (!total(rows, "decisions")) return emptyState(t("ops.nodata"));
  const columns = rows.map((r) => ({
    label: timeOf(r.hour, lang()),
    parts: [
      { value: r.accepted, cls: "accepted", name: t("ops.accepted") },
      { value: Math.max(0, r.decisions - r.accepted), cls: "rest", name: t("ops.decisions") },
    ],
    rate: r.decisions ? r.accepted / r.decisions : null,
  }));
  return [
    stackedBarsWithLine(columns, { ariaLabel: t("ops.timeline"), rateName: t("ops.rate"), width: 1120, height: 250 }),
    legend([
      { name: t("ops.accepted"), cls: "accepted" },
      { name: t("ops.decisions"), cls: "rest" },
      { name: t("ops.rate"), cls: "rate" },
    ]),
  ];
}

function utilization(util) {
  const bins = util?.histogram || [];
  if (!total(bins, "shops")) return emptyState(t("ops.nodata"));
  const heat = (bin) => `heat-${Math.max(0, Math.min(9, Math.floor((bin.from ?? 0) * 10 + 1e-9)))}`;
  return [
    stats(
      util.reported_shops === undefined ? `${util.shops} ${t("ops.shops")}` : t("ops.reporting", util.reported_shops, util.shops),
      `${t("ops.gini")} ${fmt(util.gini, 3)}`,
      `${util.idle_shops} ${t("ops.idle")}`,
      `${util.full_shops} ${t("ops.full")}`,
    ),
    histogram(
      bins.map((b) => ({ from: b.from, to: b.to, count: b.shops })),
      { ariaLabel: t("ops.util"), xTitle: t("ops.util.axis"), edgeFormat: (v) => String(Math.round(v * 100)), classOf: heat, unit: t("ops.shops") },
    ),
  ];
}

function strategyLabel(row) {
  return row.strategy.includes("@") ? row.strategy : `${row.strategy}@v${row.strategy_version}`;
}

function strategies(rows) {
  if (!rows.length || !total(rows, "decisions")) return emptyState(t("ops.nodata"));
  const groups = rows.map((r) => ({
    label: strategyLabel(r),
    values: [r.accepted, r.rejected],
    note: `${pct(r.acceptance_rate)} ${t("ops.rate")} · n=${r.decisions}`,
  }));
  const series = [
    { name: t("ops.accepted"), cls: "accepted" },
    { name: t("ops.rejected"), cls: "rejected" },
  ];
  return [groupedBars(groups, series, { ariaLabel: t("ops.strategies") }), legend(series)];
}

function offers(data) {
  const rows = data?.histogram || [];
  if (!total(rows, "sessions")) return emptyState(t("ops.nodata"));
  return [
    stats(`${t("ops.kpi.offers")}: ${fmt(data.mean, 2)}`),
    barChart(
      rows.map((r) => ({ label: String(r.slates), value: r.sessions, title: `${r.slates} ${t("ops.slates")}: ${r.sessions} ${t("ops.sessions")}` })),
      { ariaLabel: t("ops.offers"), xTitle: t("ops.slates") },
    ),
  ];
}

function waits(data) {
  const bins = data?.histogram || [];
  if (!total(bins, "count")) return emptyState(t("ops.nodata"));
  return [
    stats(`${t("ops.kpi.wait")}: ${fmt(data.mean, 2)}`, `${t("ops.kpi.p90")}: ${fmt(data.p90, 1)}`),
    histogram(bins, { ariaLabel: t("ops.wait"), xTitle: t("ops.days"), edgeFormat: (v) => String(Math.round(v * 10) / 10) }),
  ];
}

function newShops(data) {
  if (!data || !data.shops) return emptyState(t("ops.nodata"));
  const bins = data.histogram || [];
  const text = t("ops.progress", count(data.assigned), count(data.target));
  const onTrack = (bin) => ((bin.from ?? 0) >= 1 ? "on-track" : "behind");
  return [
    stats(`${data.shops} ${t("ops.shops")}`, data.progress === null || data.progress === undefined ? null : pct(data.progress)),
    progressBar(data.progress, { ariaLabel: `${t("ops.newshops")}: ${text}`, text: `${pct(data.progress)} · ${text}` }),
    total(bins, "shops")
      ? histogram(
          bins.map((b) => ({ from: b.from, to: b.to, count: b.shops })),
          { ariaLabel: t("ops.newshops"), xTitle: t("ops.newshops.axis"), edgeFormat: (v) => String(Math.round(v * 100)), classOf: onTrack, unit: t("ops.shops") },
        )
      : null,
  ];
}

function capacity(data) {
  const rows = data?.freshness || [];
  if (!total(rows, "shops")) return emptyState(t("ops.nodata"));
  const cls = (row, i) => (row.label === "never" ? "never-bucket" : i === 0 ? "" : "stale-bucket");
  return [
    stats(`${data.events} ${t("ops.events")}`, data.lag_s === null || data.lag_s === undefined ? null : t("ops.lag", duration(data.lag_s))),
    barChart(
      rows.map((r, i) => ({ label: r.label === "never" ? t("ops.never") : r.label, value: r.shops, cls: cls(r, i) })),
      { ariaLabel: t("ops.capacity"), xTitle: t("ops.capacity.axis") },
    ),
  ];
}

function stop() {
  clearInterval(timer);
  timer = null;
}

function start(newKey) {
  key = newKey;
  stop();
  refresh();
  timer = setInterval(() => document.hidden || refresh(), REFRESH_MS);
}

function main() {
  setLanguage(initialLanguage(), { remember: false });
  applyStrings();
  bindToggle($("#lang-toggle"));
  onLanguageChange(render);
  $("#refresh").addEventListener("click", refresh);
  $("#signout").addEventListener("click", stop);
  gate = new KeyGate("ops", start);
  gate.start();
  document.body.setAttribute("data-ready", "true");
}

main();

// The policyholder's chat: sessions, messages, recommendation cards, booking. Mobile first.

import { $, h, clear, multiline } from "./dom.js";
import { api, ApiError, mapUrl, shopInfo } from "./api.js";
import { t, lang, setLanguage, initialLanguage, applyStrings, bindToggle, onLanguageChange, vocab, yesNo } from "./i18n.js";
import { recommendationCard } from "./cards.js";

const SESSION_KEY = "rih.chat.session";
const log = $("#log");
const prefsBar = $("#prefs");
const form = $("#composer");
const input = $("#message");
const sendButton = $("#send");

// The conversation as data, so a language switch can redraw it: {type: "welcome"|"msg"|"slate"|"notice"|"error"}.
let entries = [];
let preferences = null;
let stage = "new";
let busy = false;

function sessionId() {
  return sessionStorage.getItem(SESSION_KEY);
}

async function ensureSession() {
  if (sessionId()) return sessionId();
  const { session_id: id } = await api("POST", "/v1/sessions", { body: { role: "customer" } });
  sessionStorage.setItem(SESSION_KEY, id);
  return id;
}

// ---------- rendering ----------

function render(entry) {
  switch (entry.type) {
    case "welcome":
      return welcome();
    case "msg":
      return h("div", { class: `msg ${entry.role}` }, multiline(entry.text));
    case "slate":
      return slate(entry);
    case "notice":
      return notice(entry);
    case "error":
      return h("div", { class: "notice error", role: "alert" }, h("p", {}, entry.text || t(entry.key)));
    default:
      return null;
  }
}

function welcome() {
  const started = entries.some((e) => e.type === "msg" && e.role === "user");
  return h(
    "div",
    { class: "welcome" },
    h("div", { class: "msg assistant" }, t("chat.welcome")),
    started
      ? null
      : h(
          "section",
          { class: "quick", "aria-labelledby": "quick-title" },
          h("h2", { id: "quick-title" }, t("chat.quick.label")),
          t("chat.quick").map((text) => h("button", { type: "button", class: "btn quick-chip", onclick: () => send(text) }, text)),
        ),
  );
}

function slate(entry) {
  const cards = entry.recs.map((rec) => {
    const card = recommendationCard(rec, {
      active: entry.active,
      onChoose: (chosen) => {
        entry.choosing = chosen.shop_id;
        send(t("chat.choose.msg", chosen.rank));
      },
    });
    if (entry.chosen === rec.shop_id) {
      card.classList.add("chosen");
      const button = card.querySelector(".choose");
      if (button) button.textContent = t("card.chosen");
    }
    return card;
  });
  const actions = entry.active
    ? h(
        "div",
        { class: "slate-actions" },
        h("button", { type: "button", class: "btn", id: "other-options", onclick: () => send(t("chat.other.msg")) }, t("chat.other")),
        h("button", { type: "button", class: "btn", id: "own-shop", onclick: () => send(t("chat.own.msg")) }, t("chat.own")),
        h("button", { type: "button", class: "btn ghost", id: "talk-human", onclick: () => send(t("chat.human.msg")) }, t("chat.human")),
      )
    : null;
  const note = entry.note ? h("p", { class: "slate-note" }, multiline(entry.note)) : null;
  return h("section", { class: "slate", "aria-label": t("card.rank", "1–" + entry.recs.length) }, cards, note, actions);
}

function notice(entry) {
  if (entry.kind === "booked") {
    const shop = entry.shop || {};
    const parts = lang() === "zh" ? [shop.city_zh, shop.district_zh] : [shop.district, shop.city];
    const place = [...new Set(parts.filter(Boolean))].join(lang() === "zh" ? " · " : ", ");
    return h(
      "div",
      { class: "notice booked", role: "status", id: "booking-confirmation" },
      h("h2", {}, "✓ ", t("chat.booked.title")),
      h("p", { class: "booked-name" }, entry.name || entry.shopId),
      place ? h("p", { class: "place" }, place) : null,
      h("p", { class: "place" }, t("chat.booked.next")),
      h(
        "a",
        { class: "btn small", href: mapUrl(shop.lat, shop.lon, entry.name), target: "_blank", rel: "noopener noreferrer" },
        t("card.map"),
      ),
    );
  }
  if (entry.kind === "handoff") {
    return h(
      "div",
      { class: "notice handoff", role: "status" },
      h("h2", {}, t("chat.handoff.title")),
      h("p", {}, t("chat.handoff.body", entry.ticket || "")),
    );
  }
  return h(
    "div",
    { class: "notice own", role: "status" },
    h("h2", {}, t("chat.ownshop.title")),
    h("p", {}, t("chat.ownshop.body")),
  );
}

function add(entry, { scroll = "end" } = {}) {
  entries.push(entry);
  const el = render(entry);
  entry.el = el;
  if (el) log.append(el);
  if (el && scroll === "start") el.scrollIntoView({ block: "start" });
  else log.scrollTop = log.scrollHeight;
  return el;
}

function redraw() {
  clear(log);
  for (const entry of entries) {
    entry.el = render(entry);
    if (entry.el) log.append(entry.el);
  }
  renderPreferences();
  log.scrollTop = log.scrollHeight;
}

function renderPreferences() {
  clear(prefsBar);
  const p = preferences || {};
  const chips = [];
  const chip = (label, value) => chips.push(h("span", { class: "chip" }, h("b", {}, `${label}:`), " ", value));
  const place = p.location && p.location.text;
  // The city is canonical English; a Chinese reader sees the place as they wrote it instead.
  const placeInChinese = lang() === "zh" && place && /[\u4e00-\u9fff]/.test(place);
  if (p.city && !placeInChinese) chip(t("pref.city"), p.city);
  if (place && place !== p.city) chip(t("pref.location"), place);
  const car = [p.vehicle?.make, p.vehicle?.model].filter(Boolean).join(" ");
  if (car) chip(t("pref.vehicle"), car);
  if (p.damage?.types?.length) chip(t("pref.damage"), p.damage.types.map((d) => vocab("damage", d)).join(", "));
  if (p.dealer_preference) chip(t("pref.dealer"), vocab("dealer", p.dealer_preference));
  if (p.max_distance_km) chip(t("pref.max_distance"), t("card.km", Math.round(p.max_distance_km * 10) / 10));
  if (p.top_priority) chip(t("pref.priority"), vocab("priority", p.top_priority));
  if (p.needs_courtesy_car !== null && p.needs_courtesy_car !== undefined) chip(t("pref.courtesy"), yesNo(p.needs_courtesy_car));
  if (p.needs_pickup !== null && p.needs_pickup !== undefined) chip(t("pref.pickup"), yesNo(p.needs_pickup));
  chips.forEach((c) => prefsBar.append(c));
  prefsBar.hidden = chips.length === 0;
}

/**
 * The reply repeats the shop list as "1. Name: ..." lines, which the cards show: split the text around
 * them into what leads to the cards and what follows them (how to choose, the right to choose).
 */
function splitReply(text, recs) {
  const prefixes = (recs || []).map((r) => `${r.rank}. ${r.name}`);
  const lines = String(text || "").split("\n");
  const listed = lines.map((line) => prefixes.some((p) => line.trim().startsWith(p)));
  const first = listed.indexOf(true);
  if (first < 0) return { before: text, after: "" };
  const last = listed.lastIndexOf(true);
  const middle = lines.slice(first, last + 1).filter((_, i) => !listed[first + i]);
  return { before: [...lines.slice(0, first), ...middle].join("\n").trim(), after: lines.slice(last + 1).join("\n").trim() };
}

function listsAll(text, recs) {
  return recs.length > 0 && recs.every((r) => text.includes(`${r.rank}. ${r.name}`));
}

// ---------- behaviour ----------

function setBusy(on) {
  busy = on;
  input.disabled = on;
  sendButton.disabled = on;
  log.setAttribute("aria-busy", on ? "true" : "false");
  for (const button of log.querySelectorAll("button")) {
    if (on && !button.disabled) {
      button.disabled = true;
      button.dataset.busy = "1";
    } else if (!on && button.dataset.busy) {
      button.disabled = false;
      delete button.dataset.busy;
    }
  }
  if (on) {
    const typing = h(
      "div",
      { class: "msg assistant typing", id: "typing", role: "status", "aria-label": t("chat.thinking") },
      h("span"),
      h("span"),
      h("span"),
    );
    log.append(typing);
    log.scrollTop = log.scrollHeight;
  } else {
    $("#typing")?.remove();
  }
}

function deactivateSlates() {
  for (const entry of entries) {
    if (entry.type === "slate" && entry.active) {
      entry.active = false;
      const fresh = render(entry);
      entry.el.replaceWith(fresh);
      entry.el = fresh;
    }
  }
}

function removeQuickStart() {
  const quick = log.querySelector(".quick");
  if (quick) quick.remove();
}

async function send(text) {
  text = String(text || "").trim();
  if (!text || busy) return;
  removeQuickStart();
  const userEntry = { type: "msg", role: "user", text };
  add(userEntry);
  setBusy(true);
  let turn;
  try {
    turn = await postMessage(text);
  } catch (err) {
    setBusy(false);
    userEntry.el?.remove();
    entries = entries.filter((e) => e !== userEntry);
    input.value = text;
    showError(err);
    input.focus();
    return;
  }
  const recs = turn.recommendations || [];
  preferences = turn.preferences;
  setBusy(false);
  const { before, after } = recs.length ? splitReply(turn.reply, recs) : { before: turn.reply, after: "" };
  const replyEntry = { type: "msg", role: "assistant", text: before };
  add(replyEntry, { scroll: "start" });
  if (recs.length) {
    deactivateSlates();
    add({ type: "slate", recs, note: after, decisionId: turn.decision_id, active: true }, { scroll: "none" });
    replyEntry.el.scrollIntoView({ block: "start" });
  }
  renderPreferences();
  await refreshStage();
  input.focus();
}

async function postMessage(text) {
  const id = await ensureSession();
  try {
    return await api("POST", `/v1/sessions/${encodeURIComponent(id)}/messages`, { body: { text } });
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== "unknown_session") throw err;
    // The session is gone (expired or the server restarted without it): start again, once.
    sessionStorage.removeItem(SESSION_KEY);
    add({ type: "error", key: "chat.error.session" });
    const fresh = await ensureSession();
    return api("POST", `/v1/sessions/${encodeURIComponent(fresh)}/messages`, { body: { text } });
  }
}

function showError(err) {
  let text;
  if (err instanceof ApiError && err.status === 0) text = t("chat.error.network");
  else if (err instanceof ApiError && err.status >= 400 && err.status < 500) text = `${t("chat.error")} ${err.message}`;
  else text = `${t("chat.error")} ${t("chat.error.network")}`;
  add({ type: "error", text });
}

/** Read the session's stage after a turn: a booking, a hand-off or an own-shop choice shows a notice. */
async function refreshStage() {
  const id = sessionId();
  if (!id) return;
  let state;
  try {
    state = await api("GET", `/v1/sessions/${encodeURIComponent(id)}`);
  } catch {
    return;
  }
  const previous = stage;
  stage = state.stage;
  if (stage === previous) return;
  if (stage !== "offered") deactivateSlates();
  await addStageNotice(state);
}

async function addStageNotice(state) {
  if (state.stage === "booked" && state.booked_shop_id) {
    const shopId = state.booked_shop_id;
    for (const entry of entries) {
      if (entry.type === "slate" && entry.recs.some((r) => r.shop_id === shopId)) {
        entry.chosen = shopId;
        const fresh = render(entry);
        entry.el.replaceWith(fresh);
        entry.el = fresh;
      }
    }
    const shop = await shopInfo(shopId).catch(() => null);
    add({ type: "notice", kind: "booked", shopId, shop, name: await shopName(shopId, state.language) });
  } else if (state.stage === "handoff") {
    add({ type: "notice", kind: "handoff", ticket: state.handoff?.ticket || "" });
  } else if (state.stage === "own_shop") {
    add({ type: "notice", kind: "own" });
  }
}

async function shopName(shopId, language) {
  for (const entry of entries) {
    const rec = entry.type === "slate" && entry.recs.find((r) => r.shop_id === shopId);
    if (rec) return rec.name;
  }
  try {
    const shop = await shopInfo(shopId);
    return (language || lang()) === "zh" ? shop.name_zh : shop.name_en;
  } catch {
    return shopId;
  }
}

/** A reload continues the conversation: transcript, the slates that were shown, the stage. */
async function restore() {
  const id = sessionId();
  if (!id) return false;
  let state;
  try {
    state = await api("GET", `/v1/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) sessionStorage.removeItem(SESSION_KEY);
    return false;
  }
  entries = [{ type: "welcome" }];
  const pending = (state.decisions || []).filter((d) => (d.recommendations || []).length);
  let lastSlate = null;
  for (const message of state.transcript || []) {
    const role = message.role === "user" ? "user" : "assistant";
    const match = role === "assistant" ? pending.findIndex((d) => listsAll(message.text, d.recommendations)) : -1;
    if (match >= 0) {
      const decision = pending.splice(match, 1)[0];
      const { before, after } = splitReply(message.text, decision.recommendations);
      entries.push({ type: "msg", role, text: before });
      lastSlate = { type: "slate", recs: decision.recommendations, note: after, decisionId: decision.decision_id, active: false };
      entries.push(lastSlate);
    } else {
      entries.push({ type: "msg", role, text: message.text });
    }
  }
  stage = state.stage;
  preferences = state.preferences;
  if (lastSlate && stage === "offered") lastSlate.active = true;
  if (state.stage === "booked" && state.booked_shop_id) {
    for (const e of entries) if (e.type === "slate" && e.recs.some((r) => r.shop_id === state.booked_shop_id)) e.chosen = state.booked_shop_id;
  }
  redraw();
  if (["booked", "handoff", "own_shop"].includes(stage)) await addStageNotice(state);
  return true;
}

function startOver() {
  sessionStorage.removeItem(SESSION_KEY);
  entries = [{ type: "welcome" }];
  preferences = null;
  stage = "new";
  redraw();
  input.value = "";
  input.focus();
}

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 140)}px`;
}

function main() {
  setLanguage(initialLanguage(), { remember: false });
  applyStrings();
  bindToggle($("#lang-toggle"));
  onLanguageChange(() => redraw());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    autosize();
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener("input", autosize);
  $("#new-chat").addEventListener("click", startOver);
  entries = [{ type: "welcome" }];
  redraw();
  restore().finally(() => document.body.setAttribute("data-ready", "true"));
}

main();

// The claims agent's copilot console: hand-off queue, live transcript, copilot suggestion.

import { $, h, clear, multiline, timeOf } from "./dom.js";
import { api, ApiError } from "./api.js";
import { t, lang, setLanguage, initialLanguage, applyStrings, bindToggle, onLanguageChange, vocab } from "./i18n.js";
import { recommendationCard } from "./cards.js";
import { KeyGate } from "./keys.js";

const QUEUE_EVERY_MS = 4000;
const SESSION_EVERY_MS = 3000;

const queueList = $("#queue");
const banner = $("#banner");
const refreshButton = $("#refresh-copilot");

let key = null;
let queue = [];
let selected = null; // {id, state, suggestion, seen}
let timers = [];
let gate;

async function call(method, path, body) {
  try {
    return await api(method, path, { key, body });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      stop();
      gate.rejected();
    }
    throw err;
  }
}

function showBanner(message) {
  banner.textContent = message || "";
  banner.hidden = !message;
}

// ---------- queue ----------

async function pollQueue() {
  if (document.hidden) return;
  try {
    const data = await call("GET", "/v1/agent/queue");
    const next = sortQueue(data.sessions || []);
    showBanner("");
    $("#poll-status").textContent = `${t("agent.updated")} ${timeOf(Date.now() / 1000, lang())}`;
    if (JSON.stringify(next) === JSON.stringify(queue) && queueList.childElementCount) return;
    queue = next;
    renderQueue();
  } catch (err) {
    if (err instanceof ApiError && err.status !== 401 && err.status !== 403) showBanner(`${t("chat.error")} ${err.message}`);
  }
}

function sortQueue(sessions) {
  return [...sessions].sort((a, b) => (b.handoff ? 1 : 0) - (a.handoff ? 1 : 0) || (b.updated_at || 0) - (a.updated_at || 0));
}

function renderQueue() {
  // Polling redraws the list: keep the keyboard focus on the same conversation.
  const focused = document.activeElement?.closest?.(".queue-item")?.dataset.sessionId;
  clear(queueList);
  $("#queue-count").textContent = String(queue.length);
  if (!queue.length) {
    queueList.append(h("li", { class: "muted" }, t("agent.queue.empty")));
    return;
  }
  for (const item of queue) {
    const current = selected && selected.id === item.session_id;
    queueList.append(
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: `queue-item${item.handoff ? " handoff" : ""}`,
            "aria-current": current ? "true" : "false",
            dataset: { sessionId: item.session_id },
            onclick: () => select(item.session_id),
          },
          h(
            "span",
            { class: "row" },
            item.handoff ? h("span", { class: "badge handoff" }, t("agent.handoff")) : null,
            item.handoff && item.stage === "handoff" ? null : h("span", { class: "badge stage" }, vocab("stage", item.stage)),
            h("span", {}, (item.language || "").toUpperCase()),
            h("span", { class: "spacer" }),
            h("time", {}, timeOf(item.updated_at, lang())),
          ),
          h("span", { class: "sid" }, item.claim_id ? `${item.claim_id} · ` : "", shortId(item.session_id)),
          item.last_message ? h("span", { class: "last" }, item.last_message) : null,
        ),
      ),
    );
  }
  if (focused) queueList.querySelector(`[data-session-id="${CSS.escape(focused)}"]`)?.focus();
}

function shortId(id) {
  return id.length > 14 ? `${id.slice(0, 12)}…` : id;
}

// ---------- one session ----------

async function select(id) {
  id = String(id || "").trim();
  if (!id) return;
  selected = { id, state: null, suggestion: null, seen: -1 };
  history.replaceState(null, "", `#session=${encodeURIComponent(id)}`);
  renderQueue();
  $("#detail-empty").hidden = true;
  $("#detail-body").hidden = false;
  clear($("#facts"));
  clear($("#transcript"));
  clear($("#copilot-body"));
  await pollSession(true);
}

async function pollSession(force = false) {
  if (!selected || (document.hidden && !force)) return;
  const id = selected.id;
  let state;
  try {
    state = await call("GET", `/v1/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    if (selected && selected.id === id && err instanceof ApiError && err.status === 404) {
      showBanner(`${t("chat.error")} ${err.message}`);
      $("#detail-empty").hidden = false;
      $("#detail-body").hidden = true;
      selected = null;
    }
    return;
  }
  if (!selected || selected.id !== id) return;
  const changed = force || state.transcript.length !== selected.seen || state.stage !== selected.state?.stage;
  selected.state = state;
  renderFacts();
  if (changed) {
    selected.seen = state.transcript.length;
    renderTranscript();
    await suggest();
  }
}

function renderFacts() {
  const state = selected.state;
  const info = queue.find((q) => q.session_id === selected.id) || {};
  const p = state.preferences || {};
  const facts = $("#facts");
  clear(facts);
  const row = (label, value) => {
    if (value === null || value === undefined || value === "") return;
    facts.append(h("dt", {}, label), h("dd", {}, value));
  };
  row("ID", h("code", {}, selected.id));
  row(t("agent.stage"), h("span", { class: "badge stage" }, vocab("stage", state.stage)));
  row(t("agent.language"), (state.language || "").toUpperCase());
  row(t("agent.claim"), info.claim_id);
  if (state.handoff) {
    row(t("agent.ticket"), h("span", { class: "badge handoff" }, state.handoff.ticket || state.handoff.id || t("agent.handoff")));
    row(t("agent.reason"), state.handoff.reason);
  }
  row(t("pref.city"), [p.city, p.location?.text && p.location.text !== p.city ? p.location.text : null].filter(Boolean).join(" · "));
  row(t("pref.vehicle"), [p.vehicle?.make, p.vehicle?.model, p.vehicle?.year].filter(Boolean).join(" "));
  row(t("pref.damage"), (p.damage?.types || []).map((d) => vocab("damage", d)).join(", "));
  row(t("pref.dealer"), p.dealer_preference ? vocab("dealer", p.dealer_preference) : null);
  row(t("agent.booked"), state.booked_shop_id);
}

function renderTranscript() {
  const box = $("#transcript");
  clear(box);
  for (const m of selected.state.transcript || []) {
    const who = m.role === "user" ? t("agent.you") : t("agent.assistant");
    box.append(
      h(
        "div",
        { class: `msg ${m.role === "user" ? "user" : "assistant"}` },
        h("span", { class: "who" }, `${who} · ${timeOf(m.ts, lang())}`),
        multiline(m.text),
      ),
    );
  }
  box.scrollTop = box.scrollHeight;
}

async function suggest() {
  if (!selected) return;
  const id = selected.id;
  refreshButton.disabled = true;
  try {
    const suggestion = await call("POST", "/v1/copilot/suggest", { session_id: id });
    if (selected && selected.id === id) {
      selected.suggestion = suggestion;
      renderCopilot();
    }
  } catch (err) {
    if (err instanceof ApiError && err.status !== 401 && err.status !== 403) {
      clear($("#copilot-body")).append(h("p", { class: "notice error", role: "alert" }, `${t("chat.error")} ${err.message}`));
    }
  } finally {
    refreshButton.disabled = !selected;
  }
}

function renderCopilot() {
  const body = clear($("#copilot-body"));
  const sug = selected?.suggestion;
  if (!sug) return;
  const reply = h("textarea", { id: "suggested-reply", class: "reply-box", readonly: true, "aria-labelledby": "suggested-title" });
  reply.value = sug.suggested_reply || "";
  const copy = h("button", { type: "button", class: "btn small primary", id: "copy-reply" }, t("agent.copy"));
  copy.addEventListener("click", () => copyText(reply, copy));
  body.append(
    h("div", { class: "copilot-section" }, h("h3", {}, t("agent.summary")), h("p", { id: "copilot-summary" }, sug.summary)),
    h(
      "div",
      { class: "copilot-section" },
      h("h3", { id: "suggested-title" }, t("agent.suggested")),
      reply,
      h("div", { class: "card-actions" }, copy),
    ),
    sug.next_actions?.length
      ? h("div", { class: "copilot-section" }, h("h3", {}, t("agent.next")), h("ol", { class: "actions-list" }, sug.next_actions.map((a) => h("li", {}, a))))
      : null,
    sug.recommendations?.length
      ? h(
          "div",
          { class: "copilot-section" },
          h("h3", {}, t("agent.recs")),
          h("div", { class: "cards" }, sug.recommendations.map((r) => recommendationCard(r))),
        )
      : null,
  );
}

async function copyText(textarea, button) {
  try {
    await navigator.clipboard.writeText(textarea.value);
  } catch {
    textarea.select();
    document.execCommand("copy");
  }
  button.textContent = t("agent.copied");
  setTimeout(() => (button.textContent = t("agent.copy")), 1500);
}

// ---------- wiring ----------

function stop() {
  timers.forEach(clearInterval);
  timers = [];
}

function start(newKey) {
  key = newKey;
  stop();
  pollQueue();
  timers.push(setInterval(pollQueue, QUEUE_EVERY_MS));
  timers.push(setInterval(() => pollSession(false), SESSION_EVERY_MS));
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("session");
  if (fromHash && !selected) select(fromHash);
  else if (selected) pollSession(true);
}

function main() {
  setLanguage(initialLanguage(), { remember: false });
  applyStrings();
  bindToggle($("#lang-toggle"));
  onLanguageChange(() => {
    renderQueue();
    if (selected?.state) {
      renderFacts();
      renderTranscript();
      renderCopilot();
    }
  });
  $("#open-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#open-id");
    select(input.value);
    input.value = "";
  });
  refreshButton.addEventListener("click", () => suggest());
  $("#signout").addEventListener("click", stop);
  gate = new KeyGate("agent", start);
  gate.start();
  document.body.setAttribute("data-ready", "true");
}

main();

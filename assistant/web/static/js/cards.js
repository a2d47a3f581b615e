// The recommendation card, shared by the customer chat and the agent console.

import { h, s, fmt } from "./dom.js";
import { t, factorName } from "./i18n.js";
import { mapUrl, shopInfo } from "./api.js";

let cardCount = 0;

/**
 * rec: a Recommendation from the API. options.onChoose(rec) adds a "Choose this shop" button;
 * options.active=false renders the card as part of an earlier slate (no choice possible).
 */
export function recommendationCard(rec, { onChoose = null, active = true } = {}) {
  const id = `rec-${++cardCount}`;
  const isNew = (rec.factors || []).some((f) => f.name === "new_shop" && f.value > 0);
  const makes = rec.authorized_makes || [];
  const mapLink = h(
    "a",
    {
      class: "btn ghost map-link",
      href: mapUrl(NaN, NaN, rec.name),
      target: "_blank",
      rel: "noopener noreferrer",
      title: t("card.map.title", rec.name),
      "aria-label": t("card.map.title", rec.name),
    },
    pinIcon(),
    t("card.map"),
  );
  shopInfo(rec.shop_id)
    .then((shop) => (mapLink.href = mapUrl(shop.lat, shop.lon, rec.name)))
    .catch(() => {});

  const card = h(
    "article",
    { class: `card${active ? "" : " stale"}`, "aria-labelledby": `${id}-name`, dataset: { shopId: rec.shop_id, rank: rec.rank } },
    h(
      "header",
      { class: "card-head" },
      h("span", { class: "rank", "aria-hidden": "true" }, String(rec.rank)),
      h("span", { class: "visually-hidden" }, t("card.rank", rec.rank)),
      h("h3", { id: `${id}-name`, class: "card-name" }, rec.name),
      h(
        "div",
        { class: "badges" },
        rec.exploration
          ? h("span", { class: "badge explore", title: t("card.exploration.title") }, t("card.exploration"))
          : null,
        isNew ? h("span", { class: "badge new" }, t("card.new")) : null,
      ),
    ),
    h(
      "dl",
      { class: "stats" },
      stat(t("card.distance"), t("card.km", fmt(rec.distance_km, 1))),
      stat(t("card.rating"), h("span", { class: "stars" }, "★ ", fmt(rec.rating, 1))),
      stat(
        t("card.wait"),
        rec.expected_wait_days > 0.05 ? t("card.wait.days", fmt(rec.expected_wait_days, 1)) : t("card.wait.now"),
      ),
    ),
    h(
      "p",
      { class: "makes" },
      makes.length
        ? [h("span", { class: "muted" }, `${t("card.authorized")}: `), makes.map((m) => h("span", { class: "chip small" }, m))]
        : h("span", { class: "muted" }, t("card.independent")),
    ),
    h("p", { class: "explanation" }, rec.explanation),
    whyDetails(rec.factors || [], id),
    h(
      "div",
      { class: "card-actions" },
      onChoose
        ? h(
            "button",
            {
              type: "button",
              class: "btn primary choose",
              disabled: !active,
              "aria-describedby": `${id}-name`,
              onclick: (event) => {
                event.currentTarget.disabled = true;
                onChoose(rec);
              },
            },
            t("card.choose"),
          )
        : null,
      mapLink,
    ),
  );
  return card;
}

function stat(label, value) {
  return h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, value));
}

/** "Why this shop?": the factors that add to the score, as horizontal bars, strongest first. */
function whyDetails(factors, id) {
  const shown = factors.filter((f) => f.contribution > 0).sort((a, b) => b.contribution - a.contribution);
  if (!shown.length) return null;
  const max = shown[0].contribution;
  const rowH = 22;
  const labelW = 150;
  const width = 320;
  const barW = width - labelW - 44;
  const svg = s(
    "svg",
    {
      class: "factor-bars",
      viewBox: `0 0 ${width} ${shown.length * rowH}`,
      role: "img",
      "aria-labelledby": `${id}-why-cap`,
    },
    shown.map((f, i) => {
      const w = Math.max(2, (f.contribution / max) * barW);
      const y = i * rowH;
      return s(
        "g",
        { class: "factor" },
        s("title", {}, `${factorName(f.name)}: ${fmt(f.contribution, 3)}`),
        s("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "label" }, factorName(f.name)),
        s("rect", { x: labelW, y: y + 4, width: w, height: rowH - 8, rx: 3, class: "bar" }),
        s("text", { x: labelW + w + 4, y: y + 15, class: "value" }, fmt(f.contribution, 3)),
      );
    }),
  );
  return h(
    "details",
    { class: "why" },
    h("summary", {}, t("card.why")),
    h("p", { id: `${id}-why-cap`, class: "hint" }, t("card.why.caption")),
    svg,
  );
}

function pinIcon() {
  return s(
    "svg",
    { class: "icon", viewBox: "0 0 24 24", "aria-hidden": "true", focusable: "false" },
    s("path", {
      d: "M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z",
    }),
  );
}

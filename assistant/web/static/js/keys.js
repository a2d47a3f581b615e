// The agent and ops pages ask for their API key once per tab (sessionStorage) and offer a sign-out.

import { $ } from "./dom.js";
import { t } from "./i18n.js";

export class KeyGate {
  /** role: "agent" | "ops"; onReady(key) runs once a key is known (and again after each sign-in). */
  constructor(role, onReady) {
    this.role = role;
    this.storageKey = `rih.${role}.key`;
    this.onReady = onReady;
    this.dialog = $("#key-dialog");
    this.form = $("#key-form");
    this.input = $("#key-input");
    this.error = $("#key-error");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const key = this.input.value.trim();
      if (!key) return;
      sessionStorage.setItem(this.storageKey, key);
      this.input.value = "";
      this.hide();
      this.onReady(key);
    });
    $("#signout").addEventListener("click", () => this.signOut());
  }

  get key() {
    return sessionStorage.getItem(this.storageKey);
  }

  start() {
    if (this.key) this.onReady(this.key);
    else this.show();
  }

  /** The API said 401/403: forget the key and ask again. */
  rejected() {
    sessionStorage.removeItem(this.storageKey);
    this.show(t("key.invalid"));
  }

  signOut() {
    sessionStorage.removeItem(this.storageKey);
    this.show();
  }

  show(message = "") {
    this.error.textContent = message;
    this.error.hidden = !message;
    this.dialog.hidden = false;
    document.body.classList.add("gated");
    this.input.focus();
  }

  hide() {
    this.dialog.hidden = true;
    document.body.classList.remove("gated");
  }
}

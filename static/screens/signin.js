// The sign-in form.

import { post } from "/static/api.js";
import { afterSignIn, report } from "/static/app.js";
import { clear, h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export function showSignIn(view) {
  const login = h("input", { id: "login", name: "login", autocomplete: "username", required: true,
    "data-testid": "signin-login", autocapitalize: "none" });
  const password = h("input", { id: "password", name: "password", type: "password", required: true,
    autocomplete: "current-password", "data-testid": "signin-password" });
  const form = h("form", { class: "card signin" },
    h("h1", { text: t("signin.title") }),
    h("p", { class: "muted", text: t("signin.subtitle") }),
    h("label", { for: "login", text: t("signin.login") }), login,
    h("label", { for: "password", text: t("signin.password") }), password,
    h("button", { type: "submit", class: "primary", "data-testid": "signin-submit", text: t("signin.submit") }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      afterSignIn(await post("/api/session", { login: login.value, password: password.value }));
    } catch (error) {
      password.value = "";
      report(error);
    }
  });
  clear(view).append(form);
  login.focus();
}

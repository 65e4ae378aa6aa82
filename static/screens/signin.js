// The sign-in form.

import { ApiError, post } from "/static/api.js";
import { afterSignIn, report } from "/static/app.js";
import { clear, h } from "/static/dom.js";
import { t } from "/static/i18n.js";

export function showSignIn(view) {
  const login = h("input", { id: "login", name: "login", autocomplete: "username", required: true,
    "data-testid": "signin-login", autocapitalize: "none", spellcheck: "false", "data-autofocus": true });
  const password = h("input", { id: "password", name: "password", type: "password", required: true,
    autocomplete: "current-password", "data-testid": "signin-password" });
  // A refusal here (wrong password: 401, too many tries: 429) is shown on the form, not treated as "signed out".
  const problem = h("p", { class: "form-error", role: "alert", "data-testid": "signin-error", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "signin-submit",
    text: t("signin.submit") });
  const form = h("form", { class: "card signin" },
    h("h1", { text: t("signin.title") }),
    h("p", { class: "muted", text: t("signin.subtitle") }),
    h("label", { for: "login", text: t("signin.login") }), login,
    h("label", { for: "password", text: t("signin.password") }), password,
    problem, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    submit.disabled = true;
    try {
      await afterSignIn(await post("/api/session", { login: login.value.trim(), password: password.value }));
    } catch (error) {
      password.value = "";
      if (error instanceof ApiError) {
        problem.textContent = error.message;
        problem.hidden = false;
        password.focus();
      } else {
        report(error);
      }
    } finally {
      submit.disabled = false;
    }
  });
  clear(view).append(form);
}

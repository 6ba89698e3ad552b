// /signin: single sign-on (when configured) or an API token, exchanged for a session cookie.
import { h, notice } from "./dom.js";
import { api, loadSession, markNav, navigate, session, setPage } from "./shell.js";

export function signInPage() {
  markNav("");
  const back = new URLSearchParams(location.search).get("return") || "/";
  const safeBack = back.startsWith("/") && !back.startsWith("//") ? back : "/";
  const parts = [h("h1", {}, "Sign in to rbk")];
  if (session?.signed_in)
    parts.push(notice("info", `You are signed in as ${session.name}. `, h("a", { href: safeBack }, "Go on")));
  if (document.body.dataset.sso === "yes") {
    parts.push(
      h("div", { class: "card" },
        h("h2", {}, "Single sign-on"),
        h("p", {}, "Sign in with your organisation's identity provider."),
        h("a", { class: "button primary-link", id: "sso", href: `/auth/login?return=${encodeURIComponent(safeBack)}` }, "Sign in with single sign-on")));
  }
  const status = h("div", { "aria-live": "polite" });
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const form = h("form", { class: "fields card", id: "token-form" },
    h("h2", {}, "API token"),
    h("div", {}, h("label", { for: "token" }, "Token"), input,
      h("div", { class: "help" }, "A token from ", h("code", {}, "rbk token create NAME --roles ROLE"), ". The browser keeps a session cookie, not the token.")),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Sign in with the token")),
    status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await api("/auth/token", { method: "POST", body: { token: input.value.trim() } });
      input.value = "";
      await loadSession();
      navigate(safeBack);
    } catch (err) {
      status.replaceChildren(notice("error", `Not signed in: ${err.message}`));
    }
  });
  setPage("Sign in", ...parts, form);
}

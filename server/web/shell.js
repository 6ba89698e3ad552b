// The frame every page lives in: who is signed in (the session), the API, the header,
// moving between pages without reloading, and the page's lifetime (what it opened is
// closed when another page is drawn).
import { h } from "./dom.js";

const main = document.getElementById("main");
export let session = null; // /auth/session: who is signed in, their roles, the CSRF token
let pageController = null; // aborts what the page left behind (event streams)
let router = () => {};

// The router draws the page of the address (app.js sets it).
export function setRouter(fn) {
  router = fn;
}

// A new page begins: what the last one left open ends. Returns its signal.
export function beginPage() {
  if (pageController) pageController.abort();
  pageController = new AbortController();
  main.focus({ preventScroll: true });
  return pageController.signal;
}

// Aborted when the page is left.
export function pageSignal() {
  return pageController.signal;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && session?.csrf_token) headers["X-CSRF-Token"] = session.csrf_token;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const type = res.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await res.json() : await res.text();
  if (res.status === 401 && !path.startsWith("/auth/")) {
    signIn();
    throw new ApiError(401, data.error || "signed out");
  }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `${res.status} ${res.statusText}`);
  return data;
}

export function setPage(title, ...content) {
  document.title = title ? `${title} — rbk` : "rbk";
  main.replaceChildren(h("div", {}, ...content));
}

export function navigate(path) {
  history.pushState(null, "", path);
  router();
}

// Links within the pages move without reloading.
document.addEventListener("click", (e) => {
  const a = e.target.closest("a");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || a.target || a.hasAttribute("download")) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/auth/") || url.pathname.startsWith("/assets/")) return;
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener("popstate", () => router());

export async function loadSession() {
  session = await api("/auth/session");
  const who = document.getElementById("who");
  if (!session.signed_in) {
    who.replaceChildren(h("a", { href: `/signin?return=${encodeURIComponent(location.pathname + location.search)}` }, "Sign in"));
    return;
  }
  const out = h("button", { type: "button" }, "Sign out");
  out.addEventListener("click", async () => {
    await api("/auth/logout", { method: "POST" });
    session = null;
    navigate("/signin");
  });
  who.replaceChildren(
    h("span", {}, "Signed in as ", h("strong", { id: "who-name" }, session.name)),
    h("span", { class: "roles", id: "who-roles" }, session.roles.length ? `roles: ${session.roles.join(", ")}` : "no roles"),
    out,
  );
}

export async function refreshGateCount() {
  if (!session?.signed_in) return;
  const el = document.getElementById("gate-count");
  try {
    const { gates } = await api("/api/gates");
    el.textContent = gates.length;
    el.hidden = gates.length === 0;
    el.setAttribute("aria-label", `${gates.length} waiting`);
  } catch {
    el.hidden = true;
  }
}

export function signIn() {
  if (location.pathname !== "/signin")
    navigate(`/signin?return=${encodeURIComponent(location.pathname + location.search)}`);
}

export function markNav(which) {
  for (const a of document.querySelectorAll("[data-nav]"))
    if (a.dataset.nav === which) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
}

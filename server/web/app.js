// rbk's pages: one script for every page of `rbk serve`. It reads and changes everything
// through the JSON API (/openapi.json) with the browser's sign-in cookie, follows a run
// through its Server-Sent Events, and colours the run's path on the diagram the server
// draws from the run's own program. No framework: the DOM, fetch and EventSource.

const main = document.getElementById("main");
let session = null; // /auth/session: who is signed in, their roles, the CSRF token
let pageController = null; // aborts what the page left behind (event streams)

// ---- small helpers ---------------------------------------------------------------

// h("a", {href: "/x", class: "y"}, "text", child…): an element; strings become text nodes,
// so nothing the server or a runbook says is ever parsed as HTML.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function badge(text, kind = text) {
  return h("span", { class: `badge ${kind}` }, text);
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

// A value as a runbook reads it: strings quoted, records {a: 1}, lists [1, 2].
function show(v) {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(", ")}}`;
  return String(v);
}

// Probe results arrive as the trace writes them: durations, percents and times as text.
function showResult(v) {
  const unquoted = /^-?(\d+(\.\d+)?(ms|s|m|h|d))+$|^-?\d+(\.\d+)?%$|^\d{4}-\d\d-\d\dT[\d:.]+Z$/;
  return typeof v === "string" && unquoted.test(v) ? v : show(v);
}

// A value too long to read in a line (a fleet's device list) folds: its start, then all of
// it on demand.
function long(text) {
  if (text.length <= 240) return text;
  return h("details", { class: "long" }, h("summary", {}, `${text.slice(0, 160)}… (${text.length} characters)`), text);
}

// "1 item", "3 items"; "1 child", "2 children".
function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function call(fn, args) {
  return `${fn}(${(args || []).map(show).join(", ")})`;
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, { method = "GET", body } = {}) {
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

function notice(kind, ...text) {
  return h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, ...text);
}

function setPage(title, ...content) {
  document.title = title ? `${title} — rbk` : "rbk";
  main.replaceChildren(h("div", {}, ...content));
}

function navigate(path) {
  history.pushState(null, "", path);
  route();
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
window.addEventListener("popstate", () => route());

// ---- the diagram -------------------------------------------------------------------

// The SVG the server drew, in CONTAINER. Graphviz names every node g "node_NAME" and every
// edge g "edge_INDEX" (render/graphviz.hpp): the path is coloured by classes on them.
const diagramTexts = new Map(); // url -> SVG text: a fan-out redraws its overlay at each wave
async function loadDiagram(container, url, label) {
  if (!diagramTexts.has(url)) {
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) throw new ApiError(res.status, `the diagram could not be drawn (${res.status})`);
    diagramTexts.set(url, await res.text());
  }
  const doc = new DOMParser().parseFromString(diagramTexts.get(url), "image/svg+xml");
  const svg = document.importNode(doc.documentElement, true);
  // Graphviz sizes in points; the page scales by the zoom (a CSS pixel is 3/4 of a point).
  const pt = (v) => parseFloat(v || "0") * (String(v).endsWith("pt") ? 4 / 3 : 1);
  container.naturalWidth = pt(svg.getAttribute("width"));
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  container.replaceChildren(svg);
  applyZoom(container);
  return svg;
}

// A diagram is drawn at a readable zoom (labels about 10 px), which may scroll; "Fit"
// shows all of it at once. The zoom is set through the CSSOM (the CSP allows no inline
// style attribute).
const kReadableZoom = 0.7;
// How many cohorts and children a fan-out's panel lists (a fleet has thousands).
const kCohortRows = 25;
const kChildRows = 200;
function applyZoom(box) {
  const svg = box.querySelector("svg");
  if (!svg) return;
  if (box.zoom === "fit" || !box.naturalWidth) {
    svg.style.width = "100%";
  } else {
    svg.style.width = `${Math.round(box.naturalWidth * box.zoom)}px`;
  }
}

function diagramBlock(id, label) {
  // Focusable, so a keyboard can scroll a diagram larger than its box.
  const box = h("div", { class: "diagram", id, tabindex: 0, role: "region", "aria-label": label });
  box.zoom = kReadableZoom;
  const zoomBy = (f) => () => {
    const now = box.zoom === "fit" ? box.clientWidth / (box.naturalWidth || box.clientWidth) : box.zoom;
    box.zoom = Math.min(2, Math.max(0.2, now * f));
    applyZoom(box);
  };
  const fit = () => {
    box.zoom = "fit";
    applyZoom(box);
  };
  const tools = h("div", { class: "zoom", role: "group", "aria-label": `Zoom of the ${label.toLowerCase()}` },
    h("button", { type: "button", onclick: zoomBy(1 / 1.25), "aria-label": "Zoom out" }, "−"),
    h("button", { type: "button", onclick: zoomBy(1.25), "aria-label": "Zoom in" }, "+"),
    h("button", { type: "button", onclick: fit }, "Fit"));
  return { box, bar: h("div", { class: "diagram-bar" }, h("h2", {}, label), tools) };
}

// Scrolls BOX (not the page) so that G is in the middle of it.
function follow(box, g) {
  if (!g) return;
  const b = box.getBoundingClientRect(), r = g.getBoundingClientRect();
  box.scrollLeft += r.left + r.width / 2 - (b.left + b.width / 2);
  box.scrollTop += r.top + r.height / 2 - (b.top + b.height / 2);
}

function svgPart(svg, id) {
  return svg.querySelector(`g[id="${CSS.escape(id)}"]`);
}

// Notes a count beside edge E: on its label when it has one, else at its middle.
function countEdge(svg, g, n) {
  const existing = g.querySelector("text.count");
  if (existing) existing.remove();
  const path = g.querySelector("path");
  if (!path) return;
  const mid = path.getPointAtLength(path.getTotalLength() / 2);
  const t = document.createElementNS("http://www.w3.org/2000/svg", "text");
  t.setAttribute("class", "count");
  t.setAttribute("x", mid.x + 6);
  t.setAttribute("y", mid.y - 4);
  t.textContent = `×${n}`;
  g.append(t);
}

// ---- session and header ----------------------------------------------------------------

async function loadSession() {
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

async function refreshGateCount() {
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

function signIn() {
  if (location.pathname !== "/signin")
    navigate(`/signin?return=${encodeURIComponent(location.pathname + location.search)}`);
}

function markNav(which) {
  for (const a of document.querySelectorAll("[data-nav]"))
    if (a.dataset.nav === which) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
}

// ---- pages -------------------------------------------------------------------------------

function signInPage() {
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

async function catalogue() {
  markNav("runbooks");
  const { runbooks } = await api("/api/runbooks");
  const cards = runbooks.map((r) =>
    h("article", { class: "card" },
      h("h2", {}, h("a", { href: `/runbooks/${encodeURIComponent(r.name)}` }, r.title || r.name)),
      h("div", { class: "muted mono" }, r.name, " · ", r.file),
      r.doc ? h("p", {}, r.doc.split("\n")[0]) : null,
      r.params.length ? h("div", { class: "kv" }, "Parameters: ", r.params.map((p) => p.name).join(", ")) : null,
      r.capabilities.length ? h("ul", { class: "chips", "aria-label": "Capabilities" }, r.capabilities.map((c) => h("li", { class: "chip" }, c))) : null,
      r.called_by.length ? h("div", { class: "kv" }, "Called by: ", r.called_by.join(", ")) : null,
      r.unavailable ? notice("warn", `Cannot start here: ${r.unavailable}`) : null));
  setPage("Runbooks", h("div", { class: "page-head" }, h("h1", {}, "Runbooks"), h("span", { class: "sub" }, `${runbooks.length} in this server's catalogue`)), h("div", { class: "grid" }, cards));
}

// A form field for parameter P: its type decides the input; the server checks the value.
function paramField(p) {
  const id = `param-${p.name}`;
  const type = p.type.replace(/\?$/, "");
  let input;
  if (type === "bool") {
    input = h("select", { id, name: p.name },
      p.required ? null : h("option", { value: "" }, `default (${p.default ?? "none"})`),
      h("option", { value: "true" }, "true"), h("option", { value: "false" }, "false"));
  } else {
    input = h("input", {
      id, name: p.name, type: "text", required: p.required, autocomplete: "off", spellcheck: "false",
      placeholder: p.default !== undefined ? `default: ${p.default}` : "",
      inputmode: type === "int" || type === "float" ? "decimal" : null,
    });
  }
  input.dataset.type = type;
  const forms = p.forms.replace(/, quoted for the shell/, "").replace(/'/g, "");
  return h("div", {},
    h("label", { for: id }, p.name, " ", h("span", { class: "type" }, p.type), p.required ? h("span", { class: "muted" }, " (required)") : null),
    input,
    h("div", { class: "help", id: `${id}-help` }, forms));
}

// The form's values as the API takes them: numbers, true/false and JSON lists/records by
// type; text for the rest (durations, percents and times are written as in .rbk).
function formParams(form) {
  const params = {};
  for (const el of form.querySelectorAll("[data-type]")) {
    const raw = el.value.trim();
    if (raw === "") continue;
    const t = el.dataset.type;
    if (t === "int" || t === "float") params[el.name] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (t === "bool") params[el.name] = raw === "true";
    else if (t.startsWith("list") || t.startsWith("{") || t === "any" || t.startsWith("record")) {
      try { params[el.name] = JSON.parse(raw); } catch { params[el.name] = raw; }
    } else params[el.name] = raw;
  }
  return params;
}

async function runbookPage(name) {
  markNav("runbooks");
  const r = await api(`/api/runbooks/${encodeURIComponent(name)}`);
  const { box, bar } = diagramBlock("diagram", "Diagram");
  const status = h("div", { "aria-live": "polite", id: "start-status" });
  const form = h("form", { class: "fields", id: "run-form", novalidate: true }, r.params.map(paramField));
  const dry = h("button", { class: "primary", type: "submit", value: "dry-run", id: "start-dry" }, "Start dry-run");
  const live = h("button", { class: "danger", type: "submit", value: "live", id: "start-live", disabled: !session.may_start_live }, "Start live run");
  form.append(h("div", { class: "actions" }, dry, live),
    session.may_start_live
      ? h("p", { class: "help" }, "A dry-run reads through the probes and only records the actions. A live run does the actions, after each gate's approval.")
      : h("p", { class: "help", id: "live-refused" }, `Live runs: ${session.live_refused}`),
    status);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const mode = e.submitter?.value || "dry-run";
    status.replaceChildren();
    for (const b of [dry, live]) b.disabled = true;
    try {
      const run = await api("/api/runs", { method: "POST", body: { runbook: r.name, mode, params: formParams(form) } });
      navigate(`/runs/${encodeURIComponent(run.id)}`);
    } catch (err) {
      status.replaceChildren(notice("error", `Not started: ${err.message}`));
      dry.disabled = false;
      live.disabled = !session.may_start_live;
    }
  });
  const all = new Set(r.capabilities);
  setPage(r.title || r.name,
    h("div", { class: "page-head" }, h("h1", {}, r.title || r.name), h("span", { class: "sub mono" }, `${r.name} · ${r.file} · program ${r.program_hash.slice(0, 12)}`)),
    r.doc ? h("p", {}, r.doc) : null,
    r.unavailable ? notice("warn", `Cannot start here: ${r.unavailable}`) : null,
    h("div", { class: "split" },
      h("section", { "aria-label": "Diagram" }, bar, box),
      h("div", {},
        h("section", { class: "card", "aria-labelledby": "start-h" }, h("h2", { id: "start-h" }, "Start a run"),
          r.params.length ? null : h("p", { class: "muted" }, "This runbook takes no parameters."), form),
        h("section", { class: "card", "aria-labelledby": "caps-h" }, h("h2", { id: "caps-h" }, "Capabilities"),
          h("p", { class: "help" }, "What the policy must grant: probes for a dry-run, all of them for a live run."),
          h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Capability"), h("th", {}, "Used by"))),
            h("tbody", {}, [...all].map((c) => h("tr", {}, h("td", { class: "mono" }, c), h("td", {}, r.probe_capabilities.includes(c) ? "probes" : "actions")))))),
        h("section", { class: "card", "aria-labelledby": "rel-h" }, h("h2", { id: "rel-h" }, "Related runbooks"),
          h("dl", { class: "facts" },
            h("dt", {}, "Calls"), h("dd", {}, r.calls.length ? r.calls.map((c, i) => [i ? ", " : "", link(c)]) : "none"),
            h("dt", {}, "Called by"), h("dd", {}, r.called_by.length ? r.called_by.map((c, i) => [i ? ", " : "", link(c)]) : "none"))),
        h("p", {}, h("a", { href: `/runs?runbook=${encodeURIComponent(r.name)}` }, "Runs of this runbook")))));
  await loadDiagram(box, `/api/runbooks/${encodeURIComponent(r.name)}/diagram.svg`, `Diagram of ${r.title || r.name}`);
  function link(n) {
    return h("a", { href: `/runbooks/${encodeURIComponent(n)}` }, n);
  }
}

async function runsPage() {
  markNav("runs");
  const q = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const k of ["runbook", "status", "started_by"]) if (q.get(k)) query.set(k, q.get(k));
  const [{ runs }, { runbooks }] = await Promise.all([api(`/api/runs?${query}`), api("/api/runbooks")]);
  const sel = (id, label, options, value) =>
    h("div", {}, h("label", { for: id }, label),
      h("select", { id, name: id.replace("f-", "") }, h("option", { value: "" }, "any"),
        options.map((o) => h("option", { value: o, selected: o === value }, o))));
  const filters = h("form", { class: "filters", role: "search", id: "filters" },
    sel("f-runbook", "Runbook", runbooks.map((r) => r.name), q.get("runbook")),
    sel("f-status", "Status", ["running", "paused", "ended", "failed", "cancelled", "interrupted"], q.get("status")),
    h("div", {}, h("label", { for: "f-started_by" }, "Started by"), h("input", { id: "f-started_by", name: "started_by", value: q.get("started_by") || "", autocomplete: "off" })),
    h("button", { type: "submit", class: "primary" }, "Filter"),
    session.signed_in ? h("a", { href: `/runs?started_by=${encodeURIComponent(session.name)}` }, "My runs") : null);
  filters.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const el of filters.querySelectorAll("select, input")) if (el.value) p.set(el.name, el.value);
    navigate(`/runs${p.size ? `?${p}` : ""}`);
  });
  const rows = runs.map((r) =>
    h("tr", {},
      h("td", { class: "mono" }, h("a", { href: `/runs/${r.id}` }, r.id)),
      h("td", {}, r.runbook),
      h("td", {}, badge(r.mode)),
      h("td", {}, badge(r.status), r.gate ? h("span", { class: "kv" }, ` at ${r.gate.name}`) : null),
      h("td", {}, r.outcome ? badge(r.outcome) : ""),
      h("td", {}, r.started_by),
      h("td", {}, h("time", { datetime: r.created_at, title: when(r.created_at) }, ago(r.created_at))),
      h("td", {}, h("a", { href: `/runs/${r.id}/audit`, "aria-label": `Audit trail of ${r.id}` }, "audit"))));
  setPage("Runs",
    h("div", { class: "page-head" }, h("h1", {}, "Runs"), h("span", { class: "sub" }, `${runs.length} shown, newest first`)),
    filters,
    runs.length
      ? h("div", { class: "table-wrap" }, h("table", { id: "runs" },
          h("thead", {}, h("tr", {}, ["Run", "Runbook", "Mode", "Status", "Outcome", "Started by", "Started", "Audit"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows)))
      : h("p", { class: "muted" }, "No run matches."));
}

// The plan a gate shows, as the server binds it; with a foreach's waves and worst case
// when the trace has them.
function gateCard(run, { foreachPlan = null, onDecided = null, heading = "h2" } = {}) {
  const g = run.gate;
  const status = h("div", { "aria-live": "polite", class: "decision-status" });
  const comment = h("textarea", { id: `comment-${run.id}`, name: "comment", rows: 2 });
  const approve = h("button", { class: "primary", type: "button", "data-decision": "approve" }, "Approve");
  const deny = h("button", { class: "danger", type: "button", "data-decision": "deny" }, "Deny");
  const decide = async (what) => {
    for (const b of [approve, deny]) b.disabled = true;
    status.replaceChildren(notice("info", "Sending…"));
    try {
      await api(`/api/runs/${run.id}/${what}`, { method: "POST", body: { plan_hash: g.plan_hash, comment: comment.value } });
      status.replaceChildren(notice("ok", `${what === "approve" ? "Approved" : "Denied"}: the run goes on.`));
      refreshGateCount();
      if (onDecided) onDecided(what);
    } catch (err) {
      status.replaceChildren(notice("error", `Refused: ${err.message}`));
      for (const b of [approve, deny]) b.disabled = false;
    }
  };
  approve.addEventListener("click", () => decide("approve"));
  deny.addEventListener("click", () => decide("deny"));
  const plan = Array.isArray(g.plan) ? g.plan : [];
  return h("section", { class: "card gate", "aria-label": `Gate ${g.name} of run ${run.id}`, "data-run": run.id },
    h(heading, {}, `Gate “${g.name}” waits for role ${g.role}`),
    h("div", { class: "kv" },
      h("a", { href: `/runs/${run.id}` }, run.runbook, " · ", run.id), " · ", badge(run.mode),
      ` · started by ${run.started_by} · waiting since `, h("time", { datetime: g.waiting_since, title: when(g.waiting_since) }, ago(g.waiting_since))),
    h("h3", {}, plan.length === 0 ? "The plan: no call at this gate" : plan.length === 1 ? "The plan: 1 call" : `The plan: ${plan.length} calls`),
    plan.length ? h("ul", { class: "plan" }, plan.map((c) => h("li", {}, h("code", {}, c)))) : null,
    foreachPlan ? h("p", { class: "kv" },
      `Fan-out: ${count(foreachPlan.items, "item")} in ${count(foreachPlan.waves.length, "wave")} of ${foreachPlan.waves.join(", ")}`,
      Object.keys(foreachPlan.actions || {}).length ? `; each child may do ${Object.entries(foreachPlan.actions).map(([a, n]) => `${a} ×${n}`).join(", ")}` : "; no child does an action",
      foreachPlan.worst_case !== undefined ? `; blast radius: at worst ${count(foreachPlan.worst_case, "child", "children")} act${foreachPlan.worst_case === 1 ? "s" : ""} before the abort threshold fires` : "") : null,
    h("p", { class: "kv mono" }, `plan hash ${g.plan_hash.slice(0, 16)}… — a decision binds to exactly this plan`),
    g.you_may_decide === false ? notice("warn", `You cannot decide this gate: ${g.you_may_not_because}`) : null,
    h("div", {}, h("label", { for: `comment-${run.id}` }, "Comment"), comment),
    h("div", { class: "actions" }, approve, deny),
    status);
}

// The last foreach plan the trace shows for the gate's node (its waves and worst case).
async function foreachPlanOf(run) {
  try {
    const events = await api(`/api/runs/${run.id}/trace`);
    const plans = events.filter((e) => e.event === "foreach_plan" && e.node === run.gate.name);
    return plans.length ? plans[plans.length - 1] : null;
  } catch {
    return null;
  }
}

// The gates waiting, kept current by /api/gates/events: a gate that starts waiting is
// added, one decided (here or elsewhere) leaves; a card being filled in stays as it is.
async function gatesPage() {
  markNav("gates");
  const signal = pageController.signal;
  const sub = h("span", { class: "sub", id: "gates-sub", "aria-live": "polite" });
  const list = h("div", { id: "gates" });
  const empty = h("p", { class: "muted" }, "No gate is waiting.");
  setPage("Gates", h("div", { class: "page-head" }, h("h1", {}, "Gates waiting"), sub), list);
  const cards = new Map(); // "id plan_hash" -> card
  let shown = "";
  const update = async (gates) => {
    const wanted = gates.map((g) => `${g.id} ${g.plan_hash}`);
    const key = wanted.join(",");
    if (key === shown || signal.aborted) return;
    shown = key;
    for (const [k, card] of cards) if (!wanted.includes(k)) { card.remove(); cards.delete(k); }
    for (const k of wanted) {
      if (cards.has(k)) continue;
      const run = await api(`/api/runs/${encodeURIComponent(k.split(" ")[0])}`);
      if (run.status !== "paused" || signal.aborted) continue;
      const card = gateCard(run, { foreachPlan: await foreachPlanOf(run), onDecided: () => navigate(`/runs/${run.id}`) });
      cards.set(k, card);
    }
    // In the server's order (newest first), whatever order they came in.
    list.replaceChildren(...wanted.filter((k) => cards.has(k)).map((k) => cards.get(k)));
    if (!cards.size) list.replaceChildren(empty);
    sub.textContent = `${count(cards.size, "gate")} waiting for a decision`;
    refreshGateCount();
  };
  await update((await api("/api/gates")).gates.map((r) => ({ id: r.id, plan_hash: r.gate.plan_hash })));
  const events = new EventSource("/api/gates/events");
  signal.addEventListener("abort", () => events.close());
  events.addEventListener("gates", (m) => update(JSON.parse(m.data).gates).catch(() => {}));
}

// /gates/ID: the page a notification links to.
async function gatePage(id) {
  markNav("gates");
  const run = await api(`/api/runs/${encodeURIComponent(id)}`);
  if (!run.gate) {
    setPage(`Run ${id}`, h("h1", {}, `Run ${id}`),
      notice("info", `This run is not waiting at a gate any more: it is ${run.status}. `, h("a", { href: `/runs/${id}` }, "Open the run")));
    return;
  }
  setPage(`Gate ${run.gate.name}`,
    h("div", { class: "page-head" }, h("h1", {}, `Decide: ${run.runbook}`), h("a", { href: `/runs/${id}` }, "Watch the run")),
    gateCard(run, { foreachPlan: await foreachPlanOf(run), onDecided: () => navigate(`/runs/${id}`) }));
}

async function auditPage(id) {
  markNav("runs");
  const a = await api(`/api/runs/${encodeURIComponent(id)}/audit`);
  setPage(`Audit of ${id}`,
    h("div", { class: "page-head" }, h("h1", {}, "Audit trail"), h("a", { href: `/runs/${id}`, class: "mono" }, id)),
    a.chain_problems.length
      ? notice("error", `The audit chain is broken: ${a.chain_problems.join("; ")}`)
      : notice("ok", "The audit chain is intact: every entry's hash covers the one before it."),
    h("div", { class: "table-wrap" }, h("table", { id: "audit" },
      h("thead", {}, h("tr", {}, ["#", "When", "Who", "What", "Detail", "Plan hash"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, a.entries.map((e) => h("tr", {},
        h("td", { class: "num" }, e.seq), h("td", {}, when(e.at)), h("td", {}, e.actor), h("td", {}, e.action),
        h("td", {}, e.detail), h("td", { class: "mono" }, e.plan_hash ? `${e.plan_hash.slice(0, 12)}…` : "")))))));
}

// ---- the run page -----------------------------------------------------------------------

async function runPage(id) {
  markNav("runs");
  const signal = pageController.signal;
  let run = await api(`/api/runs/${encodeURIComponent(id)}`);
  const { box, bar } = diagramBlock("diagram", "Path");
  const trace = h("ol", { class: "trace", id: "trace", "aria-label": "Trace", tabindex: 0 });
  const head = h("div", { class: "page-head" });
  const gateSlot = h("div", { id: "gate-slot" });
  const fleetSlot = h("div", { id: "fleet" });
  const summary = h("div", { class: "card", id: "run-summary" });
  setPage(`Run ${id}`, head, gateSlot,
    h("div", { class: "split" },
      h("section", { "aria-label": "Diagram with the run's path" }, bar, box),
      h("section", { "aria-labelledby": "trace-h" }, h("h2", { id: "trace-h" }, "Trace"), trace, summary)),
    fleetSlot);
  const svg = await loadDiagram(box, `/api/runs/${id}/diagram.svg`, `Diagram of ${run.runbook} with the run's path`);
  box.classList.add("run");

  const drawHead = () => {
    head.replaceChildren(...[
      h("h1", {}, run.runbook), badge(run.mode), h("span", { id: "run-status" }, badge(run.status)),
      run.outcome ? h("span", { id: "run-outcome" }, "outcome ", badge(run.outcome)) : null,
      h("span", { class: "sub mono" }, run.id),
      h("a", { href: `/runs/${id}/audit` }, "Audit trail")].filter(Boolean));
    summary.replaceChildren(h("dl", { class: "facts" },
      h("dt", {}, "Started by"), h("dd", {}, run.started_by),
      h("dt", {}, "Started"), h("dd", {}, when(run.created_at)),
      h("dt", {}, "Parameters"), h("dd", { class: "mono" }, Object.keys(run.params).length ? show(run.params) : "none"),
      run.error ? [h("dt", {}, "Error"), h("dd", {}, run.error)] : null,
      (run.approvals || []).length ? [h("dt", {}, "Decisions"), h("dd", {}, run.approvals.map((a) => h("div", {}, `${a.gate}: ${a.decision} by ${a.by}${a.comment ? ` — “${a.comment}”` : ""}`)))] : null));
  };
  drawHead();

  let current = null;
  const fleets = new Map(); // foreach node -> its panel's state
  const setCurrent = (node) => {
    if (current) current.classList.remove("current");
    current = node ? svgPart(svg, `node_${node}`) : null;
    if (current) current.classList.add("current", "taken");
    follow(box, current);
  };
  const item = (cls, depth, ...content) => {
    const li = h("li", { class: `${cls}${depth ? ` depth${Math.min(depth, 3)}` : ""}` }, ...content);
    trace.append(li);
    trace.scrollTop = trace.scrollHeight;
    return li;
  };

  const onTrace = (e) => {
    const depth = e.depth || 0;
    const top = depth === 0;
    switch (e.event) {
      case "run_started":
        if (top) svgPart(svg, "node_start")?.classList.add("taken");
        if (top) svgPart(svg, "edge_start")?.classList.add("taken");
        item("start", depth, "Run started");
        break;
      case "node_entered":
        if (top) setCurrent(e.node);
        item(e.kind === "end" ? "node end" : "node", depth, e.label || e.node, depth ? h("span", { class: "kv" }, ` (${e.runbook})`) : null);
        break;
      case "probe":
        if (e.in_body) break;
        item("probe", depth, h("span", { class: "value" }, call(e.function, e.args), " = ", long(showResult(e.result))));
        break;
      case "action":
        item("action", depth, e.performed ? badge("done") : badge("would do", "would"), " ", h("span", { class: "value" }, call(e.function, e.args)),
          e.error ? h("span", { class: "kv" }, ` — error: ${show(e.error)}`) : null);
        break;
      case "edge_taken":
        if (top) svgPart(svg, `edge_${e.edge}`)?.classList.add("taken");
        item("edge", depth, "→ ", e.to, e.label ? ` “${e.label}”` : "");
        break;
      case "gate_asked":
        item("gate", depth, `Gate ${e.gate} asks role ${e.role}: `, (e.plan || []).map((c, i) => [i ? ", " : "", h("code", {}, c)]));
        break;
      case "gate_decided":
        item("gate", depth, `Gate ${e.gate}: ${e.decision}${e.by ? ` by ${e.by}` : ""}`);
        break;
      case "error":
        item("error", depth, `Error: ${e.message || show(e.error || e)}`);
        break;
      case "wait_timeout":
        item("error", depth, `Wait timed out at ${e.node}`);
        break;
      case "run_failed":
        item("error", depth, `Run failed: ${e.error || e.message || ""}`);
        break;
      case "run_ended":
        if (top) setCurrent(null);
        item("end", depth, "Outcome: ", badge(e.outcome || "ended"));
        break;
      case "foreach_plan":
      case "wave_started":
      case "children":
      case "foreach_ended":
        fleetEvent(e);
        if (e.event === "wave_started") item("wave", depth, `${e.node}: wave ${e.wave} of ${e.waves} — ${count(e.items, "item")}`);
        if (e.event === "foreach_ended") item("wave", depth, `${e.node}: ${count(e.count, "child", "children")} ended${e.aborted ? " (aborted)" : ""}`);
        break;
      default:
        break;
    }
  };

  // ---- fan-out: waves, counts by end node and cohort, the fleet overlay, one child ----
  function fleetEvent(e) {
    if ((e.depth || 0) !== 0) return;
    let f = fleets.get(e.node);
    if (!f) {
      f = { node: e.node, plan: null, waves: [], children: [], ended: null, panel: h("section", { class: "card fleet", id: `fleet-${e.node}`, "aria-label": `Fan-out ${e.node}` }) };
      fleets.set(e.node, f);
      fleetSlot.append(f.panel);
    }
    if (e.event === "foreach_plan") f.plan = e;
    if (e.event === "wave_started") f.waves.push(e);
    if (e.event === "children") f.children.push(e);
    if (e.event === "foreach_ended") f.ended = e;
    drawFleet(f);
  }

  function drawFleet(f) {
    const ended = f.ended;
    const total = f.plan?.items ?? ended?.count ?? 0;
    const done = f.children.reduce((n, c) => n + c.ids.length, 0);
    const parts = [h("h2", {}, `Fan-out “${f.node}”`)];
    if (f.plan)
      parts.push(h("p", { class: "kv" }, `${count(f.plan.items, "item")} in ${f.plan.waves.length === 1 ? "one wave" : `waves of ${f.plan.waves.join(", ")}`}`,
        Object.keys(f.plan.actions || {}).length ? `; each child may do ${Object.entries(f.plan.actions).map(([a, n]) => `${a} ×${n}`).join(", ")}` : "; no child does an action",
        f.plan.worst_case !== undefined ? `; at worst ${f.plan.worst_case} before the abort fires` : ""));
    const progress = h("div", { class: "bar", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": total, "aria-valuenow": done, "aria-label": "Children that ran" }, h("span"));
    progress.firstChild.style.width = `${total ? Math.round((100 * done) / total) : 0}%`;
    parts.push(h("div", {}, `${done} of ${count(total, "child", "children")} ran${ended?.aborted ? " — aborted" : ""}`), progress);
    const facts = [];
    if (f.waves.length)
      facts.push(h("h3", {}, "Waves"), h("ol", { id: `waves-${f.node}` }, f.waves.map((w) => h("li", {}, `wave ${w.wave} of ${w.waves}: ${count(w.items, "item")}`))));
    // Counts by end node: from the children events as they come, exact at the end.
    const ends = new Map();
    for (const c of f.children) c.path.forEach((p) => { const end = c.paths[p].end; ends.set(end, (ends.get(end) || 0) + 1); });
    if (ends.size)
      facts.push(h("h3", {}, "By end node"), h("table", { class: "ends" }, h("thead", {}, h("tr", {}, h("th", {}, "End"), h("th", { class: "num" }, "Children"))),
        h("tbody", {}, [...ends].sort((a, b) => b[1] - a[1]).map(([end, n]) => h("tr", {}, h("td", {}, end), h("td", { class: "num" }, n))))));
    if (ended?.cohorts?.length) {
      // The largest cohorts first; a fleet has many, a page shows the ones that matter.
      const endNames = ended.ends.map((x) => x.end);
      const total = (c) => c.ends.reduce((n, x) => n + x.children, 0);
      const cohorts = [...ended.cohorts].sort((a, b) => total(b) - total(a));
      const shown = cohorts.slice(0, kCohortRows);
      facts.push(h("h3", {}, `By cohort (${ended.by.join(", ")})`), h("div", { class: "table-wrap cohorts-wrap", tabindex: 0, role: "region", "aria-label": `Cohorts of ${f.node}` }, h("table", { class: "cohorts" },
        h("thead", {}, h("tr", {}, ended.by.map((b) => h("th", {}, b)), endNames.map((n) => h("th", { class: "num" }, n)))),
        h("tbody", {}, shown.map((c) => h("tr", {}, c.key.map((k) => h("td", {}, show(k).replace(/^"|"$/g, ""))),
          endNames.map((n) => h("td", { class: "num" }, c.ends.find((x) => x.end === n)?.children ?? 0))))))),
        cohorts.length > shown.length ? h("p", { class: "kv" }, `The ${shown.length} largest of ${cohorts.length} cohorts; all of them: rbk runs ${id}`) : null);
    }
    const overlay = h("div", { class: "diagram run", id: `overlay-${f.node}`, tabindex: 0, role: "region", "aria-label": `Fleet overlay of ${f.node}` });
    const childName = f.children[0]?.child || ended?.child;
    const childList = h("div", { class: "children-list", tabindex: 0, role: "region", "aria-label": `Children of ${f.node}` });
    const childTrace = h("div", { id: `child-trace-${f.node}`, "aria-live": "polite" });
    if (childName) {
      parts.push(h("div", { class: "split" },
        h("div", {}, h("h3", {}, `Fleet overlay on “${childName}”: how many children took each edge`), overlay),
        h("div", {}, facts)),
        h("h3", {}, "Children"), childList, childTrace);
      const rows = [];
      for (const c of f.children) c.ids.forEach((id, i) => rows.push({ id, path: c.paths[c.path[i]], cohort: c.cohorts?.[c.cohort?.[i]] }));
      childList.replaceChildren(h("div", {}, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Item"), h("th", {}, "End"), h("th", {}, "Outcome"), h("th", {}, ""))),
        h("tbody", {}, rows.slice(0, kChildRows).map((r) => h("tr", {}, h("td", { class: "mono" }, r.id), h("td", {}, r.path.end), h("td", {}, badge(r.path.outcome)),
          h("td", {}, h("button", { type: "button", class: "child-trace", onclick: () => showChild(f, r) }, `Trace of ${r.id}`)))))),
        rows.length > kChildRows ? h("p", { class: "kv" }, `The first ${kChildRows} of ${rows.length}.`) : null));
      drawOverlay(f, overlay, childName).catch((err) => overlay.replaceChildren(notice("error", err.message)));
    } else {
      parts.push(...facts);
    }
    f.panel.replaceChildren(...parts);
  }

  async function drawOverlay(f, overlay, childName) {
    const osvg = await loadDiagram(overlay, `/api/runs/${id}/diagram.svg?runbook=${encodeURIComponent(childName)}`, `Fleet overlay on ${childName}`);
    f.overlaySvg = osvg;
    const counts = new Map();
    for (const c of f.children) c.path.forEach((p) => { for (const e of c.paths[p].edges) counts.set(e, (counts.get(e) || 0) + 1); });
    const most = Math.max(1, ...counts.values());
    osvg.querySelector('g[id="node_start"]')?.classList.add("taken");
    osvg.querySelector('g[id="edge_start"]')?.classList.add("taken");
    for (const [edge, n] of counts) {
      const g = svgPart(osvg, `edge_${edge}`);
      if (!g) continue;
      g.classList.add("taken");
      if (n * 2 > most) g.classList.add("heavy");
      countEdge(osvg, g, n);
      const to = g.querySelector("title")?.textContent.split("->")[1];
      if (to) svgPart(osvg, `node_${to}`)?.classList.add("taken");
    }
  }

  // One child's path: drawn alone on the child's diagram, and told step by step.
  function showChild(f, r) {
    const osvg = f.overlaySvg;
    const box = document.getElementById(`child-trace-${f.node}`);
    const steps = [];
    if (osvg) {
      for (const g of osvg.querySelectorAll("g.taken, g.heavy")) g.classList.remove("taken", "heavy");
      for (const t of osvg.querySelectorAll("text.count")) t.remove();
      osvg.querySelector('g[id="node_start"]')?.classList.add("taken");
      osvg.querySelector('g[id="edge_start"]')?.classList.add("taken");
      for (const e of r.path.edges) {
        const g = svgPart(osvg, `edge_${e}`);
        if (!g) continue;
        g.classList.add("taken");
        const [from, to] = (g.querySelector("title")?.textContent || "->").split("->");
        svgPart(osvg, `node_${to}`)?.classList.add("taken");
        const label = [...g.querySelectorAll("text")].map((t) => t.textContent).join(" ");
        steps.push(h("li", {}, `${from} → ${to}`, label ? ` “${label}”` : ""));
      }
    }
    box.replaceChildren(h("h3", {}, `Trace of ${r.id}`), h("p", {}, "Ended at ", h("strong", {}, r.path.end), " with outcome ", badge(r.path.outcome),
      r.cohort ? ` · cohort ${r.cohort.map((k) => show(k).replace(/^"|"$/g, "")).join(" / ")}` : ""),
      h("ol", { class: "child-steps" }, steps),
      h("button", { type: "button", onclick: () => { if (f.overlaySvg) drawFleetOverlayAgain(f); box.replaceChildren(); } }, "Back to the whole fleet"));
    box.scrollIntoView({ block: "nearest" });
  }

  function drawFleetOverlayAgain(f) {
    const overlay = document.getElementById(`overlay-${f.node}`);
    const childName = f.children[0]?.child || f.ended?.child;
    drawOverlay(f, overlay, childName);
  }

  const showGate = async () => {
    if (run.status !== "paused" || !run.gate) {
      gateSlot.replaceChildren();
      return;
    }
    const fresh = await api(`/api/runs/${id}`);
    if (fresh.status !== "paused") return;
    gateSlot.replaceChildren(gateCard(fresh, { foreachPlan: await foreachPlanOf(fresh), heading: "h2" }));
  };

  // The run's events: every trace event from the first (the stream replays them), then
  // a status event at each change of state; closed once the run has finished.
  const events = new EventSource(`/api/runs/${encodeURIComponent(id)}/events`);
  signal.addEventListener("abort", () => events.close());
  events.addEventListener("trace", (m) => onTrace(JSON.parse(m.data)));
  events.addEventListener("status", async (m) => {
    const was = run.status;
    run = { ...run, ...JSON.parse(m.data) };
    if (["ended", "failed", "cancelled"].includes(run.status)) {
      events.close();
      setCurrent(null);
      try { run = await api(`/api/runs/${id}`); } catch { /* the page keeps what it has */ }
    }
    drawHead();
    if (was !== run.status) {
      showGate();
      refreshGateCount();
    }
  });
  showGate();
  events.addEventListener("error", () => {
    if (events.readyState === EventSource.CLOSED) trace.after(notice("warn", "The event stream closed; reload the page to follow the run."));
  });
}

// ---- routing ---------------------------------------------------------------------------

async function route() {
  if (pageController) pageController.abort();
  pageController = new AbortController();
  const path = decodeURIComponent(location.pathname);
  main.focus({ preventScroll: true });
  try {
    if (!session) await loadSession();
    if (path === "/signin") return signInPage();
    if (!session.signed_in) return signIn();
    refreshGateCount();
    let m;
    if (path === "/" || path === "/runbooks") return await catalogue();
    if ((m = path.match(/^\/runbooks\/([^/]+)$/))) return await runbookPage(m[1]);
    if (path === "/runs") return await runsPage();
    if ((m = path.match(/^\/runs\/([^/]+)\/audit$/))) return await auditPage(m[1]);
    if ((m = path.match(/^\/runs\/([^/]+)$/))) return await runPage(m[1]);
    if (path === "/gates") return await gatesPage();
    if ((m = path.match(/^\/gates\/([^/]+)$/))) return await gatePage(m[1]);
    setPage("Not found", h("h1", {}, "No such page"), h("p", {}, h("a", { href: "/" }, "The runbooks")));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    setPage("Error", h("h1", {}, "Something went wrong"), notice("error", err.message));
  }
}

route();

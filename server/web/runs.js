// The runs list (/runs, filtered by runbook, status and person) and a run's audit trail
// (/runs/ID/audit).
import { ago, badge, h, notice, when } from "./dom.js";
import { api, markNav, navigate, session, setPage } from "./shell.js";

export async function runsPage() {
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

export async function auditPage(id) {
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

// The catalogue (/) and a runbook's page (/runbooks/NAME): its diagram, doc, capabilities,
// the runbooks it calls and that call it, and the form that starts a run of it.
import { h, notice } from "./dom.js";
import { diagramBlock, loadDiagram } from "./diagram.js";
import { api, markNav, navigate, session, setPage } from "./shell.js";

export async function catalogue() {
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

export async function runbookPage(name) {
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

// A run's page (/runs/ID): its diagram with the path coloured as its events arrive, the
// readable trace beside it, its gate when it waits, and each fan-out — waves, counts by end
// node and cohort, the fleet overlay, one child's path.
import { badge, call, count, h, long, notice, show, showResult, when } from "./dom.js";
import { countEdge, diagramBlock, follow, loadDiagram, svgPart } from "./diagram.js";
import { foreachPlanOf, gateCard } from "./gates.js";
import { api, markNav, pageSignal, refreshGateCount, setPage } from "./shell.js";

// How many cohorts and children a fan-out's panel lists (a fleet has thousands).
const kCohortRows = 25;
const kChildRows = 200;

export async function runPage(id) {
  markNav("runs");
  const signal = pageSignal();
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
          e.error ? h("span", { class: "kv" }, ` — error: ${show(e.error)}`) : null,
          // a result a later node reads (do let); a dry-run's is a placeholder
          !e.error && e.result !== undefined ? h("span", { class: "value" }, " = ", long(showResult(e.result)), e.placeholder ? " (a placeholder: not performed)" : "") : null);
        break;
      case "signal":
        item("probe", depth, h("span", { class: "value" }, `Signal ${e.signal} after ${show(e.after)}`, e.value !== null && e.value !== undefined ? [" = ", long(showResult(e.value))] : null));
        break;
      case "edge_taken":
        if (top) svgPart(svg, `edge_${e.edge}`)?.classList.add("taken");
        item("edge", depth, "→ ", e.to, e.label ? ` “${e.label}”` : "");
        break;
      case "gate_asked":
        item("gate", depth, `Gate ${e.gate} asks role ${e.role}: `, (e.plan || []).map((c, i) => [i ? ", " : "", h("code", {}, c)]));
        break;
      case "gate_decided":
        item("gate", depth, `Gate ${e.gate}: ${e.decision}${e.by ? ` by ${e.by}` : ""}`,
          e.answers ? Object.entries(e.answers).map(([q, v], i) => [i ? ", " : " — ", `${q} = `, h("code", {}, showResult(v))]) : null);
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

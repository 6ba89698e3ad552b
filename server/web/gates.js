// Gates: the card that shows a gate's plan as the server binds it and takes a decision,
// the gates waiting (/gates, kept current), and one gate (/gates/ID, a notification's link).
import { ago, badge, count, h, notice, when } from "./dom.js";
import { api, markNav, navigate, pageSignal, refreshGateCount, setPage } from "./shell.js";

// The plan a gate shows, as the server binds it; with a foreach's waves and worst case
// when the trace has them.
export function gateCard(run, { foreachPlan = null, onDecided = null, heading = "h2" } = {}) {
  const g = run.gate;
  const status = h("div", { "aria-live": "polite", class: "decision-status" });
  const comment = h("textarea", { id: `comment-${run.id}`, name: "comment", rows: 2 });
  const approve = h("button", { class: "primary", type: "button", "data-decision": "approve" }, "Approve");
  const deny = h("button", { class: "danger", type: "button", "data-decision": "deny" }, "Deny");
  // An approve node's questions: one choice each, picked before approving.
  const questions = Array.isArray(g.questions) ? g.questions : [];
  const pickers = questions.map((q, i) => {
    const id = `pick-${run.id}-${i}`;
    const select = h("select", { id, name: q.name, required: "" },
      h("option", { value: "" }, "Pick one…"),
      q.choices.map((c) => h("option", { value: c }, c)));
    return { q, select, field: h("div", {}, h("label", { for: id }, `Answer: ${q.name}`), select) };
  });
  const decide = async (what) => {
    const body = { plan_hash: g.plan_hash, comment: comment.value };
    if (what === "approve" && pickers.length) {
      const missing = pickers.find((p) => !p.select.value);
      if (missing) {
        status.replaceChildren(notice("error", `Pick an answer to “${missing.q.name}” before approving.`));
        missing.select.focus();
        return;
      }
      body.picks = Object.fromEntries(pickers.map((p) => [p.q.name, p.select.value]));
    }
    for (const b of [approve, deny]) b.disabled = true;
    status.replaceChildren(notice("info", "Sending…"));
    try {
      await api(`/api/runs/${run.id}/${what}`, { method: "POST", body });
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
  // (a gate that asks lists its questions in the plan too: the form shows them instead)
  const plan = (Array.isArray(g.plan) ? g.plan : []).filter((line) => !questions.some((q) => line.startsWith(`ask ${q.name}: `)));
  const planHeading = questions.length || !plan.length ? (plan.length ? "What the gate shows" : "The plan: no call at this gate")
    : plan.length === 1 ? "The plan: 1 call" : `The plan: ${plan.length} calls`;
  return h("section", { class: "card gate", "aria-label": `Gate ${g.name} of run ${run.id}`, "data-run": run.id },
    h(heading, {}, `Gate “${g.name}” waits for role ${g.role}`),
    h("div", { class: "kv" },
      h("a", { href: `/runs/${run.id}` }, run.runbook, " · ", run.id), " · ", badge(run.mode),
      ` · started by ${run.started_by} · waiting since `, h("time", { datetime: g.waiting_since, title: when(g.waiting_since) }, ago(g.waiting_since))),
    h("h3", {}, planHeading),
    plan.length ? h("ul", { class: "plan" }, plan.map((c) => h("li", {}, h("code", {}, c)))) : null,
    foreachPlan ? h("p", { class: "kv" },
      `Fan-out: ${count(foreachPlan.items, "item")} in ${count(foreachPlan.waves.length, "wave")} of ${foreachPlan.waves.join(", ")}`,
      Object.keys(foreachPlan.actions || {}).length ? `; each child may do ${Object.entries(foreachPlan.actions).map(([a, n]) => `${a} ×${n}`).join(", ")}` : "; no child does an action",
      foreachPlan.worst_case !== undefined ? `; blast radius: at worst ${count(foreachPlan.worst_case, "child", "children")} act${foreachPlan.worst_case === 1 ? "s" : ""} before the abort threshold fires` : "") : null,
    h("p", { class: "kv mono" }, `plan hash ${g.plan_hash.slice(0, 16)}… — a decision binds to exactly this plan`),
    g.you_may_decide === false ? notice("warn", `You cannot decide this gate: ${g.you_may_not_because}`) : null,
    pickers.map((p) => p.field),
    h("div", {}, h("label", { for: `comment-${run.id}` }, "Comment"), comment),
    h("div", { class: "actions" }, approve, deny),
    status);
}

// The last foreach plan the trace shows for the gate's node (its waves and worst case).
export async function foreachPlanOf(run) {
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
export async function gatesPage() {
  markNav("gates");
  const signal = pageSignal();
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
export async function gatePage(id) {
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

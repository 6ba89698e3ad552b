// The web pages of rbk serve, in Debian's Chromium (playwright-core drives it; it downloads
// no browser): an incident's whole story on loopback. Alice signs in with her API token,
// starts device_offline live against fleet-sim and watches its path advance to the gate,
// where her own approval is refused with the reason. Bob opens the link of the webhook's
// notification, signs in through the OpenID provider's own form, approves, and watches the
// path reach the outcome; fleet-sim received the action once. A fan-out dry-run shows its
// waves, counts and fleet overlay, and one child's trace. Every page is checked by axe-core
// (no serious or critical violation), sent no request off this server, and logged no
// console error and no failed request but those the story expects (a wrong token, a bad
// parameter, the refused approval); screenshots go to ARTIFACTS.
// Usage: node ui-flow.mjs BASE_URL ALICE_TOKEN HOOKS_JSONL SIM_URL ARTIFACTS_DIR
import { readFileSync, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const [base, aliceToken, hooksFile, simUrl, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let failures = 0;
let checks = 0;
function check(name, ok, detail = "") {
  checks++;
  if (ok) console.log(`ok   ${name}`);
  else {
    failures++;
    console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The closed network of a CI machine: nothing to reach, nothing to ask.
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
});

const consoleErrors = []; // "page: text"
const foreign = []; // requests that left the server
// Answers of 400 and above the story expects: a wrong token, a bad parameter, Alice's
// refused approval (and the test provider's missing favicon). Any other is a failure; the
// browser's console line for each ("Failed to load resource") is judged by this list.
const expectedFailures = [
  ["POST", "/auth/token", 401],
  ["POST", "/api/runs", 400],
  ["POST", "/approve", 403],
  ["GET", "/favicon.ico", 404],
];
const failedResponses = [];
async function person(label, viewport = { width: 1280, height: 800 }, colorScheme = "light") {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on("console", (m) => {
    if (m.type() !== "error" || m.text().startsWith("Failed to load resource")) return;
    consoleErrors.push(`${label}: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() < 400) return;
    const u = new URL(r.url());
    const m = r.request().method();
    if (!expectedFailures.some(([em, end, st]) => em === m && u.pathname.endsWith(end) && st === r.status()))
      failedResponses.push(`${label}: ${m} ${u.pathname} ${r.status()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${label}: uncaught ${e.message}`));
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith("data:") && !url.startsWith(new URL(process.env.ISSUER || base).origin))
      foreign.push(url);
  });
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

async function axe(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    (await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] })).violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(" "),
    })));
  const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(`axe: no serious violation on ${name}`, serious.length === 0, JSON.stringify(serious));
}

async function waitFor(what, fn, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  check(what, false, "timed out");
  return null;
}

try {
  // ---- Alice ------------------------------------------------------------------------------
  const { page: alice } = await person("alice");
  await alice.goto(`${base}/`);
  await alice.waitForURL(/\/signin\?return=/);
  check("signed out, the pages ask to sign in", alice.url().includes("/signin"));
  await axe(alice, "the sign-in page");
  await shot(alice, "01-sign-in");
  await alice.fill("#token", "rbk_not_a_token");
  await alice.click("#token-form button[type=submit]");
  await alice.waitForSelector("#token-form .notice.error");
  check("a wrong token is refused, with why", /Not signed in/.test(await alice.textContent("#token-form .notice.error")));
  await alice.fill("#token", aliceToken);
  await alice.click("#token-form button[type=submit]");
  await alice.waitForSelector(".grid .card");
  check("the header names her", (await alice.textContent("#who-name")) === "alice");
  check("and her roles", (await alice.textContent("#who-roles")).includes("ops"));
  const cards = await alice.$$eval(".grid .card h2", (hs) => hs.map((x) => x.textContent));
  check("the catalogue lists the runbooks", cards.length >= 6 && cards.some((t) => t.includes("Device Goes Offline")), cards.join(" | "));
  await axe(alice, "the catalogue");
  await shot(alice, "02-catalogue");

  await alice.click("text=Device Goes Offline");
  await alice.waitForSelector("#diagram svg g#node_check_last_seen");
  check("the runbook page draws its diagram", true);
  check("its parameters become fields", (await alice.$$("#run-form [data-type]")).length >= 2);
  check("the default is shown", (await alice.getAttribute("#param-flap_window", "placeholder")) === "default: 5m");
  check("it names the runbooks it calls", (await alice.textContent("main")).includes("cert_expiry"));
  check("live is offered (alice holds ops)", !(await alice.isDisabled("#start-live")));
  // Keyboard: the dry-run button is reachable with Tab alone.
  await alice.focus("body");
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await alice.keyboard.press("Tab");
    reached = await alice.evaluate(() => document.activeElement?.id === "start-dry");
  }
  check("the start button is reachable by keyboard", reached);
  await axe(alice, "the runbook page");
  await shot(alice, "03-runbook");

  // A value of the wrong form: the server's message, under the form; nothing started.
  await alice.fill("#param-device", "sensor-0042");
  await alice.fill("#param-gateway", "gw-7");
  await alice.fill("#param-flap_window", "soon");
  await alice.click("#start-live");
  await alice.waitForSelector("#start-status .notice.error");
  const why = await alice.textContent("#start-status");
  check("a bad parameter is refused by the server, naming it", why.includes("flap_window") && why.includes("duration"), why);
  await alice.fill("#param-flap_window", "");
  await alice.click("#start-live");
  await alice.waitForURL(/\/runs\/r[0-9]/);
  const runId = alice.url().split("/runs/")[1];
  check("the live run started and its page opened", /^r\d{8}-\d{6}-[0-9a-f]+$/.test(runId), runId);
  // The path advances to the gate: events over SSE colour the nodes; no reload.
  await alice.waitForSelector("#run-status .badge.paused", { timeout: 30000 });
  await alice.waitForSelector("#trace li.gate"); // the stream has replayed up to the gate
  const taken = await alice.$$eval("#diagram g.node.taken", (gs) => gs.map((g) => g.id));
  check("the path to the gate is coloured", taken.includes("node_check_last_seen") && taken.includes("node_renew_certificate"), taken.join(","));
  check("the taken edges too", (await alice.$$("#diagram g.edge.taken")).length >= 5);
  check("the trace shows what the probes saw", /certs\.time_left\("sensor-0042"\) = /.test(await alice.textContent("#trace")));
  await alice.waitForSelector("#gate-slot .gate");
  check("the gate card tells her she cannot decide, and why",
    /You cannot decide this gate: alice started this run/.test(await alice.textContent("#gate-slot")));
  check("the plan is shown as bound", (await alice.textContent("#gate-slot .plan")).includes('certs.reprovision("sensor-0042")'));
  await alice.click('#gate-slot button[data-decision="approve"]');
  await alice.waitForSelector("#gate-slot .decision-status .notice.error");
  const refused = await alice.textContent("#gate-slot .decision-status");
  check("her approval is refused with the reason", /Refused: alice started this run and cannot approve its gates/.test(refused), refused);
  await axe(alice, "the run page at its gate");
  await shot(alice, "04-run-at-gate-alice-refused");

  // Alice keeps the gates page open: it follows the gates as they come and go.
  await alice.click('nav a[data-nav="gates"]');
  await alice.waitForSelector(`#gates .gate[data-run="${runId}"]`);
  check("the gates page lists her run's gate", true);

  // ---- Bob, from the notification --------------------------------------------------------
  const link = await waitFor("the webhook has the gate's page", () => {
    if (!existsSync(hooksFile)) return null;
    for (const line of readFileSync(hooksFile, "utf8").split("\n").filter(Boolean)) {
      const m = JSON.parse(line).body;
      if (m.run?.id === runId && m.links?.page) return m.links.page;
    }
    return null;
  });
  check("the notification links to the gate's page", link === `${base}/gates/${runId}`, link);
  const { page: bob } = await person("bob");
  await bob.goto(link);
  await bob.waitForURL(/\/signin\?return=%2Fgates%2F/);
  await bob.click("#sso");
  await bob.waitForSelector("#login"); // the provider's own sign-in form
  await bob.fill("#login", "bob");
  await bob.click("button[type=submit]");
  await bob.waitForURL(`${base}/gates/${runId}`);
  await bob.waitForSelector(".gate");
  check("after signing in, bob is at the gate", (await bob.textContent("#who-name")) === "bob");
  check("his group became the ops role", (await bob.textContent("#who-roles")).includes("ops"));
  check("nothing tells him he may not decide", !(await bob.textContent(".gate")).includes("You cannot decide"));
  await axe(bob, "the gate page");
  await shot(bob, "05-gate-bob");
  await bob.fill(".gate textarea", "Certificate expired two days ago; reprovision is the fix.");
  await bob.click('.gate button[data-decision="approve"]');
  await bob.waitForURL(`${base}/runs/${runId}`);
  await bob.waitForSelector("#run-status .badge.ended", { timeout: 30000 });
  // The page may learn the state before the stream has replayed every event: the trace's
  // last line (run_ended) says the path is all drawn.
  await bob.waitForSelector("#trace li.end:has-text('Outcome')");
  const outcome = await bob.textContent("#run-outcome");
  check("the run reached its outcome", outcome.includes("resolved"), outcome);
  const path = await bob.$$eval("#diagram g.node.taken", (gs) => gs.map((g) => g.id));
  check("the diagram shows the path to the outcome", path.includes("node_recovered"), path.join(","));
  check("the trace says the action was done", /done\s*certs\.reprovision\("sensor-0042"\)/.test(await bob.textContent("#trace")));
  await shot(bob, "06-run-ended");
  await alice.waitForSelector(`#gates .gate[data-run="${runId}"]`, { state: "detached" });
  check("on Alice's gates page the decided gate left, without a reload", !(await alice.$(`#gates .gate[data-run="${runId}"]`)));
  const actions = await (await fetch(`${simUrl}/actions`)).text();
  const reprovisions = actions.match(/"action":"certs\.reprovision"/g) || [];
  check("fleet-sim received the action once", reprovisions.length === 1, actions);

  await bob.click("text=Audit trail");
  await bob.waitForSelector("#audit tbody tr");
  const audit = await bob.textContent("#audit");
  check("the audit trail is one click away, with the approval", audit.includes("approve") && audit.includes("bob") && audit.includes("start"));
  check("the chain is intact", (await bob.textContent("main")).includes("audit chain is intact"));
  await axe(bob, "the audit page");

  // The runs list filters by person and status.
  await bob.goto(`${base}/runs?started_by=alice&status=ended`);
  await bob.waitForSelector("#runs tbody tr");
  const rows = await bob.$$eval("#runs tbody tr", (trs) => trs.map((t) => t.textContent));
  check("the runs list filters by person and status", rows.some((r) => r.includes(runId)) && rows.every((r) => r.includes("alice") && r.includes("ended")), rows.join(" | "));
  await axe(bob, "the runs list");
  await shot(bob, "07-runs");

  // ---- A fan-out dry-run ---------------------------------------------------------------------
  await bob.goto(`${base}/runbooks/offline_triage`);
  await bob.fill("#param-region", "eu-west");
  await bob.click("#start-dry");
  await bob.waitForURL(/\/runs\/r[0-9]/);
  await bob.waitForSelector("#fleet-triage .cohorts", { timeout: 30000 });
  await bob.waitForSelector("#overlay-triage g.edge.taken text.count");
  const fleet = await bob.textContent("#fleet-triage");
  check("the fan-out shows its waves", /wave 1 of 1/.test(fleet), fleet.slice(0, 200));
  check("and its counts by end node", (await bob.$$("#fleet-triage table.ends tbody tr")).length >= 1);
  const counts = await bob.$$eval("#overlay-triage text.count", (ts) => ts.map((t) => t.textContent));
  check("the fleet overlay counts the children on each edge", counts.length >= 2 && counts.every((c) => /^×\d+$/.test(c)), counts.join(","));
  await bob.click("#fleet-triage button.child-trace");
  await bob.waitForSelector("#child-trace-triage .child-steps li");
  check("one child's trace opens", (await bob.$$("#child-trace-triage .child-steps li")).length >= 1);
  await axe(bob, "the fan-out run");
  await shot(bob, "08-fanout");

  // ---- A gate that asks -------------------------------------------------------------------------
  // bad_ota, live against fleet-sim: Dana and Erin decide the first two gates through the
  // API; Erin answers the third, which asks how far the rollback goes, on its web page.
  const asPerson = async (token, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method: body ? "POST" : "GET",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json() };
  };
  const pausedAt = (id, gate) => waitFor(`run ${id} pauses at ${gate}`, async () => {
    const r = await asPerson(aliceToken, `/api/runs/${id}`);
    return r.body.status === "paused" && r.body.gate?.name === gate ? r.body : null;
  });
  const started = await asPerson(aliceToken, "/api/runs", { runbook: "bad_ota", mode: "live", params: { rollout: "fw-2.4.0" } });
  const otaId = started.body.id;
  const quarantine = await pausedAt(otaId, "quarantine_cohort");
  await asPerson(process.env.DANA_TOKEN, `/api/runs/${otaId}/approve`, { plan_hash: quarantine.gate.plan_hash });
  const firstWave = await pausedAt(otaId, "rollback_wave");
  await asPerson(process.env.ERIN_TOKEN, `/api/runs/${otaId}/approve`, { plan_hash: firstWave.gate.plan_hash });
  await pausedAt(otaId, "continue_rollback");
  const { page: erin } = await person("erin");
  await erin.goto(`${base}/signin?return=/gates/${otaId}`);
  await erin.fill("#token", process.env.ERIN_TOKEN);
  await erin.click("#token-form button[type=submit]");
  await erin.waitForSelector(".gate select");
  const gateText = await erin.textContent(".gate");
  check("the gate shows what it says, evaluated", gateText.includes("10% of rev-B in eu-west"), gateText.slice(0, 300));
  const choices = await erin.$$eval(".gate select option", (os) => os.map((o) => o.value).filter((v) => v));
  check("the question offers the stages left", choices.join(",") === "25%,50%,100%", choices.join(","));
  await axe(erin, "a gate that asks");
  await erin.click('.gate button[data-decision="approve"]');
  await erin.waitForSelector(".gate .decision-status .notice.error");
  check("approving without a pick is stopped in the page", (await erin.textContent(".gate .decision-status")).includes("Pick an answer to “reach”"));
  await erin.selectOption(".gate select", "100%");
  await shot(erin, "10-gate-that-asks");
  await erin.click('.gate button[data-decision="approve"]');
  await erin.waitForURL(`${base}/runs/${otaId}`);
  await erin.waitForSelector("#run-status .badge.ended", { timeout: 30000 });
  await erin.waitForSelector("#trace li.end:has-text('Outcome')");
  const erinTrace = await erin.textContent("#trace");
  check("the trace shows the pick", /Gate continue_rollback: approved — reach = 100%/.test(erinTrace), erinTrace);
  check("and every decision before it", /Gate quarantine_cohort: approved/.test(erinTrace) && /Gate rollback_wave: approved/.test(erinTrace));
  check("the run rolled the whole cohort back", (await erin.textContent("#run-outcome")).includes("mitigated"));

  // ---- On a phone ------------------------------------------------------------------------------
  const { page: phone } = await person("phone", { width: 390, height: 844 });
  await phone.goto(`${base}/signin?return=/runs/${runId}`);
  await phone.fill("#token", aliceToken);
  await phone.click("#token-form button[type=submit]");
  await phone.waitForSelector("#run-status .badge.ended");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("on a phone the page does not scroll sideways", overflow <= 0, `${overflow}px too wide`);
  await shot(phone, "09-phone-run");
  await phone.goto(`${base}/gates`);
  await phone.waitForSelector("h1");
  await shot(phone, "10-phone-gates");
  await phone.click("text=Sign out");
  await phone.waitForURL(/\/signin/);
  const after = await (await phone.context().request.get(`${base}/auth/session`)).json();
  check("signing out ends the session", after.signed_in === false);

  // In a dark room: the dark theme passes the same checks.
  const { page: night } = await person("dark", { width: 1280, height: 800 }, "dark");
  await night.goto(`${base}/signin?return=/runs/${runId}`);
  await night.fill("#token", aliceToken);
  await night.click("#token-form button[type=submit]");
  await night.waitForSelector("#trace li.end");
  check("the dark theme is the one shown", (await night.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)) === "rgb(17, 24, 39)");
  await axe(night, "the run page, dark");
  await shot(night, "11-dark-run");
  await night.goto(`${base}/`);
  await night.waitForSelector(".grid .card");
  await axe(night, "the catalogue, dark");

  check("no request left the server", foreign.length === 0, foreign.join(", "));
  check("no console error", consoleErrors.length === 0, consoleErrors.join(" | "));
  check("no request failed but those the story expects", failedResponses.length === 0, failedResponses.join(" | "));
} catch (e) {
  check("the flow ran to its end", false, e.stack || String(e));
} finally {
  await browser.close();
}
console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);

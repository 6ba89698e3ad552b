// rbk's pages: the web UI of `rbk serve` (docs/web.md). Every page path answers with the
// same HTML page; this module draws the page of the address. Everything is read and
// changed through the JSON API (/openapi.json) with the browser's session cookie; a run
// is followed through its Server-Sent Events. No framework: the DOM, fetch, EventSource.
import { h, notice } from "./dom.js";
import { auditPage, runsPage } from "./runs.js";
import { catalogue, runbookPage } from "./catalogue.js";
import { gatePage, gatesPage } from "./gates.js";
import { runPage } from "./run_page.js";
import { signInPage } from "./signin.js";
import { ApiError, beginPage, loadSession, refreshGateCount, session, setPage, setRouter, signIn } from "./shell.js";

async function route() {
  beginPage();
  const path = decodeURIComponent(location.pathname);
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

setRouter(route);
route();

// How long rbk serve's pages take to be useful in Debian's Chromium (bench/web_ui_bench.sh):
// for each PATH, LOADS fresh loads (a new browser context each: nothing cached), timed
// from navigation until SELECTOR is on the page (the page notes the moment itself).
// Prints one JSON line per path: {"path", "selector", "ms": [..] (the page's clock, from
// the start of its navigation), "median_ms", "median_wall_ms" (from goto, a new renderer
// process included)}.
// Usage: node page-load.mjs BASE_URL TOKEN LOADS PATH SELECTOR [PATH SELECTOR]...
import { chromium } from "playwright-core";

const [base, token, loadsText, ...pairs] = process.argv.slice(2);
const loads = Number(loadsText);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
});
try {
  for (let i = 0; i < pairs.length; i += 2) {
    const [path, selector] = [pairs[i], pairs[i + 1]];
    const ms = [];
    const wall = [];
    for (let n = 0; n < loads; n++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Signed in before the clock starts: the cookie the token sign-in sets.
      const signIn = await context.request.post(`${base}/auth/token`, { data: { token } });
      if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
      const page = await context.newPage();
      // Noted by the page itself the moment SELECTOR appears (a mutation observer set up
      // before the page's own script; Playwright's polling would add its own delay).
      await page.addInitScript((sel) => {
        new MutationObserver((_, observer) => {
          if (document.querySelector(sel)) {
            window.__ready = performance.now();
            observer.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      }, selector);
      const t0 = performance.now();
      await page.goto(base + path);
      await page.waitForSelector(selector, { timeout: 60000 });
      // The page's own clock: from the start of its navigation (a new context's renderer
      // process starting is not the page's time).
      ms.push(Math.round(await page.waitForFunction(() => window.__ready).then((h) => h.jsonValue())));
      wall.push(Math.round(performance.now() - t0));
      await context.close();
    }
    ms.sort((a, b) => a - b);
    wall.sort((a, b) => a - b);
    const median = (xs) => xs[Math.floor(xs.length / 2)];
    console.log(JSON.stringify({ path, selector, ms, median_ms: median(ms), median_wall_ms: median(wall) }));
  }
} finally {
  await browser.close();
}

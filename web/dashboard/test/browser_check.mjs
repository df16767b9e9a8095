// Drives the dashboard in headless Chromium (Debian's) while a test moves things
// on the testbed. Protocol, one JSON object per stdout line:
//   {"step": "...", ...} as each check passes; {"ready": true} once the page shows
//   the network as it starts (the caller then roams client1); {"done": true, ...}
//   at the end; {"failed": "why"} and exit 1 on the first check that fails.
// Usage: node browser_check.mjs URL TOKEN_FILE OUT_DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, tokenFile, outDir] = process.argv.slice(2);
if (!url || !tokenFile || !outDir) {
  console.error("usage: node browser_check.mjs URL TOKEN_FILE OUT_DIR");
  process.exit(2);
}
const say = (o) => console.log(JSON.stringify(o));
const token = readFileSync(tokenFile, "utf8").trim();

const browser = await chromium.launch({
  executablePath: process.env.FMC_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // Chromium's own network traffic (updates, sync, QUIC probes) is refused here; the page needs none.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
// The refusals this test provokes are logged by Chromium as failed loads (401): expected, not problems.
page.on("console", (m) => {
  if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
});

async function expect(what, check, timeout = 15000) {
  try {
    await check(timeout);
    say({ step: what });
  } catch (e) {
    say({ failed: `${what}: ${e.message.split("\n")[0]}`, problems });
    await page.screenshot({ path: join(outDir, "dashboard-failed.png"), fullPage: true }).catch(() => {});
    await browser.close();
    process.exit(1);
  }
}
const visible = (sel) => (t) => page.waitForSelector(sel, { state: "visible", timeout: t });
const shown = (sel, text) => (t) => page.waitForFunction(([s, x]) => {
  const el = document.querySelector(s);
  return el && el.offsetParent !== null && el.textContent.includes(x);
}, [sel, text], { timeout: t });
const nothingShown = async () => {
  if (!(await page.locator("#main").isHidden())) throw new Error("the network view is shown");
  if (await page.locator("#topology *").count()) throw new Error("the topology holds data");
};
const points = () => page.evaluate(() => window.fmcDashboard.latency.points);

// No token, then a wrong one: a clear message and nothing else.
await page.goto(url);
await expect("without a token the page asks for it and shows nothing else", async (t) => {
  await shown("#login-message", "requires its API token")(t);
  await nothingShown();
});
await page.fill("#token", "not-the-token");
await page.click("#login-form button");
await expect("a wrong token is refused with a clear message", async (t) => {
  await shown("#login-message", "refused this token")(t);
  await nothingShown();
});

// The right one: the network as it starts.
await page.fill("#token", token);
await page.click("#login-form button");
await expect("with the token the network is shown", visible("#main"));
await expect("switches connected", (t) => page.waitForFunction(() =>
  document.querySelectorAll(".site").length === 4 && document.querySelectorAll(".switch-up").length === 4, null, { timeout: t }), 30000);
await expect("vm1 at home in dc1", visible('.endpoint.vm.home[data-name="vm1"][data-site="dc1"]'), 30000);
await expect("client1 at home in wlan1", visible('.endpoint.client.home[data-name="client1"][data-site="wlan1"]'), 30000);
await expect("the event stream is live", shown("#status", "live"));
const before = await points();
say({ ready: true, points: before });

// The caller roams client1 to wlan2; the Location Mapper has vm1 follow to dc2.
await expect("client1 seen at wlan2, away from home", visible('.endpoint.client.visiting[data-name="client1"][data-site="wlan2"]'), 60000);
await expect("the migration on the timeline, completed", visible('li.migration[data-vm="vm1"][data-state="completed"]'), 90000);
await expect("vm1's marker moved to dc2, visiting", visible('.endpoint.vm.visiting[data-name="vm1"][data-site="dc2"]'), 30000);
await expect("vm1's tunnel from its home dc1", visible('.tunnel[data-name="vm1"]'));
const steps = await page.$$eval('li.migration[data-vm="vm1"] .steps li', (els) => els.map((e) => e.dataset.phase));
await expect(`the timeline's steps in order (${steps.join(", ")})`, async () => {
  if (steps[0] !== "started" || steps[steps.length - 1] !== "completed") throw new Error("not started ... completed");
});
await expect("the services panel has video in dc2", visible('.service[data-name="video"][data-dc="dc2"]'));
// The chart: new points, far while client1 was at wlan2 and video at dc1, near again after.
await expect("the latency chart got new points, far then near", (t) => page.waitForFunction((b) => {
  const l = window.fmcDashboard.latency;
  const v = (l.values.get("client1 → video") || []).filter((x) => x != null);
  return l.points > b + 2 && v.some((x) => x > 20) && v[v.length - 1] < 10;
}, before, { timeout: t }), 30000);
const series = await page.evaluate(() => window.fmcDashboard.latency.values.get("client1 → video").filter((x) => x != null));
await page.screenshot({ path: join(outDir, "dashboard.png"), fullPage: true });
if (problems.length) {
  say({ failed: "the page reported errors", problems });
  await browser.close();
  process.exit(1);
}
say({ done: true, points: await points(), latency_ms: series.map((x) => Math.round(x * 10) / 10) });
await browser.close();

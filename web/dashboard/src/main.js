// The Follow-Me Cloud dashboard: reads the controller's API (same token as fmcctl),
// follows its event stream, and redraws what an event changes.
import { follow, getJson, getMigrations, getText, setToken, token, Unauthorized } from "./api.js";
import { LatencyChart } from "./latency.js";
import { renderPaths } from "./paths.js";
import { SecurityList } from "./security.js";
import { renderServices } from "./services.js";
import { html } from "./svg.js";
import { Timeline } from "./timeline.js";
import { renderTopology } from "./topology.js";
import "./style.css";

const POLL_MS = 2000;
const $ = (id) => document.getElementById(id);

const model = { sites: [], router: "", switches: [], endpoints: [], services: [], paths: [], rtt };
const timeline = new Timeline($("timeline"));
const security = new SecurityList($("security"), $("rejected"));
const latency = new LatencyChart($("latency"));
let stop = null;

function rtt(access, dc) {
  const p = model.paths.find((x) => x.access === access && x.dc === dc);
  return p ? p.rtt_ms : null;
}

function status(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.className = kind;
}

// Nothing but the message (and the token form) when the API refuses us.
function locked(message) {
  if (stop) stop.abort();
  stop = null;
  $("main").hidden = true;
  $("login").hidden = false;
  $("login-message").textContent = message;
  status("not connected", "bad");
}

async function refresh(parts) {
  const want = (p) => !parts || parts.includes(p);
  const jobs = [];
  if (want("sites"))
    jobs.push(getJson("/api/v1/sites").then((d) => {
      model.sites = d.sites;
      model.router = d.router ? d.router.name : "";
    }));
  if (want("switches")) jobs.push(getJson("/api/v1/switches").then((d) => (model.switches = d.switches)));
  if (want("endpoints")) jobs.push(getJson("/api/v1/endpoints").then((d) => (model.endpoints = d.endpoints)));
  if (want("services")) jobs.push(getJson("/api/v1/services").then((d) => (model.services = d.services)));
  if (want("paths")) jobs.push(getJson("/api/v1/paths").then((d) => (model.paths = d.paths)));
  if (want("migrations")) jobs.push(getMigrations().then((m) => timeline.load(m)));
  if (want("metrics")) jobs.push(getText("/metrics").then((t) => security.counts(t)));
  await Promise.all(jobs);
  draw();
}

function draw() {
  renderTopology($("topology"), model);
  renderPaths($("paths"), model);
  renderServices($("services"), model.services);
  timeline.render();
}

// What each event changes; reads are coalesced (one refresh per 100 ms at most).
let pending = new Set();
let timer = null;
function later(...parts) {
  parts.forEach((p) => pending.add(p));
  if (timer) return;
  timer = setTimeout(async () => {
    const parts = [...pending];
    pending = new Set();
    timer = null;
    try {
      await refresh(parts);
    } catch (e) {
      failed(e);
    }
  }, 100);
}

function onEvent(kind, d) {
  $("last-event").textContent = `${kind} ${new Date(d.at_ms || Date.now()).toLocaleTimeString()}`;
  if (kind === "EndpointMoved" || kind === "EndpointLocated") later("endpoints", "services");
  else if (kind === "MigrationStep") {
    timeline.step(d);
    timeline.render();
    later("migrations", "services", "endpoints");
  } else if (kind === "PlacementDecision") later("services");
  else if (kind === "UtilisationMeasured") later("sites");
  else if (kind === "PathMeasured") {
    const p = model.paths.find((x) => x.access === d.access && x.dc === d.dc);
    if (p) p.rtt_ms = d.delay_ms;
    later("paths");
  } else if (kind === "SecurityEvent" || kind === "FlowsRefused") {
    security.add(kind, d);
    later("metrics");
  }
  if (kind !== "SecurityEvent") setTimeout(() => latency.sample(model, Date.now()), 150);
}

function failed(e) {
  if (e instanceof Unauthorized)
    locked(token() ? "The controller refused this token." : "This controller requires its API token (the file given to --api-token-file, e.g. /etc/fmc/token).");
  else status(`API error: ${e.message}`, "bad");
}

async function start() {
  try {
    await refresh();
  } catch (e) {
    failed(e);
    return;
  }
  $("login").hidden = true;
  $("main").hidden = false;
  status("connected", "good");
  security.render();
  latency.sample(model, Date.now());
  stop = new AbortController();
  const signal = stop.signal;
  follow(onEvent, (state) => {
    if (state === "unauthorized") failed(new Unauthorized("/api/v1/events"));
    else status(state === "open" ? "live" : "reconnecting…", state === "open" ? "good" : "bad");
  }, signal);
  const poll = async () => {
    if (signal.aborted) return;
    try {
      await refresh(["switches", "paths", "metrics", "endpoints", "services"]);
      latency.sample(model, Date.now());
    } catch (e) {
      failed(e);
    }
    if (!signal.aborted) setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
}

$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  setToken($("token").value.trim());
  $("token").value = "";
  start();
});
$("logout").addEventListener("click", () => {
  setToken("");
  locked("Signed out. Enter the API token to watch the network.");
});
window.fmcDashboard = { model, timeline, latency }; // for the browser test and for curious operators
start();

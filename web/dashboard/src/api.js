// The controller's northbound API as the page uses it: the bearer token (kept in
// session storage, entered once), JSON reads, and the event stream read with fetch
// (EventSource cannot send an Authorization header).

const TOKEN_KEY = "fmc.token";
const MAX_LINE = 1 << 20;

export class Unauthorized extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers() {
  const t = token();
  return t ? { Authorization: `Bearer ${t}` } : {};
}

async function get(path, as) {
  const r = await fetch(path, { headers: headers(), cache: "no-store" });
  if (r.status === 401) throw new Unauthorized(path);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${r.statusText}`);
  return as === "text" ? r.text() : r.json();
}

export const getJson = (path) => get(path, "json");
export const getText = (path) => get(path, "text");

// The migrations resource answers 503 when no migration driver is configured: no migrations.
export async function getMigrations() {
  try {
    return (await getJson("/api/v1/migrations")).migrations;
  } catch (e) {
    if (e instanceof Unauthorized) throw e;
    return [];
  }
}

// Calls onEvent(kind, data) for each event of /api/v1/events until `signal` aborts;
// reconnects after a lost connection (1 s, doubling to 10 s). onState("open"|"closed"|"unauthorized").
export async function follow(onEvent, onState, signal) {
  let wait = 1000;
  while (!signal.aborted) {
    try {
      const r = await fetch("/api/v1/events", { headers: headers(), signal });
      if (r.status === 401) {
        onState("unauthorized");
        return;
      }
      if (!r.ok || !r.body) throw new Error(`event stream: ${r.status}`);
      onState("open");
      wait = 1000;
      await readEvents(r.body, onEvent);
    } catch (e) {
      if (signal.aborted) return;
    }
    onState("closed");
    await new Promise((done) => setTimeout(done, wait));
    wait = Math.min(wait * 2, 10000);
  }
}

// text/event-stream: "event: Kind" then "data: {json}", a blank line between events.
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let kind = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    // A line that never ends is not an event: drop the stream (follow() reconnects).
    if (buffer.length > MAX_LINE) throw new Error(`event stream: a line over ${MAX_LINE} characters`);
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line.startsWith("event: ")) kind = line.slice(7);
      else if (line.startsWith("data: ") && kind) {
        try {
          onEvent(kind, JSON.parse(line.slice(6)));
        } catch (e) {
          console.warn("event not understood", kind, e);
        }
      }
    }
  }
}

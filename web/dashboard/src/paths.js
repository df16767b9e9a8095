// The Path Monitor's measured round trip of every access network - data center
// path (with the configured WAN delay it should find), the paths a client uses to
// reach its service marked.
import { html } from "./svg.js";

export function renderPaths(root, model) {
  const accesses = model.sites.filter((s) => s.kind !== "data_center").map((s) => s.name);
  const dcs = model.sites.filter((s) => s.kind === "data_center").map((s) => s.name);
  const inUse = new Set();
  for (const s of model.services)
    for (const u of s.users) if (u.site) inUse.add(`${u.site}/${s.data_center}`);
  const cell = (a, d) => {
    const p = model.paths.find((x) => x.access === a && x.dc === d);
    if (!p) return html("td", { class: "muted", text: "—" });
    const rtt = p.rtt_ms == null ? "not yet" : `${p.rtt_ms.toFixed(1)} ms`;
    const set = p.configured_rtt_ms == null ? "" : ` (set ${p.configured_rtt_ms})`;
    return html("td", { class: inUse.has(`${a}/${d}`) ? "in-use" : "", "data-access": a, "data-dc": d, text: rtt + set });
  };
  root.replaceChildren(
    html("table", { class: "paths" }, [
      html("tr", {}, [html("th", { text: "round trip" }), ...dcs.map((d) => html("th", { text: d }))]),
      ...accesses.map((a) => html("tr", {}, [html("th", { text: a }), ...dcs.map((d) => cell(a, d))])),
    ]),
  );
}

// What the controller refused: security events and refused flows as they come,
// and the rejected-input counters of /metrics (malformed OpenFlow, DHCP, ARP, ...).
import { clock, html } from "./svg.js";

const KEEP = 200;

export class SecurityList {
  constructor(listRoot, countsRoot) {
    this.listRoot = listRoot;
    this.countsRoot = countsRoot;
    this.items = [];
  }

  add(kind, d) {
    const what = kind === "SecurityEvent"
      ? `${d.kind}: ${d.detail}`
      : `flows refused for ${d.endpoint} at ${d.site}: ${d.refused}${d.table_full ? " (table full)" : ""}, attempt ${d.attempt}`;
    this.items.unshift({ at: d.at_ms, kind, what });
    this.items.length = Math.min(this.items.length, KEEP);
    this.render();
  }

  // fmc_rejected_inputs_total{source="...",reason="..."} N, from the Prometheus text.
  counts(metricsText) {
    const rows = [];
    for (const line of metricsText.split("\n")) {
      const m = /^fmc_rejected_inputs_total\{source="([^"]*)",reason="([^"]*)"\} (\S+)$/.exec(line);
      if (m && Number(m[3]) > 0) rows.push([m[1], m[2], Number(m[3])]);
    }
    this.countsRoot.replaceChildren(
      rows.length
        ? html("table", {}, [
            html("tr", {}, ["source", "reason", "rejected"].map((h) => html("th", { text: h }))),
            ...rows.map((r) => html("tr", {}, r.map((c) => html("td", { text: c })))),
          ])
        : html("p", { class: "muted", text: "no input rejected" }),
    );
  }

  render() {
    this.listRoot.replaceChildren(
      this.items.length
        ? html("ul", {}, this.items.map((i) => html("li", { class: i.kind }, [html("span", { class: "when", text: clock(i.at) }), ` ${i.what}`])))
        : html("p", { class: "muted", text: "no security events" }),
    );
  }
}

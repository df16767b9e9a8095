// Migrations in order, newest first: each with its steps as the event stream
// reported them (started, switchover, locating, then completed, failed or
// cancelled) at the controller's own times, the downtime and the detail.
import { clock, html } from "./svg.js";

const KEEP = 100;  // the newest migrations shown

export class Timeline {
  constructor(root) {
    this.root = root;
    this.byId = new Map(); // id -> {id, vm, from, to, state, started_ms, duration_ms, downtime_ms, detail, steps: [{phase, at}]}
  }

  // From GET /api/v1/migrations (what happened before the page opened, and the records' words).
  load(records) {
    for (const m of records) {
      const known = this.byId.get(m.id) || { steps: [] };
      this.byId.set(m.id, { ...known, ...m, steps: known.steps });
      if (!known.steps.length) {
        known.steps.push({ phase: "started", at: m.started_ms });
        if (m.finished_ms) known.steps.push({ phase: m.state, at: m.finished_ms });
      }
    }
  }

  // A MigrationStep event.
  step(d) {
    const m = this.byId.get(d.id) || { id: d.id, vm: d.vm, from: d.from, to: d.to, steps: [] };
    if (d.phase === "started") m.steps = [];
    m.steps.push({ phase: d.phase, at: d.at_ms });
    m.state = ["started", "switchover", "locating"].includes(d.phase) ? "running" : d.phase;
    if (d.downtime_ms) m.downtime_ms = d.downtime_ms;
    if (d.detail) m.detail = d.detail;
    this.byId.set(d.id, m);
  }

  render() {
    const all = [...this.byId.values()].sort((a, b) => b.id - a.id);
    for (const old of all.splice(KEEP)) this.byId.delete(old.id);
    if (!all.length) {
      this.root.replaceChildren(html("p", { class: "muted", text: "no migrations yet" }));
      return;
    }
    this.root.replaceChildren(
      html("ol", { class: "migrations" }, all.map((m) => {
        const t0 = m.steps.length ? m.steps[0].at : 0;
        return html("li", { class: `migration ${m.state}`, "data-id": m.id, "data-vm": m.vm, "data-state": m.state }, [
          html("div", {}, [
            html("strong", { text: `#${m.id} ${m.vm}` }),
            ` ${m.from} → ${m.to}: `,
            html("span", { class: "state", text: m.state }),
            m.downtime_ms ? `, downtime ${Number(m.downtime_ms).toFixed(0)} ms` : "",
          ]),
          html("ol", { class: "steps" }, m.steps.map((s) =>
            html("li", { "data-phase": s.phase, text: `${clock(s.at)} ${s.phase}${t0 && s.at !== t0 ? ` (+${s.at - t0} ms)` : ""}` }))),
          m.detail ? html("p", { class: "detail", text: m.detail }) : "",
        ]);
      })),
    );
  }
}

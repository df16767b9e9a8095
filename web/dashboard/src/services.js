// Per service: where it runs, its users, the Location Mapper's last decision with
// the scores it compared (lower is better), and where each of its parts is.
import { html } from "./svg.js";

function decision(d) {
  if (!d) return html("p", { class: "muted", text: "no decision yet" });
  const scores = Object.entries(d.scores || {}).sort((a, b) => a[1] - b[1]);
  return html("div", { class: "decision" }, [
    html("p", {}, [
      html("strong", { text: d.action }),
      d.target ? ` → ${d.target}` : "",
      ` (${d.policy}): ${d.reason}`,
    ]),
    html("table", { class: "scores" }, [
      html("tr", {}, [html("th", { text: "DC" }), html("th", { text: "score" })]),
      ...scores.map(([dc, s]) =>
        html("tr", { class: dc === d.target ? "chosen" : "" }, [html("td", { text: dc }), html("td", { text: s.toFixed(2) })]),
      ),
    ]),
  ]);
}

export function renderServices(root, services) {
  if (!services.length) {
    root.replaceChildren(html("p", { class: "muted", text: "no services configured" }));
    return;
  }
  root.replaceChildren(
    ...services.map((s) =>
      html("section", { class: "service", "data-name": s.name, "data-dc": s.data_center }, [
        html("h3", {}, [`${s.name} `, html("span", { class: "muted", text: `VM ${s.vm} in ` }), html("span", { class: "dc", text: s.data_center })]),
        html("p", { text: `users: ${s.users.map((u) => `${u.name} at ${u.site || "?"}`).join(", ") || "none"}` }),
        decision(s.last_decision),
        s.parts.length
          ? html("ul", { class: "parts" }, s.parts.map((p) =>
              html("li", { text: `${p.name} (${p.size_mib} MiB${p.follows ? ", follows" : ", stays"}) in ${p.data_center}` })))
          : "",
      ]),
    ),
  );
}

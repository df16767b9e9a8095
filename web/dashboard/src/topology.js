// The network as the controller sees it: data centers above the router, access
// networks below (a layered layout from dagre), each site with its switch and its
// connection state, the endpoints where they are now (home or visiting), and the
// virtual tunnel of each endpoint away from home (its traffic rewritten so it
// keeps its address, paper §III.C).
import dagre from "@dagrejs/dagre";

import { svg, text } from "./svg.js";

const SITE_W = 190;
const ROW_H = 22;
const HEAD_H = 44;

function siteHeight(count) {
  return HEAD_H + Math.max(1, count) * ROW_H + 8;
}

// Positions of the router and the sites: {id: {x, y, width, height}}.
function layout(sites, routerName, bySite) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 60, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode(routerName, { width: 110, height: 40 });
  for (const s of sites) {
    g.setNode(s.name, { width: SITE_W, height: siteHeight((bySite.get(s.name) || []).length) });
    // Data centers above the router, access networks below it.
    if (s.kind === "data_center") g.setEdge(s.name, routerName);
    else g.setEdge(routerName, s.name);
  }
  dagre.layout(g);
  const out = {};
  for (const id of g.nodes()) out[id] = g.node(id);
  return { nodes: out, width: g.graph().width, height: g.graph().height };
}

// A data center's servers: how busy, measured by its hypervisors or as configured.
function busy(s) {
  if (!s.utilisation) return "";
  const m = s.utilisation.measured;
  return m == null ? ` · servers ${Math.round(100 * s.utilisation.configured)}% (configured)` : ` · servers ${Math.round(100 * m)}% busy`;
}

export function renderTopology(root, model) {
  const { sites, switches, endpoints, router } = model;
  const bySite = new Map();
  for (const e of endpoints) {
    if (!e.location) continue;
    const list = bySite.get(e.location.site) || [];
    list.push(e);
    bySite.set(e.location.site, list);
  }
  const routerName = router || "router";
  const { nodes, width, height } = layout(sites, routerName, bySite);
  const box = (id) => nodes[id];
  const top = (n) => n.y - n.height / 2;
  const left = (n) => n.x - n.width / 2;

  const layers = { links: svg("g"), sites: svg("g"), tunnels: svg("g") };
  const r = box(routerName);
  for (const s of sites) {
    const n = box(s.name);
    const y = s.kind === "data_center" ? top(n) + n.height : top(n);
    layers.links.append(svg("line", { x1: n.x, y1: y, x2: r.x, y2: r.y, class: "uplink" }));
  }
  layers.sites.append(
    svg("g", { class: "router", "data-name": routerName }, [
      svg("rect", { x: left(r), y: top(r), width: r.width, height: r.height, rx: 20 }),
      text(r.x, r.y + 5, `router ${routerName}`, { "text-anchor": "middle" }),
    ]),
  );

  const connected = new Map(switches.map((sw) => [sw.name, sw.connected]));
  for (const s of sites) {
    const n = box(s.name);
    const x = left(n);
    const y = top(n);
    const up = connected.get(s.switch);
    const g = svg("g", { class: `site ${s.kind}`, "data-name": s.name }, [
      svg("rect", { x, y, width: n.width, height: n.height, rx: 6 }),
      text(x + 10, y + 18, `${s.kind === "data_center" ? "DC" : "WLAN"} ${s.name}${busy(s)}`, { class: "site-name" }),
      svg("circle", { cx: x + 14, cy: y + 32, r: 5, class: up ? "switch-up" : "switch-down" }),
      text(x + 24, y + 36, `${s.switch} ${up ? "connected" : "not connected"}`, { class: "switch-name" }),
    ]);
    (bySite.get(s.name) || [])
      .sort((p, q) => p.name.localeCompare(q.name))
      .forEach((e, i) => {
        const ey = y + HEAD_H + i * ROW_H + 14;
        const where = e.at_home ? "home" : `visiting, home ${e.home}`;
        g.append(
          svg("g", {
            class: `endpoint ${e.kind} ${e.at_home ? "home" : "visiting"}`,
            "data-name": e.name,
            "data-site": s.name,
          }, [
            e.kind === "vm"
              ? svg("rect", { x: x + 10, y: ey - 9, width: 12, height: 12, rx: 2 })
              : svg("circle", { cx: x + 16, cy: ey - 3, r: 6 }),
            text(x + 28, ey + 1, `${e.name} ${e.ip || ""} (${where})`),
          ]),
        );
      });
    layers.sites.append(g);
  }

  // Virtual tunnels: an endpoint away from home keeps its home address; the switches
  // rewrite its traffic between the home site and where it is.
  for (const e of endpoints) {
    if (e.at_home || !e.location || !box(e.home) || !box(e.location.site)) continue;
    const from = box(e.home);
    const to = box(e.location.site);
    const bend = e.kind === "vm" ? -50 : 50;
    const y1 = e.kind === "vm" ? top(from) : top(from) + from.height;
    const y2 = e.kind === "vm" ? top(to) : top(to) + to.height;
    const mx = (from.x + to.x) / 2;
    const my = (y1 + y2) / 2 + bend;
    layers.tunnels.append(
      svg("g", { class: "tunnel", "data-name": e.name }, [
        svg("path", { d: `M ${from.x} ${y1} Q ${mx} ${my} ${to.x} ${y2}` }),
        text(mx, my + (bend < 0 ? 10 : -2), `tunnel: ${e.name} keeps ${e.ip} (${e.home} → ${e.location.site})`, {
          "text-anchor": "middle",
        }),
      ]),
    );
  }

  const pad = 70;
  const view = svg("svg", {
    viewBox: `0 ${-pad} ${Math.max(width, 400)} ${height + 2 * pad}`,
    class: "topology",
    role: "img",
    "aria-label": "topology",
  }, [layers.links, layers.sites, layers.tunnels]);
  root.replaceChildren(view);
}

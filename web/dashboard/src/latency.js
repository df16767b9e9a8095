// Latency per client-service pair, live: the measured round trip (the Path
// Monitor's) of the path between the client's access network and the data center
// its service runs in. When the client roams it rises; when the VM follows it drops
// (the paper's Fig. 5, as it happens). A point is added at every measured change,
// move and migration step, and every few seconds.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

const KEEP_S = 600;
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"];

export class LatencyChart {
  constructor(root) {
    this.root = root;
    this.pairs = []; // "client → service"
    this.times = [];
    this.values = new Map(); // pair -> [ms or null]
    this.plot = null;
    this.points = 0;
  }

  // model: {services, endpoints, rtt(access, dc)}; at: the controller's ms.
  sample(model, at) {
    const now = (at || Date.now()) / 1000;
    const current = new Map();
    for (const s of model.services) {
      for (const u of s.users) {
        const e = model.endpoints.find((x) => x.name === u.name);
        const site = e && e.location ? e.location.site : null;
        const rtt = site ? model.rtt(site, s.data_center) : null;
        current.set(`${u.name} → ${s.name}`, rtt == null ? null : rtt);
      }
    }
    if (this.times.length && now < this.times[this.times.length - 1]) return; // older stamps: already drawn past them
    const added = [...current.keys()].filter((k) => !this.values.has(k));
    for (const k of added) {
      this.pairs.push(k);
      this.values.set(k, this.times.map(() => null));
    }
    this.times.push(now);
    for (const k of this.pairs) this.values.get(k).push(current.has(k) ? current.get(k) : null);
    while (this.times.length && this.times[0] < now - KEEP_S) {
      this.times.shift();
      for (const k of this.pairs) this.values.get(k).shift();
    }
    this.points += 1;
    this.root.dataset.points = String(this.points);
    if (added.length || !this.plot) this.create();
    else this.plot.setData(this.data());
  }

  data() {
    return [this.times, ...this.pairs.map((k) => this.values.get(k))];
  }

  create() {
    if (this.plot) this.plot.destroy();
    const width = Math.max(300, this.root.clientWidth || 600);
    this.plot = new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(10, max * 1.15)] } },
        axes: [{}, { label: "round trip, ms" }],
        series: [{}, ...this.pairs.map((k, i) => ({ label: k, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false }))],
      },
      this.data(),
      this.root,
    );
  }
}

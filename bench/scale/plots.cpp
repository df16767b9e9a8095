#include "plots.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace fmc::scale {

namespace {

constexpr int kWidth = 900, kHeight = 380, kLeft = 70, kBottom = 50, kTop = 60;

std::string number(double v) {
  char out[32];
  if (v >= 1e6) std::snprintf(out, sizeof out, "%.1fM", v / 1e6);
  else if (v >= 1e4) std::snprintf(out, sizeof out, "%.0fk", v / 1e3);
  else std::snprintf(out, sizeof out, "%.0f", v);
  return out;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

// One histogram of `values` in a panel at x offset `x0`, `w` wide.
void histogram(std::ostringstream& svg, const std::vector<std::size_t>& values, int x0, int w, const std::string& label,
               const char* colour) {
  const int bins = 30, h = kHeight - kTop - kBottom;
  svg << "<text x='" << x0 + w / 2 << "' y='" << kTop - 24 << "' text-anchor='middle'>" << escape(label) << "</text>\n";
  svg << "<line x1='" << x0 << "' y1='" << kTop + h << "' x2='" << x0 + w << "' y2='" << kTop + h << "' stroke='black'/>\n";
  if (values.empty()) return;
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = double(*lo_it), hi = double(*hi_it), span = std::max(1.0, hi - lo);
  std::vector<std::size_t> count(bins, 0);
  for (const auto v : values) ++count[std::min(bins - 1, int((double(v) - lo) / span * bins))];
  const auto top = double(*std::max_element(count.begin(), count.end()));
  for (int b = 0; b < bins; ++b) {
    const double bh = double(count[b]) / top * h;
    svg << "<rect x='" << x0 + b * w / bins << "' y='" << kTop + h - bh << "' width='" << std::max(1, w / bins - 1)
        << "' height='" << bh << "' fill='" << colour << "'><title>" << count[b] << " switches</title></rect>\n";
  }
  svg << "<text x='" << x0 << "' y='" << kTop + h + 18 << "'>" << number(lo) << "</text>\n";
  svg << "<text x='" << x0 + w << "' y='" << kTop + h + 18 << "' text-anchor='end'>" << number(hi) << "</text>\n";
  svg << "<text x='" << x0 + w / 2 << "' y='" << kTop + h + 36 << "' text-anchor='middle'>rules per switch ("
      << values.size() << " switches; tallest bar " << number(top) << ")</text>\n";
}

std::string open_svg(const std::string& title) {
  return "<svg xmlns='http://www.w3.org/2000/svg' width='" + std::to_string(kWidth) + "' height='" +
         std::to_string(kHeight) + "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' "
         "fill='white'/>\n<text x='10' y='16' font-size='14' font-weight='bold'>" + escape(title) + "</text>\n";
}

}  // namespace

std::string rules_histogram_svg(const std::vector<std::size_t>& access_rules, const std::vector<std::size_t>& dc_rules,
                                const std::string& title) {
  std::ostringstream svg;
  svg << open_svg(title);
  const int w = (kWidth - 2 * kLeft) / 2 - 20;
  histogram(svg, access_rules, kLeft, w, "access switches", "#4a7ab5");
  histogram(svg, dc_rules, kLeft + w + 60, w, "data-center switches", "#c0504d");
  svg << "</svg>\n";
  return svg.str();
}

std::string designs_svg(const std::vector<Design>& designs, const std::string& title) {
  std::ostringstream svg;
  svg << open_svg(title);
  // Two groups of bars (endpoint records, rules), one bar per design, each scaled to its group's largest.
  const int h = kHeight - kTop - kBottom, group_w = (kWidth - 2 * kLeft) / 2;
  const char* colours[] = {"#7f7f7f", "#4a7ab5", "#9bbb59"};
  for (int g = 0; g < 2; ++g) {
    const auto value = [&](const Design& d) { return double(g == 0 ? d.records_max : d.rules_max); };
    double top = 1;
    for (const auto& d : designs) top = std::max(top, value(d));
    const int x0 = kLeft + g * group_w, bar_w = group_w / int(designs.size() + 1);
    svg << "<text x='" << x0 + group_w / 2 << "' y='" << kTop - 24 << "' text-anchor='middle'>"
        << (g == 0 ? "endpoint records, busiest controller" : "rules it writes, busiest controller") << "</text>\n";
    for (std::size_t i = 0; i < designs.size(); ++i) {
      const double bh = value(designs[i]) / top * h;
      const int x = x0 + int(i) * bar_w + bar_w / 4;
      svg << "<rect x='" << x << "' y='" << kTop + h - bh << "' width='" << bar_w * 3 / 4 << "' height='" << bh
          << "' fill='" << colours[i % 3] << "'/>\n";
      svg << "<text x='" << x + bar_w * 3 / 8 << "' y='" << kTop + h - bh - 4 << "' text-anchor='middle'>"
          << number(value(designs[i])) << "</text>\n";
      svg << "<text x='" << x + bar_w * 3 / 8 << "' y='" << kTop + h + 16 << "' text-anchor='middle'>"
          << escape(designs[i].name.substr(0, 3)) << "</text>\n";
    }
  }
  for (std::size_t i = 0; i < designs.size(); ++i)
    svg << "<text x='" << kLeft + int(i) * 260 << "' y='" << kHeight - 14 << "' fill='" << colours[i % 3] << "'>"
        << escape(designs[i].name) << " (" << designs[i].controllers << ")</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace fmc::scale

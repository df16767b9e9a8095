#pragma once
// The scale harness's two plots, as self-contained SVG files (no plotting
// library needed): the distribution of rules per switch (access and
// data-center switches, each its own histogram) and each controller's share
// under the three control-plane designs.
#include <string>
#include <vector>

#include "control_designs.hpp"

namespace fmc::scale {

std::string rules_histogram_svg(const std::vector<std::size_t>& access_rules, const std::vector<std::size_t>& dc_rules,
                                const std::string& title);
std::string designs_svg(const std::vector<Design>& designs, const std::string& title);

}  // namespace fmc::scale

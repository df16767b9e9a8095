// fmc-controller: the Follow-Me Cloud OpenFlow controller. Parse, wire, run.
#include <iostream>

#include "cli/node.hpp"
#include "controller/log.hpp"
#include "util/huge_pages.hpp"

int main(int argc, char** argv) {
  const std::string heap = fmc::heap_on_huge_pages(argv);  // may start the program again
  auto options = fmc::cli::parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << "fmc-controller: " << options.error() << "\n" << fmc::cli::kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << fmc::cli::kUsage;
    return 0;
  }
  auto node = fmc::cli::Node::start(*options);
  if (!node) {
    std::cerr << "fmc-controller: " << node.error().message << "\n";
    return node.error().exit_code;
  }
  fmc::log::info("controller", heap);
  (*node)->run();
  return 0;
}

// fmc-controller: the Follow-Me Cloud OpenFlow controller. Parse, wire, run.
#include <iostream>

#include "cli/node.hpp"

int main(int argc, char** argv) {
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
  (*node)->run();
  return 0;
}

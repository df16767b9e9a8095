#pragma once
// A command run without a shell, its stdout and stderr on one pipe.
#include <optional>
#include <string>
#include <vector>

namespace fmc {

struct Spawned {
  int pid = -1;
  int output_fd = -1;  // the read end: the command's stdout and stderr; the caller closes it
};

// Starts argv[0] (looked up in PATH) with argv; the child gets default handling
// of SIGTERM, SIGINT, SIGHUP and SIGPIPE whatever this process blocks or ignores
// (so that a SIGTERM reaches it). nullopt if it could not be started.
std::optional<Spawned> spawn_with_output(const std::vector<std::string>& argv);

}  // namespace fmc

#include "fmc/placement/utilisation_monitor.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/spawn.hpp"

namespace fmc {

namespace {
constexpr std::size_t kMaxOutput = 64 * 1024;
}

Result<UtilisationReading, std::string> parse_utilisation(std::string_view output, const model::NetworkModel& model) {
  std::string_view line;
  for (std::size_t end = output.size(); end > 0;) {
    const std::size_t start = output.rfind('\n', end - 1);
    const std::size_t from = start == std::string_view::npos ? 0 : start + 1;
    const std::string_view l = output.substr(from, end - from);
    if (!l.empty() && l.front() == '{') {
      line = l;
      break;
    }
    if (start == std::string_view::npos) break;
    end = start;
  }
  if (line.empty()) return Unexpected{std::string("no JSON object in the command's output")};
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unexpected{std::string("the command's last object is not valid JSON")};
  UtilisationReading reading;
  for (const auto& [dc, value] : j.items()) {
    const model::Site* site = model.site_named(dc);
    if (!site || site->kind != model::SiteKind::kDataCenter) return Unexpected{"no data center '" + dc + "' in the network"};
    if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
      return Unexpected{"the utilisation of " + dc + " must be a number from 0 to 1, got " + value.dump()};
    reading[dc] = value.get<double>();
  }
  return reading;
}

UtilisationMonitor::UtilisationMonitor(std::vector<std::string> argv, std::chrono::milliseconds interval,
                                       const model::NetworkModel& model, Post post, OnReading on_reading)
    : argv_(std::move(argv)), interval_(interval), model_(model), post_(std::move(post)),
      on_reading_(std::move(on_reading)), thread_([this] { run(); }) {}

UtilisationMonitor::~UtilisationMonitor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (running_pid_ > 0) ::kill(running_pid_, SIGKILL);
  }
  wake_.notify_all();
  thread_.join();
}

void UtilisationMonitor::run() {
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    auto reading = read_once();
    std::unique_lock lock(mu_);
    if (stopping_) return;
    post_([on = on_reading_, reading = std::move(reading)] { on(reading); });
    wake_.wait_until(lock, started + interval_, [this] { return stopping_; });
    if (stopping_) return;
  }
}

Result<UtilisationReading, std::string> UtilisationMonitor::read_once() {
  const auto child = spawn_with_output(argv_);
  if (!child) return Unexpected{"cannot run " + argv_.front()};
  {
    std::lock_guard lock(mu_);
    running_pid_ = child->pid;
  }
  // Read until it closes its output, the output is too long, or the interval is over.
  const auto deadline = std::chrono::steady_clock::now() + interval_;
  std::string output;
  std::string trouble;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      trouble = "it did not finish within the interval (" + std::to_string(interval_.count()) + " ms)";
      break;
    }
    pollfd p{child->output_fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(child->output_fd, buf, sizeof buf);
    if (n <= 0) break;
    output.append(buf, static_cast<std::size_t>(n));
    if (output.size() > kMaxOutput) {
      trouble = "it printed more than 64 KiB";
      break;
    }
  }
  ::close(child->output_fd);
  if (!trouble.empty()) ::kill(child->pid, SIGKILL);
  int status = 0;
  ::waitpid(child->pid, &status, 0);
  {
    std::lock_guard lock(mu_);
    running_pid_ = -1;
  }
  if (!trouble.empty()) return Unexpected{trouble};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const auto tail = output.size() > 300 ? output.substr(output.size() - 300) : output;
    return Unexpected{"it failed (" + (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status)) : "killed") +
                      "): " + tail};
  }
  return parse_utilisation(output, model_);
}

}  // namespace fmc

#include "fmc/migration/command_driver.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "util/spawn.hpp"

namespace fmc::migration {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::kCompleted: return "completed";
    case Outcome::kFailed: return "failed";
    case Outcome::kCancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kSwitchoverLine = R"({"step": "switchover"})";

std::string substitute(std::string s, const Request& r) {
  const std::pair<const char*, const std::string*> keys[] = {
      {"{vm}", &r.vm}, {"{from}", &r.from_site}, {"{to}", &r.to_site}, {"{hypervisor}", &r.hypervisor}};
  for (const auto& [key, value] : keys)
    for (auto at = s.find(key); at != std::string::npos; at = s.find(key, at + value->size()))
      s.replace(at, std::string_view(key).size(), *value);
  return s;
}

// The last `"downtime_ms": N` in the command's output, or zero.
std::chrono::microseconds reported_downtime(const std::string& output) {
  static constexpr std::string_view kKey = "\"downtime_ms\"";
  const auto at = output.rfind(kKey);
  if (at == std::string::npos) return std::chrono::microseconds{0};
  const char* p = output.c_str() + at + kKey.size();
  while (*p == ' ' || *p == ':') ++p;
  char* end = nullptr;
  const double ms = std::strtod(p, &end);
  if (end == p || ms < 0) return std::chrono::microseconds{0};
  return std::chrono::microseconds(static_cast<long>(ms * 1000));
}

}  // namespace

CommandDriver::CommandDriver(std::string name, std::vector<std::string> argv_template, Post post)
    : name_(std::move(name)), argv_template_(std::move(argv_template)), post_(std::move(post)) {}

CommandDriver::~CommandDriver() {
  {
    std::lock_guard lock(mu_);
    for (auto& [_, r] : running_) ::kill(r.pid, SIGTERM);
  }
  for (auto& [_, t] : watchers_) t.join();
}

MigrationId CommandDriver::start(const Request& request, Listener listener) {
  auto done = listener.done;
  std::vector<std::string> args;
  for (const auto& a : argv_template_) args.push_back(substitute(a, request));
  std::lock_guard lock(mu_);
  for (const MigrationId old : finished_) {
    watchers_[old].join();
    watchers_.erase(old);
  }
  finished_.clear();
  const MigrationId id = next_id_++;
  const auto child = spawn_with_output(args);
  if (!child) {
    post_([done, id, cmd = args.empty() ? std::string("the migration command") : args[0]] {
      done(id, Result{Outcome::kFailed, {}, "cannot run " + cmd});
    });
    return id;
  }
  running_[id] = Running{child->pid, false, std::chrono::steady_clock::now()};
  watchers_[id] = std::thread(
      [this, id, pid = child->pid, fd = child->output_fd, l = std::move(listener)] { watch(id, pid, fd, l); });
  return id;
}

void CommandDriver::watch(MigrationId id, int pid, int out_fd, Listener listener) {
  // Completion is the command's exit, not the end of its output: a
  // grandchild that inherited the pipe must not hold the result back.
  std::string output;
  std::size_t scanned = 0;  // output before this offset has been looked at for steps
  bool switched_over = false;
  char buf[4096];
  int status = 0;
  bool exited = false;
  while (!exited) {
    pollfd p{out_fd, POLLIN, 0};
    if (::poll(&p, 1, 20) > 0 && (p.revents & (POLLIN | POLLHUP))) {
      const ssize_t n = ::read(out_fd, buf, sizeof buf);
      if (n > 0) output.append(buf, static_cast<std::size_t>(n));
    }
    for (std::size_t eol; (eol = output.find('\n', scanned)) != std::string::npos; scanned = eol + 1) {
      if (switched_over || std::string_view(output).substr(scanned, eol - scanned) != kSwitchoverLine) continue;
      switched_over = true;
      if (listener.switchover) post_([s = listener.switchover, id] { s(id); });
    }
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
  }
  ::fcntl(out_fd, F_SETFL, ::fcntl(out_fd, F_GETFL) | O_NONBLOCK);
  for (ssize_t n; (n = ::read(out_fd, buf, sizeof buf)) > 0;) output.append(buf, static_cast<std::size_t>(n));
  ::close(out_fd);
  bool cancelled;
  {
    std::lock_guard lock(mu_);
    cancelled = running_[id].cancelling;
    running_.erase(id);
    finished_.push_back(id);
  }
  Result result;
  result.downtime = reported_downtime(output);
  result.detail = output.size() > 2000 ? output.substr(output.size() - 2000) : output;
  if (cancelled) result.outcome = Outcome::kCancelled;
  else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) result.outcome = Outcome::kCompleted;
  else result.outcome = Outcome::kFailed;
  post_([done = listener.done, id, result] { done(id, result); });
}

std::optional<Progress> CommandDriver::progress(MigrationId id) const {
  std::lock_guard lock(mu_);
  auto it = running_.find(id);
  if (it == running_.end()) return std::nullopt;
  return Progress{it->second.cancelling ? "cancelling" : "running",
                  std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - it->second.started)};
}

bool CommandDriver::cancel(MigrationId id) {
  std::lock_guard lock(mu_);
  auto it = running_.find(id);
  if (it == running_.end() || it->second.cancelling) return false;
  it->second.cancelling = true;
  ::kill(it->second.pid, SIGTERM);
  return true;
}

void CommandDriver::abandon(MigrationId id) {
  std::lock_guard lock(mu_);
  if (auto it = running_.find(id); it != running_.end()) ::kill(it->second.pid, SIGKILL);
}

}  // namespace fmc::migration

#pragma once
// A real single-member etcd (Debian's etcd-server) for tests: free ports on
// loopback, data in a fresh temporary directory, stopped by its PID and the
// directory removed when the test ends. Restartable on the same data.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>

#include "store/etcd/etcd_client.hpp"

extern char** environ;

namespace fmc::test_support {

inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(a.sin_port);
}

class EtcdProcess {
 public:
  EtcdProcess() : client_port_(free_port()), peer_port_(free_port()) {
    dir_ = std::filesystem::temp_directory_path() / ("fmc-etcd-test-" + std::to_string(::getpid()) + "-" + std::to_string(client_port_));
    std::filesystem::create_directories(dir_);
    start();
  }
  ~EtcdProcess() {
    stop(SIGTERM);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  std::string endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }

  void start() {
    const std::string client = "http://127.0.0.1:" + std::to_string(client_port_);
    const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    std::vector<std::string> args = {"/usr/bin/etcd",
                                     "--name=test",
                                     "--data-dir=" + (dir_ / "data").string(),
                                     "--listen-client-urls=" + client,
                                     "--advertise-client-urls=" + client,
                                     "--listen-peer-urls=" + peer,
                                     "--initial-advertise-peer-urls=" + peer,
                                     "--initial-cluster=test=" + peer,
                                     "--log-outputs=" + (dir_ / "etcd.log").string(),
                                     "--logger=zap"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its own output goes to its log, not into the test's.
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    const std::string log = (dir_ / "etcd.stderr").string();
    posix_spawn_file_actions_addopen(&io, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&io, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int spawned = ::posix_spawn(&pid_, argv[0], &io, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&io);
    if (spawned != 0)
      throw std::runtime_error("cannot start /usr/bin/etcd (is etcd-server installed? scripts/setup.sh installs it)");
    store::etcd::EtcdClient probe({{"127.0.0.1", client_port_}}, {std::chrono::milliseconds(500)});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("etcd exited at start; see " + (dir_ / "etcd.log").string());
      }
      if (probe.get("probe")) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("etcd did not answer within 30 s");
  }

  // Ends the process (SIGKILL: as a crash) and waits for it.
  void stop(int signal = SIGKILL) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  std::uint16_t client_port_, peer_port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

}  // namespace fmc::test_support

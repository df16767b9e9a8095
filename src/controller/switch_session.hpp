#pragma once
// One switch connection: TLS when configured, framing, version negotiation, handshake, echo
// keepalive, dead-peer detection, batched writes, barrier tracking and
// dispatch of typed events to the worker's apps.
#include <asio.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "controller/app.hpp"
#include "controller/barrier_tracker.hpp"
#include "controller/config.hpp"
#include "controller/connection_limits.hpp"
#include "controller/control_channel.hpp"
#include "controller/dpid_registry.hpp"
#include "controller/packet_in_limiter.hpp"
#include "controller/stats.hpp"
#include "openflow/codec.hpp"

namespace fmc::ctl {

struct WorkerContext {
  asio::io_context& io;
  AppList& apps;
  DpidRegistry& registry;
  const ControllerConfig& config;
  ControllerStats& stats;
};

class SwitchSession final : public Datapath, public std::enable_shared_from_this<SwitchSession> {
 public:
  // `slot` is the session's place under the controller's connection limits.
  SwitchSession(ControlChannel channel, WorkerContext ctx, ConnectionLimits::Slot slot);
  void start();
  // Closes the connection (idempotent); safe to call from any thread.
  void close_async(std::string reason);

  of::Dpid dpid() const override { return dpid_; }
  of::Version version() const override { return version_; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  of::Xid send(const of::Message& msg) override;
  void barrier(BarrierCallback done) override;
  Instant received_at() const override { return last_rx_; }

 private:
  enum class State { kAwaitHello, kAwaitFeatures, kAwaitPortDesc, kUp, kClosed };

  void greet();
  void read_more();
  void consume_frames();
  void handle_frame(Bytes frame, of::Xid xid);
  void handle_hello(const of::Envelope& env);
  void handle_features(const of::FeaturesReply& reply);
  void handle_port_desc(const of::PortDescReply& reply);
  void become_up();
  void handle_up(const of::Envelope& env);
  void reject(const of::OfError& err, of::Xid xid, Bytes frame);
  void schedule_flush();
  void flush();
  void overflow();
  void arm_keepalive();
  void on_keepalive();
  void close(const std::string& reason);
  of::Xid next_xid() { return of::Xid{xid_counter_++}; }
  std::string describe() const;

  ControlChannel channel_;
  WorkerContext ctx_;
  asio::steady_timer keepalive_;
  State state_ = State::kAwaitHello;
  of::Version version_ = of::Version::V13;
  of::Dpid dpid_;
  std::vector<of::Port> ports_;
  std::vector<std::uint8_t> rbuf_;
  std::size_t rlen_ = 0;
  std::vector<std::uint8_t> pending_;   // filled by send(), written as one batch
  std::vector<std::uint8_t> inflight_;  // the batch being written
  bool writing_ = false;
  bool flush_scheduled_ = false;
  bool overflowed_ = false;  // over max_output_bytes: nothing more is queued, the close is posted
  BarrierTracker barriers_;
  PacketInLimiter packet_ins_;
  std::uint32_t xid_counter_ = 1;
  std::uint64_t limited_ = 0;  // PACKET_INs dropped over the caps
  std::chrono::steady_clock::time_point last_rx_;
  std::chrono::steady_clock::time_point started_;
  std::string peer_;
  ConnectionLimits::Slot slot_;
};

}  // namespace fmc::ctl

#include "controller/switch_session.hpp"

#include <cstring>

#include "controller/log.hpp"
#include "util/log_thinning.hpp"

namespace fmc::ctl {

namespace {
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr char kComponent[] = "session";
}  // namespace

SwitchSession::SwitchSession(ControlChannel channel, WorkerContext ctx, ConnectionLimits::Slot slot)
    : channel_(std::move(channel)),
      ctx_(ctx),
      keepalive_(ctx.io),
      packet_ins_(ctx.config.packet_in_rate, ctx.config.packet_in_port_rate),
      slot_(std::move(slot)) {
  std::error_code ec;
  auto ep = channel_.socket().remote_endpoint(ec);
  peer_ = ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
  channel_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  rbuf_.resize(kReadChunk);
}

std::string SwitchSession::describe() const {
  return state_ == State::kUp ? "dpid " + of::hex(dpid_) + " (" + peer_ + ")" : peer_;
}

void SwitchSession::start() {
  started_ = last_rx_ = std::chrono::steady_clock::now();
  arm_keepalive();  // the TLS handshake counts against the handshake deadline
  if (!channel_.secure()) return greet();
  channel_.async_handshake([self = shared_from_this()](std::error_code ec) {
    if (self->state_ == State::kClosed) return;
    if (ec) {
      // Logged at the 1st, 2nd, 4th, ... refusal: a scan of the port does not flood the log.
      const auto refused = self->ctx_.stats.tls_refused.fetch_add(1, std::memory_order_relaxed) + 1;
      const std::string why = "TLS handshake failed: " + ec.message();
      if (worth_logging(refused))
        log::warn(kComponent, self->peer_ + ": refused: " + why + " (" + std::to_string(refused) + " refused so far)");
      return self->close(why);
    }
    log::info(kComponent, self->peer_ + ": TLS peer " + self->channel_.peer_subject());
    self->greet();
  });
}

void SwitchSession::greet() {
  // Our hello carries the highest version we speak and the bitmap of all.
  std::vector<std::uint8_t> hello;
  (void)of::encode(of::Hello{ctx_.config.version_bitmap}, of::Version::V13, next_xid(), hello);
  pending_.insert(pending_.end(), hello.begin(), hello.end());
  schedule_flush();
  read_more();
}

void SwitchSession::close_async(std::string reason) {
  asio::post(ctx_.io, [self = shared_from_this(), reason = std::move(reason)] { self->close(reason); });
}

of::Xid SwitchSession::send(const of::Message& msg) {
  const of::Xid xid = next_xid();
  if (state_ == State::kClosed || overflowed_) return xid;
  auto r = of::encode(msg, version_, xid, pending_);
  if (!r) {
    ctx_.stats.unencodable.fetch_add(1, std::memory_order_relaxed);
    log::warn(kComponent, describe() + ": dropped " + of::message_name(msg) + ": " + r.error().reason);
    return xid;
  }
  ctx_.stats.messages_out.fetch_add(1, std::memory_order_relaxed);
  if (std::holds_alternative<of::FlowMod>(msg)) ctx_.stats.flow_mods_out.fetch_add(1, std::memory_order_relaxed);
  else if (std::holds_alternative<of::PacketOut>(msg)) ctx_.stats.packet_outs.fetch_add(1, std::memory_order_relaxed);
  schedule_flush();
  return xid;
}

void SwitchSession::barrier(BarrierCallback done) {
  if (state_ == State::kClosed) {
    if (done) done(BarrierOutcome{BarrierOutcome::Status::kDisconnected, {}});
    return;
  }
  auto& in_flight = ctx_.stats.barriers_in_flight;
  in_flight.fetch_add(1, std::memory_order_relaxed);
  barriers_.expect(send(of::BarrierRequest{}), [&in_flight, done = std::move(done)](const BarrierOutcome& outcome) {
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (done) done(outcome);
  });
}

void SwitchSession::schedule_flush() {
  if (pending_.size() > ctx_.config.max_output_bytes) return overflow();
  if (flush_scheduled_ || writing_) return;
  flush_scheduled_ = true;
  asio::post(ctx_.io, [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

// The peer does not read what we send: it loses its connection (closed from the
// loop, not from inside whoever was sending), and nothing more is queued for it.
void SwitchSession::overflow() {
  if (overflowed_ || state_ == State::kClosed) return;
  overflowed_ = true;
  ctx_.stats.slow_readers.fetch_add(1, std::memory_order_relaxed);
  const std::string why = "the peer does not read: over " + std::to_string(ctx_.config.max_output_bytes) +
                          " bytes wait for it";
  std::vector<std::uint8_t>().swap(pending_);
  close_async(why);
}

void SwitchSession::flush() {
  if (writing_ || pending_.empty() || state_ == State::kClosed) return;
  writing_ = true;
  inflight_.swap(pending_);
  channel_.async_write(asio::buffer(inflight_), [self = shared_from_this()](std::error_code ec, std::size_t) {
    self->writing_ = false;
    self->inflight_.clear();
    if (ec) return self->close("write failed: " + ec.message());
    self->flush();
  });
}

void SwitchSession::read_more() {
  if (rbuf_.size() - rlen_ < kReadChunk / 2) rbuf_.resize(rlen_ + kReadChunk);
  channel_.async_read_some(asio::buffer(rbuf_.data() + rlen_, rbuf_.size() - rlen_),
                           [self = shared_from_this()](std::error_code ec, std::size_t n) {
                             if (self->state_ == State::kClosed) return;
                             if (ec) return self->close(ec == asio::error::eof ? "peer closed" : "read failed: " + ec.message());
                             self->rlen_ += n;
                             self->last_rx_ = std::chrono::steady_clock::now();
                             self->consume_frames();
                             if (self->state_ != State::kClosed && !self->overflowed_) self->read_more();
                           });
}

void SwitchSession::consume_frames() {
  std::size_t off = 0;
  while (state_ != State::kClosed && !overflowed_ && rlen_ - off >= of::kHeaderLen) {
    const Bytes avail(rbuf_.data() + off, rlen_ - off);
    auto header = of::read_header(avail);
    if (!header) {
      // A length below the header size leaves no way to find the next frame.
      ctx_.stats.rejected_framing.fetch_add(1, std::memory_order_relaxed);
      reject(header.error(), of::Xid{0}, avail.first(of::kHeaderLen));
      close(std::string("unrecoverable framing error: ") + header.error().reason);
      return;
    }
    if (avail.size() < header->length) break;
    handle_frame(avail.first(header->length), header->xid);
    off += header->length;
  }
  if (off > 0) {
    std::memmove(rbuf_.data(), rbuf_.data() + off, rlen_ - off);
    rlen_ -= off;
  }
}

void SwitchSession::reject(const of::OfError& err, of::Xid xid, Bytes frame) {
  log::warn(kComponent, describe() + ": rejected message: " + err.reason);
  of::encode_error_reply(err, version_, xid, frame, pending_);
  schedule_flush();
}

void SwitchSession::handle_frame(Bytes frame, of::Xid xid) {
  ctx_.stats.messages_in.fetch_add(1, std::memory_order_relaxed);
  auto env = of::decode(frame);
  if (!env) {
    if (env.error().code == of::code::kBadVersion) ctx_.stats.rejected_version.fetch_add(1, std::memory_order_relaxed);
    else ctx_.stats.rejected_malformed.fetch_add(1, std::memory_order_relaxed);
    if (state_ == State::kAwaitHello) {
      reject(of::OfError{of::code::kHelloIncompatible, env.error().reason}, xid, frame);
      return close("bad message before hello");
    }
    return reject(env.error(), xid, frame);
  }
  if (state_ == State::kAwaitHello) return handle_hello(*env);
  if (env->version != version_ && !std::holds_alternative<of::Hello>(env->message)) {
    ctx_.stats.rejected_version.fetch_add(1, std::memory_order_relaxed);
    return reject(of::OfError{of::code::kBadVersion, "version differs from negotiated"}, xid, frame);
  }
  if (const auto* echo = std::get_if<of::EchoRequest>(&env->message)) {
    if (of::encode(of::EchoReply{echo->data}, version_, xid, pending_)) schedule_flush();
    return;
  }
  switch (state_) {
    case State::kAwaitFeatures:
      if (const auto* f = std::get_if<of::FeaturesReply>(&env->message)) return handle_features(*f);
      break;
    case State::kAwaitPortDesc:
      if (const auto* p = std::get_if<of::PortDescReply>(&env->message)) return handle_port_desc(*p);
      break;
    case State::kUp: return handle_up(*env);
    default: break;
  }
  // Anything else during the handshake (e.g. an early PORT_STATUS) is ignored.
}

void SwitchSession::handle_hello(const of::Envelope& env) {
  const auto* hello = std::get_if<of::Hello>(&env.message);
  const std::uint8_t peer_version = env.version == of::Version::V10 ? 0x01 : 0x04;
  std::optional<of::Version> v;
  if (hello) v = of::negotiate(peer_version, *hello, ctx_.config.version_bitmap);
  if (!v) {
    ctx_.stats.rejected_version.fetch_add(1, std::memory_order_relaxed);
    of::encode_error_reply({of::code::kHelloIncompatible, "no common version"},
                           of::Version::V13, env.xid, {}, pending_);
    return close(hello ? "no common OpenFlow version" : "first message was not HELLO");
  }
  version_ = *v;
  state_ = State::kAwaitFeatures;
  send(of::FeaturesRequest{});
}

void SwitchSession::handle_features(const of::FeaturesReply& reply) {
  if (reply.auxiliary_id != 0) return close("auxiliary connections are not supported");
  dpid_ = reply.datapath_id;
  if (version_ == of::Version::V10) {
    ports_ = reply.ports;
    return become_up();
  }
  state_ = State::kAwaitPortDesc;
  send(of::PortDescRequest{});
}

void SwitchSession::handle_port_desc(const of::PortDescReply& reply) {
  ports_.insert(ports_.end(), reply.ports.begin(), reply.ports.end());
  if (!(reply.flags & of::kMultipartReplyMore)) become_up();
}

void SwitchSession::become_up() {
  auto claim = ctx_.registry.claim(dpid_, shared_from_this(), ctx_.config.duplicate_dpid);
  if (!claim.granted) {
    ctx_.stats.duplicate_dpid.fetch_add(1, std::memory_order_relaxed);
    return close("dpid " + of::hex(dpid_) + " already connected; policy rejects the newcomer");
  }
  if (claim.displaced) {
    ctx_.stats.duplicate_dpid.fetch_add(1, std::memory_order_relaxed);
    claim.displaced->close_async("replaced by a new connection with the same dpid");
  }
  state_ = State::kUp;
  ctx_.stats.switches_up.fetch_add(1, std::memory_order_relaxed);
  send(of::SetConfig{of::SwitchConfig{0, ctx_.config.miss_send_len}});
  log::info(kComponent, describe() + ": up, OpenFlow " + (version_ == of::Version::V13 ? "1.3" : "1.0") +
                            ", " + std::to_string(ports_.size()) + " ports");
  for (auto& app : ctx_.apps) app->on_switch_up(*this);
}

void SwitchSession::handle_up(const of::Envelope& env) {
  const auto& msg = env.message;
  if (const auto* pi = std::get_if<of::PacketIn>(&msg)) {
    ctx_.stats.packet_ins.fetch_add(1, std::memory_order_relaxed);
    if (const auto verdict = packet_ins_.admit(pi->in_port.value, std::chrono::steady_clock::now());
        verdict != PacketInLimiter::Verdict::kAdmit) {
      // Logged at the 1st, 2nd, 4th, ... drop of this session: a flood does not flood the log.
      ctx_.stats.packet_ins_limited.fetch_add(1, std::memory_order_relaxed);
      ++limited_;
      if (worth_logging(limited_))
        log::warn(kComponent, describe() + ": PACKET_INs over the cap of " +
                                  (verdict == PacketInLimiter::Verdict::kOverPort
                                       ? "port " + std::to_string(pi->in_port.value) + " (" +
                                             std::to_string(ctx_.config.packet_in_port_rate) + "/s)"
                                       : "the switch (" + std::to_string(ctx_.config.packet_in_rate) + "/s)") +
                                  " dropped (" + std::to_string(limited_) + " so far)");
      return;
    }
    for (auto& app : ctx_.apps)
      if (app->on_packet_in(*this, *pi) == Disposition::kConsumed) break;
  } else if (const auto* ps = std::get_if<of::PortStatus>(&msg)) {
    std::erase_if(ports_, [&](const of::Port& p) { return p.port_no == ps->desc.port_no; });
    if (ps->reason != of::port_reason::kDelete) ports_.push_back(ps->desc);
    for (auto& app : ctx_.apps) app->on_port_status(*this, *ps);
  } else if (const auto* fr = std::get_if<of::FlowRemoved>(&msg)) {
    for (auto& app : ctx_.apps) app->on_flow_removed(*this, *fr);
  } else if (const auto* err = std::get_if<of::ErrorMsg>(&msg)) {
    ctx_.stats.switch_errors.fetch_add(1, std::memory_order_relaxed);
    if (of::ErrorCode{static_cast<of::ErrorType>(err->type), err->code} == of::code::kTableFull)
      ctx_.stats.table_full.fetch_add(1, std::memory_order_relaxed);
    log::warn(kComponent, describe() + ": switch reported error type " + std::to_string(err->type) + " code " +
                              std::to_string(err->code) + " for xid " + std::to_string(env.xid.value));
    barriers_.on_error(env.xid, err->type, err->code);
    for (auto& app : ctx_.apps) app->on_error(*this, env.xid, *err);
  } else if (std::holds_alternative<of::BarrierReply>(msg)) {
    barriers_.on_reply(env.xid);
  } else if (!std::holds_alternative<of::EchoReply>(msg)) {
    for (auto& app : ctx_.apps) app->on_message(*this, env.xid, msg);
  }
}

void SwitchSession::arm_keepalive() {
  keepalive_.expires_after(state_ == State::kUp ? ctx_.config.echo_interval
                                                : std::min(ctx_.config.echo_interval, ctx_.config.handshake_timeout));
  keepalive_.async_wait([self = shared_from_this()](std::error_code ec) {
    if (!ec) self->on_keepalive();
  });
}

void SwitchSession::on_keepalive() {
  if (state_ == State::kClosed) return;
  const auto now = std::chrono::steady_clock::now();
  if (state_ != State::kUp && now - started_ >= ctx_.config.handshake_timeout) {
    ctx_.stats.handshake_timeouts.fetch_add(1, std::memory_order_relaxed);
    return close("no handshake within " + std::to_string(ctx_.config.handshake_timeout.count()) + " ms");
  }
  if (now - last_rx_ > ctx_.config.dead_after) {
    ctx_.stats.dead_peers.fetch_add(1, std::memory_order_relaxed);
    return close("no message from peer within the dead-peer timeout");
  }
  if (state_ == State::kUp && now - last_rx_ >= ctx_.config.echo_interval) send(of::EchoRequest{});
  arm_keepalive();
}

void SwitchSession::close(const std::string& reason) {
  if (state_ == State::kClosed) return;
  const bool was_up = state_ == State::kUp;
  log::info(kComponent, describe() + ": closed: " + reason);
  state_ = State::kClosed;
  keepalive_.cancel();
  if (!writing_ && !pending_.empty()) {
    // Best effort to deliver a final OFPT_ERROR without blocking the worker.
    channel_.try_write(asio::buffer(pending_));
    pending_.clear();
  }
  channel_.close();
  barriers_.fail_all();
  slot_.reset();
  if (was_up) {
    ctx_.registry.release(dpid_, this);
    for (auto& app : ctx_.apps) app->on_switch_down(dpid_);
  }
}

}  // namespace fmc::ctl

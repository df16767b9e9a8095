#pragma once
// A fake OpenFlow 1.3 flow table, for packet-fate tests: it applies
// flow-mods (add/replace, delete by cookie and match, all tables) and answers
// "where does this packet go, and how is it rewritten" (priority, matches
// with masks, set-field, goto-table, output, OFPP_CONTROLLER, OFPP_IN_PORT).
// A flow-mod the declared pipeline does not allow is refused (throws).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/address.hpp"
#include "openflow/messages.hpp"

namespace fmc::test_support {

// The headers a flow can match or rewrite.
struct Packet {
  of::PortNo in_port;
  net::MacAddr eth_src, eth_dst;
  std::uint16_t eth_type = 0;
  std::optional<std::uint8_t> ip_proto;
  std::optional<net::Ipv4Addr> ipv4_src, ipv4_dst;
  std::optional<std::uint16_t> udp_src, udp_dst;

  static Packet parse(of::PortNo in_port, Bytes frame);  // throws on a frame that is not Ethernet
  bool operator==(const Packet&) const = default;
};

struct Output {
  of::PortNo port;  // OFPP_IN_PORT resolved to the packet's in_port
  Packet packet;    // as rewritten up to that output
};

struct Fate {
  std::vector<Output> outputs;
  std::vector<std::string> trace;  // the flows it went through, for failure messages
  bool dropped() const { return outputs.empty(); }
  bool to_controller() const;
  // The one output, or nullopt if there are none or several.
  std::optional<Output> only() const;
};
std::string describe(const Fate& f);

class FlowTable {
 public:
  using Check = std::function<std::optional<std::string>(const of::FlowMod&)>;
  explicit FlowTable(Check check = nullptr) : check_(std::move(check)) {}

  void apply(const of::FlowMod& fm);
  Fate fate(const Packet& p) const;
  Fate fate(of::PortNo in_port, Bytes frame) const { return fate(Packet::parse(in_port, frame)); }
  const std::vector<of::FlowMod>& entries() const { return entries_; }

 private:
  std::vector<of::FlowMod> entries_;
  Check check_;
};

}  // namespace fmc::test_support

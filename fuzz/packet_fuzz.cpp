// libFuzzer target for the packet views and the learning switch's
// packet-in path, fed through a fake datapath.
#include <cstdint>

#include "apps/learning_switch.hpp"
#include "net/ethernet.hpp"

namespace {
class NullDatapath : public fmc::ctl::Datapath {
 public:
  fmc::of::Dpid dpid() const override { return fmc::of::Dpid{1}; }
  fmc::of::Version version() const override { return fmc::of::Version::V13; }
  const std::vector<fmc::of::Port>& ports() const override { return ports_; }
  fmc::of::Xid send(const fmc::of::Message&) override { return fmc::of::Xid{++sent_}; }
  void barrier(fmc::ctl::BarrierCallback) override {}

 private:
  std::vector<fmc::of::Port> ports_;
  std::uint32_t sent_ = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fmc::apps::LearningSwitch app;
  static NullDatapath dp;
  if (size < 1) return 0;
  (void)fmc::net::EthernetView::parse(fmc::Bytes(data, size));
  fmc::of::PacketIn pi;
  pi.in_port = fmc::of::PortNo{static_cast<std::uint32_t>(data[0] % 8)};
  pi.data = fmc::Bytes(data + 1, size - 1);
  (void)app.on_packet_in(dp, pi);
  return 0;
}

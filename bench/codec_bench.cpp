// Microbenchmarks of the hot path: decoding a PACKET_IN, encoding the
// answer, and the learning switch's handling of a packet-in end to end.
#include <benchmark/benchmark.h>

#include "apps/learning_switch.hpp"
#include "net/ethernet.hpp"
#include "openflow/codec.hpp"

using namespace fmc;

namespace {

std::vector<std::uint8_t> sample_frame() {
  const std::uint8_t payload[46] = {};
  return net::build_ethernet(*net::MacAddr::parse("02:00:00:00:00:0a"), *net::MacAddr::parse("02:00:00:00:00:0b"),
                             net::ethertype::kIpv4, payload);
}

std::vector<std::uint8_t> sample_packet_in(of::Version v, const std::vector<std::uint8_t>& frame) {
  of::PacketIn pi;
  pi.in_port = of::PortNo{2};
  pi.total_len = static_cast<std::uint16_t>(frame.size());
  pi.data = frame;
  return of::encode_or_empty(pi, v, of::Xid{1});
}

void BM_DecodePacketIn(benchmark::State& state) {
  const auto v = state.range(0) == 13 ? of::Version::V13 : of::Version::V10;
  const auto frame = sample_frame();
  const auto bytes = sample_packet_in(v, frame);
  for (auto _ : state) {
    auto env = of::decode(bytes);
    benchmark::DoNotOptimize(env);
  }
}
BENCHMARK(BM_DecodePacketIn)->Arg(10)->Arg(13);

void BM_EncodeFlowMod(benchmark::State& state) {
  const auto v = state.range(0) == 13 ? of::Version::V13 : of::Version::V10;
  of::FlowMod fm;
  fm.match.in_port = of::PortNo{2};
  fm.match.eth_src = of::Masked<net::MacAddr>{*net::MacAddr::parse("02:00:00:00:00:0b"), std::nullopt};
  fm.match.eth_dst = of::Masked<net::MacAddr>{*net::MacAddr::parse("02:00:00:00:00:0a"), std::nullopt};
  fm.instructions = {of::ApplyActions{{of::Output{of::PortNo{1}, 0}}}};
  std::vector<std::uint8_t> out;
  out.reserve(1024);
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(of::encode(fm, v, of::Xid{1}, out));
  }
}
BENCHMARK(BM_EncodeFlowMod)->Arg(10)->Arg(13);

class CountingDatapath : public ctl::Datapath {
 public:
  of::Dpid dpid() const override { return of::Dpid{1}; }
  of::Version version() const override { return of::Version::V13; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  of::Xid send(const of::Message& msg) override {
    out_.clear();
    (void)of::encode(msg, of::Version::V13, of::Xid{1}, out_);
    return of::Xid{1};
  }
  void barrier(ctl::BarrierCallback) override {}

 private:
  std::vector<of::Port> ports_;
  std::vector<std::uint8_t> out_;
};

void BM_LearningSwitchPacketIn(benchmark::State& state) {
  apps::LearningSwitch app;
  CountingDatapath dp;
  const auto a = sample_frame();
  auto b = a;
  std::swap_ranges(b.begin(), b.begin() + 6, b.begin() + 6);  // reverse direction
  of::PacketIn pa, pb;
  pa.in_port = of::PortNo{1};
  pa.data = a;
  pb.in_port = of::PortNo{2};
  pb.data = b;
  app.on_packet_in(dp, pa);
  for (auto _ : state) {
    benchmark::DoNotOptimize(app.on_packet_in(dp, pb));
  }
}
BENCHMARK(BM_LearningSwitchPacketIn);

}  // namespace

BENCHMARK_MAIN();

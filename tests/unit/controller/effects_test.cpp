#include "controller/effects.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace fmc::ctl {
namespace {

std::vector<std::uint8_t> data_of(const Outgoing& o) {
  const auto& po = std::get<of::PacketOut>(o.message);
  return {po.data.begin(), po.data.end()};
}

// The bus gathers each app's effects with append: into none yet (taken whole) and into some (added after them).
TEST(Effects, AppendedEffectsKeepTheirOrderAndThePacketOutsFrames) {
  const std::vector<std::uint8_t> x(60, 0xaa), y(60, 0xbb);
  Effects all;
  {
    Effects first;
    first.packet_out(of::Dpid{1}, of::port::kController, {of::Output{of::PortNo{2}, 0}}, x);
    first.send(of::Dpid{1}, of::EchoRequest{});
    first.packet_out_after_events(of::Dpid{1}, of::PortNo{2}, {of::Output{of::port::kTable, 0}}, y);
    first.confirm({of::Dpid{1}}, nullptr);
    all.append(std::move(first));
  }
  for (int i = 0; i < 20; ++i) {  // the frames' list grows many times over
    Effects more;
    more.packet_out(of::Dpid{2}, of::port::kController, {}, y);
    all.append(std::move(more));
  }
  ASSERT_EQ(all.messages.size(), 22u);
  EXPECT_EQ(data_of(all.messages[0]), x);
  EXPECT_TRUE(std::holds_alternative<of::EchoRequest>(all.messages[1].message));
  for (std::size_t i = 2; i < all.messages.size(); ++i) {
    EXPECT_EQ(all.messages[i].dpid, of::Dpid{2});
    EXPECT_EQ(data_of(all.messages[i]), y);
  }
  ASSERT_EQ(all.after_events.size(), 1u);
  EXPECT_EQ(data_of(all.after_events[0]), y);
  ASSERT_EQ(all.barriers.size(), 1u);
  EXPECT_EQ(all.barriers[0].dpids, SwitchGroup{of::Dpid{1}});
  all.append(Effects{});  // nothing to add: nothing changes
  EXPECT_EQ(all.messages.size(), 22u);
  EXPECT_FALSE(all.empty());
}

}  // namespace
}  // namespace fmc::ctl

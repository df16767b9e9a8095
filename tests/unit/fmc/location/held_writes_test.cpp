#include "fmc/location/held_writes.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"

using namespace fmc;

namespace {

const Location kDc1{"dc1", of::Dpid{0xd1}, of::PortNo{2}};
const Location kDc2{"dc2", of::Dpid{0xd2}, of::PortNo{2}};

struct Fixture {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  EventBus bus;
  ManualClock clock{std::chrono::milliseconds(1000)};
  LocationManager lm{model, bus, [this](const Endpoint& e, const LocationManager::Move* m) { held.hold(e, m); },
                     clock};
  std::vector<store::LocationChange> changes;
  std::vector<store::EndpointRecord> records;
  HeldWrites held{bus, lm,
                  {[this](store::LocationChange&& c) { changes.push_back(std::move(c)); },
                   [this](store::EndpointRecord&& r) { records.push_back(std::move(r)); }}};
};

}  // namespace

TEST(HeldWrites, AnInputsMovesAreHistoryButEachEndpointIsWrittenOnceWhenItHasSettled) {
  Fixture f;
  f.bus.handle([&] {
    EXPECT_TRUE(f.lm.move("vm1", kDc1, MoveCause::kTraffic));
    f.clock.set(std::chrono::milliseconds(2000));
    EXPECT_TRUE(f.lm.move("vm1", kDc2, MoveCause::kMigration));
    f.clock.set(std::chrono::milliseconds(3000));
    f.lm.set_visiting_ip("vm1", *net::Ipv4Addr::parse("10.2.0.200"));
    EXPECT_TRUE(f.lm.assign_ip("client1", *net::Ipv4Addr::parse("10.10.1.100")));
    EXPECT_FALSE(f.held.empty());
    EXPECT_TRUE(f.changes.empty());  // held while the input is handled
    EXPECT_TRUE(f.records.empty());
    return ctl::Effects{};
  });
  EXPECT_TRUE(f.held.empty());

  ASSERT_EQ(f.changes.size(), 2u);
  EXPECT_EQ(f.changes[0].from_site, "");
  EXPECT_EQ(f.changes[0].to_site, "dc1");
  EXPECT_EQ(f.changes[0].at_ms, 1000);
  EXPECT_EQ(f.changes[1].from_site, "dc1");
  EXPECT_EQ(f.changes[1].to_site, "dc2");  // where that move went, though the record is built later
  EXPECT_EQ(f.changes[1].cause, "migration");
  ASSERT_EQ(f.records.size(), 2u);  // vm1 once, client1 once
  const auto& vm = f.records[0].name == "vm1" ? f.records[0] : f.records[1];
  const auto& client = f.records[0].name == "vm1" ? f.records[1] : f.records[0];
  EXPECT_EQ(vm.current_site, "dc2");
  EXPECT_EQ(vm.visiting_ip, "10.2.0.200");
  EXPECT_EQ(vm.updated_ms, 3000);  // stamped with its last change
  EXPECT_EQ(client.name, "client1");
  EXPECT_EQ(client.ip, "10.10.1.100");

  f.held.write();  // written once: nothing held again
  EXPECT_EQ(f.changes.size(), 2u);
  EXPECT_EQ(f.records.size(), 2u);
}

TEST(HeldWrites, AChangeOutsideAnyInputIsWrittenAtOnce) {
  Fixture f;
  ASSERT_TRUE(f.lm.move("vm1", kDc1, MoveCause::kTraffic));
  ASSERT_EQ(f.changes.size(), 1u);
  ASSERT_EQ(f.records.size(), 1u);
  EXPECT_EQ(f.records[0].current_site, "dc1");
  EXPECT_TRUE(f.held.empty());
  f.lm.set_visiting_ip("vm1", *net::Ipv4Addr::parse("10.1.0.200"));
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[1].visiting_ip, "10.1.0.200");
  EXPECT_EQ(f.changes.size(), 1u);  // an address is no move
}

#include "fmc/location/location_manager.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"

using namespace fmc;

// Millions of endpoints (bench/scale): a record is its name, two site names (one
// number each), its place, addresses, MAC and flags.
static_assert(sizeof(Endpoint) <= 96, "an endpoint's record grew past two cache lines");

namespace {

struct Fixture {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  EventBus bus;
  std::vector<EndpointMoved> moves;
  std::vector<store::EndpointRecord> saved;
  std::vector<store::LocationChange> history;
  ManualClock clock{std::chrono::milliseconds(1000)};
  LocationManager lm{model, bus,
                     [this](const Endpoint& e, const LocationManager::Move* m) {
                       saved.push_back(lm.record(e));
                       if (m) history.push_back(lm.location_change(LocationManager::history_row(e, *m)));
                     },
                     clock};
  Fixture() {
    bus.subscribe([this](const FmcEvent& e) {
      if (const auto* m = std::get_if<EndpointMoved>(&e)) moves.push_back(*m);
    });
  }
};

const Location kDc1{"dc1", of::Dpid{0xd1}, of::PortNo{2}};
const Location kDc2{"dc2", of::Dpid{0xd2}, of::PortNo{2}};

}  // namespace

TEST(LocationManager, KnowsConfiguredEndpointsByMacAndIp) {
  Fixture f;
  const Endpoint* vm = f.lm.by_ip(*net::Ipv4Addr::parse("10.1.0.10"));
  ASSERT_TRUE(vm);
  EXPECT_EQ(vm->name, "vm1");
  EXPECT_EQ(f.lm.by_mac(*net::MacAddr::parse("02:00:00:01:00:10")), vm);
  EXPECT_EQ(vm->home_site, "dc1");
  EXPECT_TRUE(vm->at_home());
  EXPECT_FALSE(f.lm.by_ip(*net::Ipv4Addr::parse("10.1.0.99")));
}

TEST(LocationManager, MovePublishesOncePerChangeAndRecordsHistory) {
  Fixture f;
  ASSERT_TRUE(f.lm.move("vm1", kDc1, MoveCause::kTraffic));
  ASSERT_TRUE(f.lm.move("vm1", kDc1, MoveCause::kTraffic));  // no change, no event
  f.clock.set(std::chrono::milliseconds(2000));
  ASSERT_TRUE(f.lm.move("vm1", kDc2, MoveCause::kMigration));
  ASSERT_EQ(f.moves.size(), 2u);
  EXPECT_FALSE(f.moves[0].from);
  EXPECT_TRUE(f.moves[0].at_home);
  EXPECT_EQ(f.moves[1].from, kDc1);
  EXPECT_EQ(f.moves[1].to, kDc2);
  EXPECT_FALSE(f.moves[1].at_home);
  EXPECT_FALSE(f.lm.by_name("vm1")->at_home());
  ASSERT_EQ(f.history.size(), 2u);
  EXPECT_EQ(f.history[1].cause, "migration");
  EXPECT_EQ(f.history[1].at_ms, 2000);
  EXPECT_EQ(f.saved.back().current_site, "dc2");
  EXPECT_FALSE(f.lm.move("nobody", kDc1, MoveCause::kTraffic));
}

TEST(LocationManager, AMoveItPublishedFindsItsEndpointByNumberAndAnyOtherByName) {
  Fixture f;
  ASSERT_TRUE(f.lm.move("vm1", kDc2, MoveCause::kMigration));
  ASSERT_EQ(f.moves.size(), 1u);
  const Endpoint* vm = f.lm.by_name("vm1");
  ASSERT_TRUE(vm);
  EXPECT_EQ(f.moves[0].number, vm->number);
  EXPECT_EQ(f.lm.moved(f.moves[0]), vm);
  EndpointMoved by_name_only = f.moves[0];
  by_name_only.number.reset();  // a move made elsewhere (a test, a replay)
  EXPECT_EQ(f.lm.moved(by_name_only), vm);
  EndpointMoved wrong_number = f.moves[0];
  wrong_number.number = vm->number == 0 ? 1 : 0;  // another endpoint's number: the name decides
  EXPECT_EQ(f.lm.moved(wrong_number), vm);
  wrong_number.number = 1u << 30;  // past the end
  EXPECT_EQ(f.lm.moved(wrong_number), vm);
  EndpointMoved nobody = f.moves[0];
  nobody.endpoint = "nobody";
  EXPECT_EQ(f.lm.moved(nobody), nullptr);
}

TEST(LocationManager, AnAddressBelongsToOneEndpoint) {
  Fixture f;
  EXPECT_FALSE(f.lm.assign_ip("client1", *net::Ipv4Addr::parse("10.1.0.10")));  // vm1's
  EXPECT_TRUE(f.lm.assign_ip("client1", *net::Ipv4Addr::parse("10.10.1.100")));
  EXPECT_EQ(f.lm.by_ip(*net::Ipv4Addr::parse("10.10.1.100"))->name, "client1");
  EXPECT_TRUE(f.lm.assign_ip("client1", *net::Ipv4Addr::parse("10.10.1.101")));
  EXPECT_FALSE(f.lm.by_ip(*net::Ipv4Addr::parse("10.10.1.100")));
}

TEST(LocationManager, VisitingAddressFindsTheEndpoint) {
  Fixture f;
  f.lm.set_visiting_ip("vm1", *net::Ipv4Addr::parse("10.2.0.200"));
  EXPECT_EQ(f.lm.by_ip(*net::Ipv4Addr::parse("10.2.0.200"))->name, "vm1");
  f.lm.set_visiting_ip("vm1", std::nullopt);
  EXPECT_FALSE(f.lm.by_ip(*net::Ipv4Addr::parse("10.2.0.200")));
  EXPECT_EQ(f.lm.by_ip(*net::Ipv4Addr::parse("10.1.0.10"))->name, "vm1");
}

TEST(LocationManager, AnEndpointAlreadyFoundIsChangedWithoutALookup) {
  Fixture f;
  const Endpoint& vm = *f.lm.by_name("vm1");
  const auto first = *net::Ipv4Addr::parse("10.2.0.200"), second = *net::Ipv4Addr::parse("10.2.0.201");
  f.lm.set_visiting_ip(vm, first);
  f.lm.set_visiting_ip(vm, second);  // the first is freed; its name, MAC and own address stay found
  EXPECT_FALSE(f.lm.by_ip(first));
  EXPECT_EQ(f.lm.by_ip(second), &vm);
  EXPECT_EQ(f.lm.by_ip(*net::Ipv4Addr::parse("10.1.0.10")), &vm);
  EXPECT_EQ(f.lm.by_mac(vm.mac), &vm);
  EXPECT_EQ(f.saved.back().visiting_ip, "10.2.0.201");
  ASSERT_TRUE(f.lm.move(vm, kDc2, MoveCause::kMigration));
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.moves[0].endpoint, "vm1");
  EXPECT_EQ(f.moves[0].to, kDc2);
  EXPECT_EQ(vm.current, kDc2);
  EXPECT_EQ(f.history.back().endpoint, "vm1");
}

TEST(LocationManager, RestoresSavedStateButTrustsTheConfiguration) {
  Fixture before;
  before.lm.move("vm1", kDc2, MoveCause::kMigration);
  before.lm.set_visiting_ip("vm1", *net::Ipv4Addr::parse("10.2.0.200"));
  const auto& dhcp_client = before.lm.add_client(*net::MacAddr::parse("02:aa:00:00:00:01"), "wlan2");
  before.lm.assign_ip(dhcp_client.name, *net::Ipv4Addr::parse("10.10.2.150"));
  std::map<std::string, store::EndpointRecord> latest;
  for (const auto& r : before.saved) latest[r.name] = r;
  std::vector<store::EndpointRecord> records;
  for (const auto& [_, r] : latest) records.push_back(r);
  auto tampered = latest["vm1"];
  tampered.name = "vm1";
  tampered.mac = "02:66:66:66:66:66";  // does not match the configured VM: ignored
  records.push_back(tampered);

  Fixture after;
  after.lm.restore(records);
  const Endpoint* vm = after.lm.by_name("vm1");
  ASSERT_TRUE(vm->current);
  EXPECT_EQ(*vm->current, kDc2);
  EXPECT_EQ(vm->mac.to_string(), "02:00:00:01:00:10");
  EXPECT_EQ(after.lm.by_ip(*net::Ipv4Addr::parse("10.2.0.200")), vm);
  const Endpoint* client = after.lm.by_mac(*net::MacAddr::parse("02:aa:00:00:00:01"));
  ASSERT_TRUE(client);
  EXPECT_EQ(client->home_site, "wlan2");
  EXPECT_EQ(client->ip->to_string(), "10.10.2.150");
  EXPECT_TRUE(after.moves.empty());  // restoring is not moving
}

namespace {

store::EndpointRecord vm1_record(const Location& at, const std::string& visiting_ip, std::int64_t stamp) {
  return store::EndpointRecord{"vm1", store::EndpointKind::kVm, "02:00:00:01:00:10", "10.1.0.10", "dc1", at.site,
                               at.dpid.value, at.port.value, visiting_ip, stamp};
}

}  // namespace

// The whereabouts table beside the endpoints follows every change of place and home, whoever made it.
TEST(LocationManager, WhereaboutsFollowEveryChangeOfPlaceAndHome) {
  Fixture f;
  const auto where = [&](const std::string& name) {
    const Endpoint* e = f.lm.by_name(name);
    EXPECT_TRUE(e) << name;
    const auto w = f.lm.whereabouts(e->number);
    return std::pair{w.site ? w.site->name.str() : std::string("(none)"), w.away};
  };
  using Seen = std::pair<std::string, bool>;
  EXPECT_EQ(where("vm1"), Seen("dc1", false));  // never seen: at home
  EXPECT_EQ(where("client1"), Seen("wlan1", false));
  ASSERT_TRUE(f.lm.move("vm1", kDc2, MoveCause::kMigration));
  EXPECT_EQ(where("vm1"), Seen("dc2", true));
  ASSERT_TRUE(f.lm.move("vm1", kDc1, MoveCause::kMigration));
  EXPECT_EQ(where("vm1"), Seen("dc1", false));
  f.lm.apply_stored(vm1_record(kDc2, "10.2.0.200", 5), 7, false);  // another controller's move
  EXPECT_EQ(where("vm1"), Seen("dc2", true));
  ASSERT_TRUE(f.lm.move("vm1", Location{"nowhere", of::Dpid{0x99}, of::PortNo{1}}, MoveCause::kTraffic));
  EXPECT_EQ(where("vm1"), Seen("(none)", true));  // not a site of the model

  const Endpoint& dhcp_client = f.lm.add_client(*net::MacAddr::parse("02:aa:00:00:00:01"), "wlan1");
  EXPECT_EQ(where(dhcp_client.name), Seen("wlan1", false));
  ASSERT_TRUE(f.lm.move(dhcp_client, Location{"wlan2", of::Dpid{0xa2}, of::PortNo{3}}, MoveCause::kDhcp));
  EXPECT_EQ(where(dhcp_client.name), Seen("wlan2", true));
  f.lm.rehome(dhcp_client.name, "wlan2");  // renumbered where it is: home now
  EXPECT_EQ(where(dhcp_client.name), Seen("wlan2", false));
}

TEST(LocationManager, AnotherControllersRecordMovesTheEndpointWithoutWritingItBack) {
  Fixture f;
  f.lm.apply_stored(vm1_record(kDc2, "10.2.0.200", 5), 7, false);
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.moves[0].cause, MoveCause::kPeer);
  EXPECT_EQ(f.moves[0].to, kDc2);
  EXPECT_FALSE(f.moves[0].at_home);
  EXPECT_TRUE(f.saved.empty());
  EXPECT_EQ(f.lm.by_ip(*net::Ipv4Addr::parse("10.2.0.200"))->name, "vm1");
  // The same record again, or an older one, changes nothing.
  f.lm.apply_stored(vm1_record(kDc2, "10.2.0.200", 5), 7, false);
  f.lm.apply_stored(vm1_record(kDc1, "", 4), 6, false);
  EXPECT_EQ(f.moves.size(), 1u);
  EXPECT_EQ(f.lm.by_name("vm1")->current, kDc2);
  // A new visiting address alone is news too (the tunnel changes); the old one is freed.
  f.lm.apply_stored(vm1_record(kDc2, "10.2.0.201", 6), 8, false);
  EXPECT_EQ(f.moves.size(), 2u);
  EXPECT_FALSE(f.lm.by_ip(*net::Ipv4Addr::parse("10.2.0.200")));
}

TEST(LocationManager, OurOwnConfirmationRestoresOurWriteButNotOverANewerOneOfOurs) {
  Fixture f;
  f.clock.set(std::chrono::milliseconds(2000));
  ASSERT_TRUE(f.lm.move("vm1", kDc2, MoveCause::kMigration));
  const auto first = f.saved.back();
  // Another controller's older write arrives first (revision 10), then the store confirms ours (11).
  f.lm.apply_stored(vm1_record(kDc1, "", 1500), 10, false);
  EXPECT_EQ(f.lm.by_name("vm1")->current, kDc1);
  f.lm.apply_stored(first, 11, true);
  EXPECT_EQ(f.lm.by_name("vm1")->current, kDc2) << "our write is the newer: it stands";

  // A confirmation of a write of ours that a newer one of ours replaced does not move it back.
  f.clock.set(std::chrono::milliseconds(3000));
  ASSERT_TRUE(f.lm.move("vm1", kDc1, MoveCause::kMigration));
  const auto moves = f.moves.size();
  f.lm.apply_stored(first, 12, true);
  EXPECT_EQ(f.lm.by_name("vm1")->current, kDc1);
  EXPECT_EQ(f.moves.size(), moves);
}

TEST(LocationManager, AClientFirstKnownFromAnotherControllerIsAdded) {
  Fixture f;
  store::EndpointRecord r{"client-02:00:00:0a:00:99", store::EndpointKind::kClient, "02:00:00:0a:00:99", "10.10.2.150",
                          "wlan2", "wlan2", 0xa2, 2, "", 9};
  f.lm.apply_stored(r, 3, false);
  const Endpoint* e = f.lm.by_ip(*net::Ipv4Addr::parse("10.10.2.150"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->home_site, "wlan2");
  ASSERT_EQ(f.moves.size(), 1u);
  EXPECT_TRUE(f.moves[0].at_home);
  // A record that contradicts the configuration (vm1 under another MAC) is ignored.
  auto forged = vm1_record(kDc2, "", 10);
  forged.mac = "02:00:00:0a:00:99";
  f.lm.apply_stored(forged, 4, false);
  EXPECT_FALSE(f.lm.by_name("vm1")->current);
}

// A controller taking over a scope first learns, from the shared store on a
// real etcd, where the previous master moved endpoints.
#include <gtest/gtest.h>

#include <future>

#include "fmc/follow_me.hpp"
#include "fmc/model/config_yaml.hpp"
#include "store/etcd/etcd_store.hpp"
#include "support/etcd_process.hpp"

using namespace fmc;
using test_support::EtcdProcess;

namespace {

std::unique_ptr<FollowMe> controller_on(const EtcdProcess& etcd) {
  auto db = store::EtcdStore::open("etcd://" + etcd.endpoint());
  if (!db) throw std::runtime_error(db.error().message);
  auto fm = FollowMe::create(*model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml"), std::move(*db), "etcd");
  if (!fm) throw std::runtime_error(fm.error());
  auto out = std::move(*fm);
  out->run_on([](std::function<void()> fn) { fn(); });  // no loop here: run where it arrives
  return out;
}

}  // namespace

TEST(Takeover, ANewMasterLearnsWhereThePreviousMasterMovedEndpoints) {
  EtcdProcess etcd;
  auto master = controller_on(etcd);
  auto standby = controller_on(etcd);  // started before the move: it does not know it
  ASSERT_TRUE(master->locations().move("vm1", Location{"dc2", of::Dpid{0xd2}, of::PortNo{2}}, MoveCause::kMigration));
  master->flush_store();
  const Endpoint* vm1 = standby->locations().by_name("vm1");
  ASSERT_TRUE(vm1);
  EXPECT_FALSE(vm1->current && vm1->current->site == "dc2");

  std::promise<void> refreshed;
  standby->refresh([&] { refreshed.set_value(); });
  ASSERT_EQ(refreshed.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  ASSERT_TRUE(vm1->current);
  EXPECT_EQ(vm1->current->site, "dc2");
  EXPECT_EQ(vm1->current->dpid, of::Dpid{0xd2});
  master->run_on(nullptr);
  standby->run_on(nullptr);
}

// The network model's lookups by name, through its index and, once a list has grown or
// shrunk since (the model is otherwise frozen after index()), past it.
#include "fmc/model/network_model.hpp"

#include <gtest/gtest.h>

#include "fmc/model/config_yaml.hpp"

using namespace fmc;

TEST(NetworkModel, ASiteIsFoundByItsNameWhenTheSiteListChangedAfterTheIndex) {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  model.index();
  ASSERT_GE(model.sites.size(), 3u);
  const SiteName first = model.sites[0].name, second = model.sites[1].name, last = model.sites.back().name;
  ASSERT_NE(model.site(second), nullptr);
  EXPECT_EQ(model.site(second)->name, second);
  EXPECT_EQ(model.site("no-such-site"), nullptr);
  EXPECT_EQ(model.site_numbered(second.number()), model.site(second));  // by the name's number alone
  EXPECT_EQ(model.site_numbered(SiteName("no-such-site").number()), nullptr);

  // Positions shift under the index: each name still finds its own site, the one removed none.
  model.sites.erase(model.sites.begin());
  ASSERT_NE(model.site(second), nullptr);
  EXPECT_EQ(model.site(second), &model.sites[0]);
  ASSERT_NE(model.site(last), nullptr);
  EXPECT_EQ(model.site(last)->name, last);
  EXPECT_EQ(model.site(first), nullptr);

  // A site added after the index (a list that grows) is found too, and the others still are.
  model::NetworkModel grown = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  grown.index();
  model::Site added = grown.sites[0];
  added.name = SiteName("added-after-index");
  grown.sites.push_back(added);
  ASSERT_NE(grown.site(SiteName("added-after-index")), nullptr);
  EXPECT_EQ(grown.site(SiteName("added-after-index")), &grown.sites.back());
  EXPECT_EQ(grown.site(second), &grown.sites[1]);
}

TEST(NetworkModel, ASitesSwitchAndItsDpidAreTheSameBeforeAndAfterTheIndex) {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  auto check = [&] {
    for (const auto& site : model.sites) {
      const model::SwitchSpec* sw = model.switch_of(site);
      ASSERT_NE(sw, nullptr) << site.name;
      EXPECT_EQ(model.switch_dpid(site), sw->dpid) << site.name;
      EXPECT_EQ(model.switch_with(sw->dpid), sw) << site.name;
      EXPECT_EQ(model.site_at(sw->dpid), &site) << site.name;
    }
    EXPECT_EQ(model.switch_with(of::Dpid{0xdead}), nullptr);
    EXPECT_EQ(model.site_at(of::Dpid{0xdead}), nullptr);
  };
  check();  // scanning the lists
  model.index();
  check();  // through the index
  model::Site orphan = model.sites[0];
  orphan.switch_name = "no-such-switch";
  EXPECT_EQ(model.switch_dpid(orphan), std::nullopt);  // not one of the sites, and no switch of that name
}

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

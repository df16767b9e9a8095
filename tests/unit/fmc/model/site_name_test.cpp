// Site names are interned: equal texts are one name, a name is one number.
#include "fmc/model/site_name.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>
#include <unordered_set>
#include <vector>

#include "fmc/events/events.hpp"

using fmc::SiteName;

static_assert(sizeof(SiteName) == 4, "a site name is one number");
static_assert(sizeof(fmc::Location) <= 16, "a location is a site name, a dpid and a port");

TEST(SiteName, EqualTextsAreOneNameThatReadsAsItsText) {
  const std::string text = "dc1";
  const SiteName a = text, b = std::string_view("dc1"), c = "dc2";
  EXPECT_EQ(&a.str(), &b.str());  // one copy of the text
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a, "dc1");
  EXPECT_EQ(a, text);
  EXPECT_NE(a, std::string_view("dc"));
  const std::string& as_string = a;
  EXPECT_EQ(as_string, "dc1");
  EXPECT_EQ("at " + a + "!", "at dc1!");
  EXPECT_TRUE(SiteName().empty());
  EXPECT_EQ(SiteName(), "");
  EXPECT_EQ(SiteName(""), SiteName());
}

TEST(SiteName, OrdersByTextAndHashesByName) {
  std::map<SiteName, int> ordered{{"wlan2", 2}, {"dc1", 0}, {"wlan1", 1}};
  std::vector<std::string> keys;
  for (const auto& [k, v] : ordered) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"dc1", "wlan1", "wlan2"}));
  std::unordered_set<SiteName> set{"dc1", SiteName(std::string("dc1")), "dc2"};
  EXPECT_EQ(set.size(), 2u);
}

TEST(SiteName, ThreadsInterningTheSameTextsGetTheSameNames) {
  std::vector<std::vector<const std::string*>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) seen[t].push_back(&SiteName("cell-" + std::to_string(i)).str());
    });
  for (auto& th : threads) th.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
}

TEST(SiteName, NumbersAreDenseInTheOrderNamesWereFirstMade) {
  EXPECT_EQ(SiteName().number(), 0u);
  const SiteName first("numbered-site-a"), second("numbered-site-b");
  EXPECT_EQ(second.number(), first.number() + 1);
  EXPECT_EQ(SiteName(std::string("numbered-site-a")).number(), first.number());  // a name keeps its number
}

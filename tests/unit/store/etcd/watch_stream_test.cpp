// The watch stream cut into its messages, wherever the bytes were split.
#include <gtest/gtest.h>

#include "store/etcd/watcher.hpp"

using fmc::store::etcd::WatchStream;

TEST(EtcdWatchStream, MessagesAreCutWhereverTheBytesSplit) {
  const std::string wire = "{\"result\":{\"a\":\"}{\\\"\"}}\n{\"result\":{\"events\":[{\"kv\":{}}]}}\r\n";
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    WatchStream s;
    auto first = s.feed(wire.substr(0, cut));
    auto rest = s.feed(wire.substr(cut));
    first.insert(first.end(), rest.begin(), rest.end());
    ASSERT_EQ(first.size(), 2u) << cut;
    EXPECT_EQ(first[0], "{\"result\":{\"a\":\"}{\\\"\"}}");
    EXPECT_EQ(first[1], "{\"result\":{\"events\":[{\"kv\":{}}]}}");
    EXPECT_EQ(s.pending(), 0u);
  }
}

TEST(EtcdWatchStream, AnUnfinishedMessageIsHeld) {
  WatchStream s;
  EXPECT_TRUE(s.feed("{\"result\": {").empty());
  EXPECT_EQ(s.pending(), 12u);
  EXPECT_EQ(s.feed("}}").size(), 1u);
}

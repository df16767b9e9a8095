#pragma once
// A realistic instance of every message each version can express; shared by
// the round-trip tests, the golden-file generator and the fuzz seed corpus.
#include <string>
#include <vector>

#include "openflow/messages.hpp"

namespace fmc::test_support {

struct Sample {
  std::string name;
  of::Message message;
};

std::vector<Sample> sample_messages(of::Version v);

}  // namespace fmc::test_support

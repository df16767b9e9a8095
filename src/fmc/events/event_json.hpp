#pragma once
// The one JSON form of a Follow-Me Cloud event: what the log, the store's
// event history and the API's event stream all carry.
#include <string>

#include "fmc/events/events.hpp"

namespace fmc {

struct EventText {
  std::string kind;  // "EndpointMoved", "SecurityEvent", "MigrationStep"
  std::string json;  // one object, no newlines
};

EventText event_json(const FmcEvent& e);

}  // namespace fmc

#pragma once
// The one JSON form of a Follow-Me Cloud event: what the log, the store's
// event history and the API's event stream all carry.
#include <cstdint>
#include <optional>
#include <string>

#include "fmc/events/events.hpp"

namespace fmc {

struct EventText {
  std::string kind;  // "EndpointMoved", "SecurityEvent", "MigrationStep"
  std::string json;  // one object, no newlines
};

// When the controller saw an event: the wall clock for people and other hosts, the
// steady (CLOCK_MONOTONIC) clock for intervals between processes of one host.
struct EventTime {
  std::int64_t wall_ms = 0;
  std::int64_t steady_us = 0;
};

// With `at`, the object also carries "at_ms" and "steady_us".
EventText event_json(const FmcEvent& e, std::optional<EventTime> at = std::nullopt);

}  // namespace fmc

// libFuzzer target for the northbound API: arbitrary bytes through the
// HTTP parser (in two pieces, to exercise buffering), and every request it
// completes through the router (auth, REST, MEC 013/021, metrics) with the
// token, so that bodies reach the JSON handlers.
#include <cstdint>
#include <string>

#include "api/northbound.hpp"
#include "fmc/model/config_yaml.hpp"

using namespace fmc;

namespace {

struct NullSink : api::NotificationSink {
  void notify(const api::CallbackUrl&, std::string) override {}
};

struct NullDriver : migration::Driver {
  std::string_view name() const override { return "null"; }
  migration::MigrationId start(const migration::Request&, migration::Listener) override { return 1; }
  std::optional<migration::Progress> progress(migration::MigrationId) const override { return std::nullopt; }
  bool cancel(migration::MigrationId) override { return false; }
};

struct World {
  model::NetworkModel model = *model::load_network_yaml(FMC_SOURCE_DIR "/config/fig1.yaml");
  ManualClock clock;
  EventBus bus;
  LocationManager locations{model, bus, nullptr, clock};
  ctl::EffectExecutor switches;
  MigrationsInFlight in_flight;
  MobilityDetector detector{model, locations, bus, in_flight, clock};
  dhcp::DhcpService dhcp{model, locations, bus, [](auto, auto) {}, clock};
  ArpProxy arp{model, locations, bus};
  ctl::ControllerStats stats;
  NullDriver driver;
  MigrationManager migrations{model, locations, in_flight, bus, driver, [](const Migration&) {},
                              clock};
  PacketInCensus census;
  Histogram convergence{{0.001}};
  NullSink sink;
  PathMonitor path_monitor{model, bus, clock};
  LocationMapper mapper{model, locations, bus, [this](const std::string& a, const std::string& d) { return model.wan_delay(a, d); },
                        clock};
  api::Northbound api{api::ApiContext{model, locations, switches, dhcp, detector, arp, stats, &migrations, census,
                                      convergence, path_monitor, mapper, clock},
                      api::ApiOptions{"fuzz-token-0123456789", false}, sink};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World w;
  if (size < 1) return 0;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t cut = data[0] % (input.size() + 1);
  api::RequestParser parser(api::RequestParser::Limits{4096, 4096});
  for (const std::string_view piece : {std::string_view(input).substr(0, cut), std::string_view(input).substr(cut)}) {
    auto state = parser.feed(piece);
    while (state == api::RequestParser::State::kComplete) {
      api::HttpRequest r = parser.take();
      r.headers.emplace_back("authorization", "Bearer fuzz-token-0123456789");
      (void)api::serialize(w.api.handle(r).response, r.keep_alive);
      state = parser.feed("");
    }
  }
  return 0;
}

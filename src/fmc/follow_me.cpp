#include "fmc/follow_me.hpp"

#include <chrono>

#include "controller/log.hpp"
#include "store/sqlite_store.hpp"

namespace fmc {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Hands one shared app to the controller's per-worker app list.
class SharedApp final : public ctl::App {
 public:
  explicit SharedApp(ctl::App& target) : target_(target) {}
  std::string_view name() const override { return target_.name(); }
  void on_switch_up(ctl::Datapath& dp) override { target_.on_switch_up(dp); }
  void on_switch_down(of::Dpid d) override { target_.on_switch_down(d); }
  ctl::Disposition on_packet_in(ctl::Datapath& dp, const of::PacketIn& pi) override { return target_.on_packet_in(dp, pi); }
  void on_port_status(ctl::Datapath& dp, const of::PortStatus& ps) override { target_.on_port_status(dp, ps); }
  void on_flow_removed(ctl::Datapath& dp, const of::FlowRemoved& fr) override { target_.on_flow_removed(dp, fr); }
  void on_error(ctl::Datapath& dp, of::Xid x, const of::ErrorMsg& e) override { target_.on_error(dp, x, e); }
  void on_message(ctl::Datapath& dp, of::Xid x, const of::Message& m) override { target_.on_message(dp, x, m); }

 private:
  ctl::App& target_;
};

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<FollowMe>, std::string> FollowMe::create(model::NetworkModel model, const std::string& db_path) {
  auto db = store::SqliteStore::open(db_path);
  if (!db) return Unexpected{db.error().message};
  auto saved = (*db)->endpoints();
  if (!saved) return Unexpected{saved.error().message};

  std::unique_ptr<FollowMe> f(new FollowMe());
  f->model_ = std::move(model);
  f->writer_ = std::make_unique<store::WriteBehind>(std::move(*db), [](const store::StoreError& e) {
    log::error("store", e.message);
  });
  auto* writer = f->writer_.get();
  f->locations_ = std::make_unique<LocationManager>(
      f->model_, f->bus_,
      [writer](const store::EndpointRecord& r, const std::optional<store::LocationChange>& c) {
        writer->submit([r, c](store::Store& s) -> store::StoreResult<Ok> {
          auto put = s.put_endpoint(r);
          if (!put || !c) return put;
          return s.add_location_change(*c);
        });
      },
      now_ms);
  f->locations_->restore(*saved);
  log::info("follow_me", "restored " + std::to_string(saved->size()) + " endpoint records from " + db_path);

  // Every event is logged and persisted; the store keeps the event history.
  f->bus_.subscribe([writer](const FmcEvent& e) {
    std::string kind, json;
    if (const auto* m = std::get_if<EndpointMoved>(&e)) {
      kind = "EndpointMoved";
      json = "{\"endpoint\":\"" + json_escape(m->endpoint) + "\",\"from\":\"" + (m->from ? m->from->site : "") +
             "\",\"to\":\"" + m->to.site + "\",\"port\":" + std::to_string(m->to.port.value) + ",\"cause\":\"" +
             to_string(m->cause) + "\",\"at_home\":" + (m->at_home ? "true" : "false") + "}";
    } else if (const auto* s = std::get_if<SecurityEvent>(&e)) {
      kind = "SecurityEvent";
      json = "{\"kind\":\"" + s->kind + "\",\"detail\":\"" + json_escape(s->detail) + "\",\"dpid\":" +
             std::to_string(s->dpid.value) + ",\"port\":" + std::to_string(s->port.value) + "}";
    }
    (kind == "SecurityEvent" ? log::warn : log::info)("event", kind + " " + json_escape(json));
    writer->submit([kind, json](store::Store& s) -> store::StoreResult<Ok> {
      auto r = s.append_event(store::EventRecord{0, now_ms(), kind, json});
      if (!r) return Unexpected{r.error()};
      return Ok{};
    });
  });

  f->detector_ = std::make_unique<MobilityDetector>(f->model_, *f->locations_, f->bus_, f->migrations_);
  f->arp_ = std::make_unique<ArpProxy>(f->model_, *f->locations_, f->bus_);
  f->manipulator_ = std::make_unique<PacketManipulator>(f->model_, *f->locations_, f->bus_, f->directory_);
  return f;
}

FollowMe::~FollowMe() = default;

ctl::AppList FollowMe::apps() {
  ctl::AppList list;
  for (ctl::App* app : std::initializer_list<ctl::App*>{&directory_, detector_.get(), arp_.get(), manipulator_.get()})
    list.push_back(std::make_unique<SharedApp>(*app));
  return list;
}

}  // namespace fmc

#pragma once
// Location Manager (paper §IV.B.1): the single owner of "where is endpoint
// X". Every VM and client has a home location (from the network model) and
// a current one, home or visited. Others ask it, or listen to its
// EndpointMoved events; nobody else keeps endpoint locations.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fmc/events/clock.hpp"
#include "fmc/events/event_bus.hpp"
#include "util/flat_index.hpp"
#include "fmc/location/stable_vector.hpp"
#include "fmc/model/network_model.hpp"
#include "store/store.hpp"

namespace fmc {

// 96 bytes on a 32-byte boundary, so that a record is two cache lines (a move reads all of it).
struct alignas(32) Endpoint {
  std::string name;
  std::optional<Location> current;
  std::optional<net::Ipv4Addr> ip;
  std::optional<net::Ipv4Addr> visiting_ip;  // routable address in the visited site
  SiteName home_site;
  // Its place among the Location Manager's endpoints (0, 1, ...: dense, never reused),
  // for apps' side tables.
  std::uint32_t number = 0;
  net::MacAddr mac;
  store::EndpointKind kind = store::EndpointKind::kVm;
  bool detached = false;  // its port went down or away (it may turn up anywhere)
  bool configured = false;  // it has a port in the network model (a VM; not a client known from DHCP)

  bool at_home() const { return !current || current->site == home_site; }
};

class LocationManager {
 public:
  // A change of place, for the store's history (history_row(), then location_change(), make its row).
  struct Move {
    const std::optional<Location>& from;
    MoveCause cause;
    std::int64_t at_ms;
  };
  // `persist` is told of every change to write behind (never called with the store itself): the
  // endpoint as it now is, and the move that changed it, if one did. Whoever writes it builds the
  // record (record()) when it writes, so changes it coalesces cost nothing (millions of moves).
  using Persist = std::function<void(const Endpoint&, const Move*)>;

  LocationManager(const model::NetworkModel& model, EventBus& bus, Persist persist, const Clock& clock);
  LocationManager(const LocationManager&) = delete;
  LocationManager& operator=(const LocationManager&) = delete;

  // Re-applies records saved earlier (after a restart); unknown names are ignored.
  void restore(const std::vector<store::EndpointRecord>& records);
  // A record as the shared store holds it at `revision`: another controller's write
  // (`ours` false), or the store confirming ours. Revisions no newer than one applied
  // are ignored, and so is a confirmation of ours that a newer write of ours follows.
  // A change of place or address is published as EndpointMoved (cause peer); the
  // record is not written back.
  void apply_stored(const store::EndpointRecord& r, std::int64_t revision, bool ours);

  const Endpoint* by_mac(const net::MacAddr& mac) const;
  const Endpoint* by_ip(net::Ipv4Addr ip) const;  // the endpoint's own address or its visiting one
  const Endpoint* by_name(const std::string& name) const;
  const Endpoint& at(std::uint32_t number) const { return endpoints_[number]; }  // number < size()
  // Where endpoint `number` is (< size()), from a table of 4 bytes an endpoint kept beside the endpoints,
  // for apps that look up many endpoints a move without reading them (a moving endpoint's peers).
  struct Whereabouts {
    const model::Site* site;  // where it is, else its home; nullptr if neither is a site of the model
    bool away;                // from its home
  };
  Whereabouts whereabouts(std::uint32_t number) const {
    const std::uint32_t w = where_[number];
    return {model_.site_numbered(w >> 1), (w & 1) != 0};
  }
  // The endpoint a move names: by the number it carries when that number is this endpoint's, else by name.
  const Endpoint* moved(const EndpointMoved& m) const;
  std::vector<const Endpoint*> all() const;
  std::size_t size() const { return endpoints_.size(); }

  // Records that `name` is attached at `to`. Publishes EndpointMoved when the
  // location changed. Returns false for an unknown endpoint.
  bool move(const std::string& name, const Location& to, MoveCause cause);
  bool move(const Endpoint& e, const Location& to, MoveCause cause);  // one of ours, already found: no lookup
  // Binds an address to an endpoint. Refused (false) if another endpoint owns it.
  bool assign_ip(const std::string& name, net::Ipv4Addr ip);
  void set_visiting_ip(const std::string& name, std::optional<net::Ipv4Addr> ip);
  void set_visiting_ip(const Endpoint& e, std::optional<net::Ipv4Addr> ip);
  // The port `name` is attached at went down or away (true), or came back (false).
  void set_detached(const std::string& name, bool detached);
  // A client renumbered into another network (DHCP) now has its home there.
  // If it is attached there, EndpointMoved (at home) tells the others.
  void rehome(const std::string& name, const std::string& site);
  // A client first seen via DHCP: added with the access network as its home.
  const Endpoint& add_client(const net::MacAddr& mac, const std::string& home_site);

  // What the store keeps of `e`, stamped with the time it was last given to `persist`.
  store::EndpointRecord record(const Endpoint& e) const;
  // The history row of move `m` of `e`, taken while persist is told of it (`e` is where `m` took it),
  // and kept as names and numbers until it is written (location_change(): its text).
  struct HistoryRow {
    std::uint32_t endpoint;
    std::optional<SiteName> from, to;
    MoveCause cause;
    std::int64_t at_ms;
  };
  static HistoryRow history_row(const Endpoint& e, const Move& m);
  store::LocationChange location_change(const HistoryRow& row) const;

 private:
  std::uint32_t number_of(std::string_view name) const;  // FlatIndex::kNone if unknown
  Endpoint* find(std::string_view name);
  Endpoint& ours(const Endpoint& e);  // the endpoint handed out as `e`, to change
  Endpoint& add(std::string name, store::EndpointKind kind, const net::MacAddr& mac, std::optional<net::Ipv4Addr> ip,
                std::string home_site);
  // The stored endpoint of `r` (a client known only from a record is added), or nullptr.
  Endpoint* stored(const store::EndpointRecord& r);
  // Takes the record's addresses and location (the configuration stays authoritative).
  void adopt(Endpoint& e, const store::EndpointRecord& r);
  void save(Endpoint& e, const Move* move = nullptr);
  void index(const Endpoint& e);
  void place(const Endpoint& e);  // its whereabouts, after a change of place or home
  void unindex_ip(net::Ipv4Addr ip, const Endpoint* only_if = nullptr);
  // With a store only: the revision of the record last applied, and the stamp of our last write.
  struct Stamps {
    std::int64_t revision = 0, saved_ms = 0;
  };
  Stamps& stamps(const Endpoint& e);

  const model::NetworkModel& model_;
  EventBus& bus_;
  Persist persist_;
  const Clock& clock_;
  StableVector<Endpoint> endpoints_;  // by number; never erased (pointers to them are kept)
  FlatIndex by_name_, by_mac_, by_ip_;
  std::vector<std::uint32_t> where_;  // by number: its site's SiteName::number() << 1 | away
  std::vector<Stamps> stamps_;  // by number, grown as written (none without a store)
};

}  // namespace fmc

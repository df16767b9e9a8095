#include "operator_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fmc::scale {

namespace {
constexpr std::uint32_t kCellBase = 0x0100'0000;  // 1.0.0.0
constexpr int kCellPrefix = 19;
constexpr std::uint32_t kDcBase = 0x4000'0000;    // 64.0.0.0
constexpr int kDcPrefix = 13;

std::uint32_t block(int prefix) { return 1u << (32 - prefix); }

net::MacAddr mac(std::uint8_t kind, std::uint64_t n) {
  return net::MacAddr{{0x02, kind, static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                       static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)}};
}

model::Site site(std::string name, model::SiteKind kind, std::string switch_name, std::uint32_t base, int prefix,
                 double lat, double lon) {
  model::Site s;
  s.name = std::move(name);
  s.kind = kind;
  s.switch_name = std::move(switch_name);
  s.uplink_port = "uplink";
  s.subnet = net::Ipv4Prefix{net::Ipv4Addr{base}, prefix};
  s.gateway = {net::Ipv4Addr{base + 1}, net::MacAddr{{0x02, 0xfe, static_cast<std::uint8_t>(base >> 24),
                                                     static_cast<std::uint8_t>(base >> 16),
                                                     static_cast<std::uint8_t>(base >> 8), 1}}};
  s.latitude = lat;
  s.longitude = lon;
  s.probe_address = net::Ipv4Addr{base + block(prefix) - 2};
  return s;
}
}  // namespace

HexGrid::HexGrid(std::uint32_t cells) {
  cols_ = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::ceil(std::sqrt(double(cells)))));
  rows_ = std::max<std::uint32_t>(1, (cells + cols_ - 1) / cols_);
}

std::vector<std::uint32_t> HexGrid::neighbours(std::uint32_t cell) const {
  const int col = int(cell % cols_), row = int(cell / cols_);
  const int shift = row % 2;  // odd rows sit half a cell to the right
  const int around[6][2] = {{-1, 0}, {1, 0}, {-1 + shift, -1}, {shift, -1}, {-1 + shift, 1}, {shift, 1}};
  std::vector<std::uint32_t> out;
  for (const auto& d : around) {
    const int c = col + d[0], r = row + d[1];
    if (c >= 0 && r >= 0 && c < int(cols_) && r < int(rows_)) out.push_back(std::uint32_t(r) * cols_ + std::uint32_t(c));
  }
  return out;
}

std::uint32_t HexGrid::region(std::uint32_t cell, std::uint32_t regions) const {
  const auto rcols = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::ceil(std::sqrt(double(regions)))));
  const auto rrows = (regions + rcols - 1) / rcols;
  const auto rc = (cell % cols_) * rcols / cols_, rr = (cell / cols_) * rrows / rows_;
  return std::min(rr * rcols + rc, regions - 1);
}

std::uint32_t home_cell(std::uint64_t user, std::uint32_t cells) { return static_cast<std::uint32_t>(user % cells); }

std::string cell_site(std::uint32_t cell) { return "a" + std::to_string(cell); }
std::string dc_site(std::uint32_t dc) { return "dc" + std::to_string(dc); }
std::string client_name(std::uint64_t user) { return "u" + std::to_string(user); }
std::string vm_name(std::uint64_t user) { return "v" + std::to_string(user); }
net::MacAddr client_mac(std::uint64_t user) { return mac(0x0a, user); }
net::MacAddr vm_mac(std::uint64_t user) { return mac(0x0d, user); }
of::PortNo vm_port(std::uint64_t user) { return of::PortNo{static_cast<std::uint32_t>(2 + user)}; }
of::Dpid cell_dpid(std::uint32_t cell) { return of::Dpid{0x0a00'0000'0000ull | cell}; }
of::Dpid dc_dpid(std::uint32_t dc) { return of::Dpid{0xdc00'0000'0000ull | dc}; }
net::Ipv4Addr client_home_ip(std::uint32_t cell, std::uint32_t index) {
  return net::Ipv4Addr{kCellBase + cell * block(kCellPrefix) + 2 + index};
}

model::NetworkModel operator_network(const Shape& shape, const HexGrid& grid) {
  const std::uint32_t cells = grid.cells(), dcs = shape.data_centers;
  if (std::uint64_t{cells} * block(kCellPrefix) > kDcBase - kCellBase || std::uint64_t{dcs} * block(kDcPrefix) > 0x3000'0000u)
    throw std::invalid_argument("too many cells or data centers for the synthetic address plan");
  const std::uint64_t per_cell = (shape.users + cells - 1) / cells;
  if (per_cell > block(kCellPrefix) * 3 / 4 - 4)
    throw std::invalid_argument("more users per cell than a cell's home addresses");
  model::NetworkModel m;
  m.router.name = "router";
  for (std::uint32_t d = 0; d < dcs; ++d) {
    m.switches.push_back({"s" + dc_site(d), dc_dpid(d), {{"uplink", kUplinkPort}}, ""});
    m.sites.push_back(site(dc_site(d), model::SiteKind::kDataCenter, "s" + dc_site(d), kDcBase + d * block(kDcPrefix),
                           kDcPrefix, 0, 0));
  }
  for (std::uint32_t c = 0; c < cells; ++c) {
    m.switches.push_back({"s" + cell_site(c), cell_dpid(c), {{"uplink", kUplinkPort}}, ""});
    m.sites.push_back(site(cell_site(c), model::SiteKind::kAccessNetwork, "s" + cell_site(c),
                           kCellBase + c * block(kCellPrefix), kCellPrefix, 0, 0));
  }
  std::vector<std::uint32_t> vms_in_dc(dcs, 0);
  m.vms.reserve(shape.users);
  m.clients.reserve(shape.users);
  m.services.reserve(shape.users);
  for (std::uint64_t u = 0; u < shape.users; ++u) {
    const auto dc = grid.region(home_cell(u, cells), dcs);
    const net::Ipv4Addr ip{kDcBase + dc * block(kDcPrefix) + 2 + vms_in_dc[dc]++};
    if (vms_in_dc[dc] > block(kDcPrefix) * 3 / 4 - 4) throw std::invalid_argument("more VMs in a data center than its home addresses");
    m.vms.push_back({vm_name(u), ip, vm_mac(u), dc_site(dc), "", 128});
    m.switches[dc].ports[vm_name(u)] = vm_port(u);
    m.clients.push_back({client_name(u), client_mac(u), cell_site(home_cell(u, cells))});
    m.services.push_back({"s" + std::to_string(u), vm_name(u), {client_name(u)}, {}});
  }
  return m;
}

}  // namespace fmc::scale

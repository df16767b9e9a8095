#pragma once
// A synthetic mobile operator's network for the scale harness, as a
// Follow-Me Cloud network model: access cells on a hexagonal grid (one switch
// and one subnet each), data centers each serving a rectangular region of
// cells, and a population of users, each a client with a service running in
// its own VM (paper §V: every user a moving endpoint with a service).
//
// Addresses are synthetic and never leave the process: cell c owns a /19 from
// 1.0.0.0 up, data center d a /13 from 64.0.0.0 up; the top quarter of each
// is its visitors' block, as the Packet Manipulator borrows it.
#include <cstdint>
#include <vector>

#include "fmc/model/network_model.hpp"

namespace fmc::scale {

struct Shape {
  std::uint32_t cells = 10'000;
  std::uint32_t data_centers = 100;
  std::uint64_t users = 1'000'000;
};

// Cells in "odd-r" offset coordinates: odd rows are shifted half a cell right.
class HexGrid {
 public:
  explicit HexGrid(std::uint32_t cells);
  std::uint32_t cells() const { return cols_ * rows_; }
  // The cells sharing an edge with `cell` (3 to 6 of them).
  std::vector<std::uint32_t> neighbours(std::uint32_t cell) const;
  // Which of `regions` (laid out as a near-square grid over the cells) holds `cell`.
  std::uint32_t region(std::uint32_t cell, std::uint32_t regions) const;

 private:
  std::uint32_t cols_, rows_;
};

// Where user `u` lives (its home cell), spread evenly over the cells.
std::uint32_t home_cell(std::uint64_t user, std::uint32_t cells);

// The network model: sites, switches, routers ports, VMs (each with its port
// on its home data center's switch), clients (known by MAC, addressed by the
// harness as the DHCP server would) and one service per user.
model::NetworkModel operator_network(const Shape& shape, const HexGrid& grid);

// Names and identifiers, shared by the model and the harness.
std::string cell_site(std::uint32_t cell);
std::string dc_site(std::uint32_t dc);
std::string client_name(std::uint64_t user);
std::string vm_name(std::uint64_t user);
net::MacAddr client_mac(std::uint64_t user);
net::MacAddr vm_mac(std::uint64_t user);
of::PortNo vm_port(std::uint64_t user);       // the same number on every data center's switch
inline constexpr of::PortNo kRadioPort{2};    // where every cell's clients attach
inline constexpr of::PortNo kUplinkPort{1};
of::Dpid cell_dpid(std::uint32_t cell);
of::Dpid dc_dpid(std::uint32_t dc);
// A client's home address in its cell (the `index`-th user living there).
net::Ipv4Addr client_home_ip(std::uint32_t cell, std::uint32_t index);

}  // namespace fmc::scale

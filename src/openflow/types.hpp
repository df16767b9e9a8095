#pragma once
// Strong identifiers and protocol constants shared by both wire versions.
// Port numbers are held in OpenFlow 1.3's 32-bit space; the 1.0 codec maps
// reserved ports to and from its 16-bit space.
#include <compare>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace fmc::of {

enum class Version : std::uint8_t { V10 = 0x01, V13 = 0x04 };

inline constexpr bool is_supported(std::uint8_t wire_version) {
  return wire_version == 0x01 || wire_version == 0x04;
}

struct Dpid {
  std::uint64_t value = 0;
  auto operator<=>(const Dpid&) const = default;
};
// A DPID folded to 32 bits, as flat hash indexes (util/flat_index.hpp) tag it.
inline std::uint32_t tag(Dpid d) {
  const std::uint64_t v = d.value * 0xff51afd7ed558ccdull;
  return static_cast<std::uint32_t>(v ^ (v >> 32));
}
// As logs show it: 16 hex digits, like ovs-ofctl.
inline std::string hex(Dpid d) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d.value));
  return buf;
}

struct PortNo {
  std::uint32_t value = 0;
  auto operator<=>(const PortNo&) const = default;
};

struct Xid {
  std::uint32_t value = 0;
  auto operator<=>(const Xid&) const = default;
};

namespace port {
inline constexpr PortNo kMax{0xffffff00};
inline constexpr PortNo kInPort{0xfffffff8};
inline constexpr PortNo kTable{0xfffffff9};
inline constexpr PortNo kNormal{0xfffffffa};
inline constexpr PortNo kFlood{0xfffffffb};
inline constexpr PortNo kAll{0xfffffffc};
inline constexpr PortNo kController{0xfffffffd};
inline constexpr PortNo kLocal{0xfffffffe};
inline constexpr PortNo kAny{0xffffffff};
}  // namespace port

inline constexpr std::uint32_t kNoBuffer = 0xffffffff;
inline constexpr std::uint32_t kGroupAny = 0xffffffff;
inline constexpr std::uint8_t kTableAll = 0xff;
inline constexpr std::uint16_t kControllerMaxLenNoBuffer = 0xffff;
inline constexpr std::uint16_t kVlanPresent = 0x1000;  // OFPVID_PRESENT
inline constexpr std::size_t kHeaderLen = 8;
inline constexpr std::size_t kMaxMessageLen = 0xffff;

}  // namespace fmc::of

template <>
struct std::hash<fmc::of::Dpid> {
  std::size_t operator()(fmc::of::Dpid d) const noexcept { return std::hash<std::uint64_t>{}(d.value); }
};

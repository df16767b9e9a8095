// METER_MOD (OpenFlow 1.3 only): a meter and its DROP bands.
#include "openflow/wire.hpp"

namespace fmc::of::wire {

namespace {
constexpr std::uint16_t kBandDrop = 1;
constexpr std::uint16_t kBandLen = 16;
constexpr std::size_t kMaxBands = 16;
}  // namespace

EncodeResult encode_msg(const MeterMod& m, Version v, ByteWriter& w) {
  if (v != Version::V13) return not_in_version();
  w.u16(static_cast<std::uint16_t>(m.command));
  w.u16(m.flags);
  w.u32(m.meter_id);
  for (const auto& b : m.bands) {
    w.u16(kBandDrop);
    w.u16(kBandLen);
    w.u32(b.rate);
    w.u32(b.burst_size);
    w.zeros(4);
  }
  return type::kMeterMod;
}

OfResult<Message> decode_meter_mod(Version v, ByteReader& r) {
  if (v != Version::V13) return not_in_version();
  MeterMod m;
  const std::uint16_t command = r.u16();
  if (command > static_cast<std::uint16_t>(MeterModCommand::kDelete)) return fail(code::kBadMeterCommand, "unknown meter command");
  m.command = static_cast<MeterModCommand>(command);
  m.flags = r.u16();
  m.meter_id = r.u32();
  while (r.ok() && r.remaining() > 0) {
    const std::uint16_t type = r.u16();
    const std::uint16_t len = r.u16();
    if (!r.ok() || len != kBandLen || !r.has(kBandLen - 4u)) return fail(code::kBadLen, "meter band length invalid");
    if (type != kBandDrop) return fail(code::kBadBand, "meter band type not supported (DROP only)");
    if (m.bands.size() == kMaxBands) return fail(code::kBadBand, "too many meter bands");
    MeterBand b;
    b.rate = r.u32();
    b.burst_size = r.u32();
    r.skip(4);
    m.bands.push_back(b);
  }
  return Message{std::move(m)};
}

}  // namespace fmc::of::wire

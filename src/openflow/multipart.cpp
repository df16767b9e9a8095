// MULTIPART (1.3) / STATS (1.0) requests and replies: desc, flow,
// aggregate, table, port and port-desc.
#include "openflow/wire.hpp"

namespace fmc::of::wire {

namespace {

constexpr std::size_t kDescStr = 256, kSerialNum = 32, kTableName10 = 32;

void multipart_header(std::uint16_t mp_type, std::uint16_t flags, Version v, ByteWriter& w) {
  w.u16(mp_type);
  w.u16(flags);
  if (v == Version::V13) w.zeros(4);
}

OfResult<Ok> encode_flow_filter(const FlowStatsRequest& f, Version v, ByteWriter& w) {
  if (v == Version::V10) {
    auto m = encode_match10(f.match, w);
    if (!m) return m;
    w.u8(f.table_id);
    w.u8(0);
    w.u16(port_to_wire10(f.out_port));
    return Ok{};
  }
  w.u8(f.table_id);
  w.zeros(3);
  w.u32(f.out_port.value);
  w.u32(f.out_group);
  w.zeros(4);
  w.u64(f.cookie);
  w.u64(f.cookie_mask);
  encode_match13(f.match, w);
  return Ok{};
}

OfResult<FlowStatsRequest> decode_flow_filter(Version v, ByteReader& r) {
  FlowStatsRequest f;
  if (v == Version::V13) {
    f.table_id = r.u8();
    r.skip(3);
    f.out_port = PortNo{r.u32()};
    f.out_group = r.u32();
    r.skip(4);
    f.cookie = r.u64();
    f.cookie_mask = r.u64();
    auto m = decode_match13(r);
    if (!m) return Unexpected<OfError>{m.error()};
    f.match = std::move(*m);
  } else {
    auto m = decode_match10(r);
    if (!m) return Unexpected<OfError>{m.error()};
    f.match = std::move(*m);
    f.table_id = r.u8();
    r.skip(1);
    f.out_port = port_from_wire10(r.u16());
  }
  return f;
}

OfResult<FlowStats> decode_flow_stats(Version v, ByteReader& r) {
  FlowStats s;
  const std::uint16_t len = r.u16();
  const std::size_t fixed = v == Version::V13 ? 56 : 88;
  if (!r.ok() || len < fixed || !r.has(len - 2u)) return bad_len("flow stats entry length invalid");
  ByteReader e(r.bytes(len - 2u));
  s.table_id = e.u8();
  e.skip(1);
  if (v == Version::V10) {
    auto m = decode_match10(e);
    if (!m) return Unexpected<OfError>{m.error()};
    s.match = std::move(*m);
  }
  s.duration_sec = e.u32();
  s.duration_nsec = e.u32();
  s.priority = e.u16();
  s.idle_timeout = e.u16();
  s.hard_timeout = e.u16();
  if (v == Version::V13) {
    s.flags = e.u16();
    e.skip(4);
  } else {
    e.skip(6);
  }
  s.cookie = e.u64();
  s.packet_count = e.u64();
  s.byte_count = e.u64();
  if (v == Version::V13) {
    auto m = decode_match13(e);
    if (!m) return Unexpected<OfError>{m.error()};
    s.match = std::move(*m);
    auto ins = decode_instructions(e.rest());
    if (!ins) return Unexpected<OfError>{ins.error()};
    s.instructions = std::move(*ins);
  } else {
    auto actions = decode_actions(e.rest(), v);
    if (!actions) return Unexpected<OfError>{actions.error()};
    s.instructions = instructions_from_v10(std::move(*actions));
  }
  if (!e.ok()) return bad_len("flow stats entry truncated");
  return s;
}

OfResult<Ok> encode_flow_stats(const FlowStats& s, Version v, ByteWriter& w) {
  const std::size_t start = w.position();
  w.u16(0);
  w.u8(s.table_id);
  w.u8(0);
  if (v == Version::V10) {
    auto m = encode_match10(s.match, w);
    if (!m) return m;
  }
  w.u32(s.duration_sec);
  w.u32(s.duration_nsec);
  w.u16(s.priority);
  w.u16(s.idle_timeout);
  w.u16(s.hard_timeout);
  if (v == Version::V13) {
    w.u16(s.flags);
    w.zeros(4);
  } else {
    w.zeros(6);
  }
  w.u64(s.cookie);
  w.u64(s.packet_count);
  w.u64(s.byte_count);
  if (v == Version::V13) {
    encode_match13(s.match, w);
    auto r = encode_instructions(s.instructions, w);
    if (!r) return r;
  } else {
    auto actions = actions_for_v10(s.instructions);
    if (!actions) return Unexpected<OfError>{actions.error()};
    auto r = encode_actions(**actions, v, w);
    if (!r) return r;
  }
  w.patch_u16(start, static_cast<std::uint16_t>(w.position() - start));
  return Ok{};
}

PortStats decode_port_stats(Version v, ByteReader& r) {
  PortStats s;
  s.port_no = v == Version::V13 ? PortNo{r.u32()} : port_from_wire10(r.u16());
  r.skip(v == Version::V13 ? 4 : 6);
  for (std::uint64_t* c : {&s.rx_packets, &s.tx_packets, &s.rx_bytes, &s.tx_bytes, &s.rx_dropped,
                           &s.tx_dropped, &s.rx_errors, &s.tx_errors, &s.rx_frame_err,
                           &s.rx_over_err, &s.rx_crc_err, &s.collisions})
    *c = r.u64();
  if (v == Version::V13) {
    s.duration_sec = r.u32();
    s.duration_nsec = r.u32();
  }
  return s;
}

void encode_port_stats(const PortStats& s, Version v, ByteWriter& w) {
  if (v == Version::V13) {
    w.u32(s.port_no.value);
    w.zeros(4);
  } else {
    w.u16(port_to_wire10(s.port_no));
    w.zeros(6);
  }
  for (std::uint64_t c : {s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes, s.rx_dropped,
                          s.tx_dropped, s.rx_errors, s.tx_errors, s.rx_frame_err, s.rx_over_err,
                          s.rx_crc_err, s.collisions})
    w.u64(c);
  if (v == Version::V13) {
    w.u32(s.duration_sec);
    w.u32(s.duration_nsec);
  }
}

TableStats decode_table_stats(Version v, ByteReader& r) {
  TableStats s;
  s.table_id = r.u8();
  r.skip(3);
  if (v == Version::V10) r.skip(kTableName10 + 8);  // name, wildcards, max_entries
  s.active_count = r.u32();
  s.lookup_count = r.u64();
  s.matched_count = r.u64();
  return s;
}

void encode_table_stats(const TableStats& s, Version v, ByteWriter& w) {
  w.u8(s.table_id);
  w.zeros(3);
  if (v == Version::V10) {
    w.fixed_string("table" + std::to_string(s.table_id), kTableName10);
    w.u32(0x3fffff);  // wildcards: all
    w.u32(1000000);   // max_entries
  }
  w.u32(s.active_count);
  w.u64(s.lookup_count);
  w.u64(s.matched_count);
}

// Decodes fixed-size records until the body is exhausted.
template <class T, class F>
OfResult<std::vector<T>> decode_records(ByteReader& r, std::size_t record_len, F decode_one) {
  if (r.remaining() % record_len != 0) return bad_len("multipart body is not a whole number of records");
  std::vector<T> out;
  out.reserve(r.remaining() / record_len);
  while (r.remaining() > 0) out.push_back(decode_one(r));
  return out;
}

OfResult<Message> decode_request(std::uint16_t mp_type, Version v, ByteReader& r) {
  switch (mp_type) {
    case mp::kDesc: return Message{DescRequest{}};
    case mp::kFlow:
    case mp::kAggregate: {
      auto f = decode_flow_filter(v, r);
      if (!f) return Unexpected<OfError>{f.error()};
      if (mp_type == mp::kFlow) return Message{std::move(*f)};
      return Message{AggregateStatsRequest{std::move(*f)}};
    }
    case mp::kTable: return Message{TableStatsRequest{}};
    case mp::kPort: {
      PortStatsRequest p{v == Version::V13 ? PortNo{r.u32()} : port_from_wire10(r.u16())};
      r.skip(v == Version::V13 ? 4 : 6);
      return Message{p};
    }
    case mp::kPortDesc:
      if (v == Version::V13) return Message{PortDescRequest{}};
      break;
    default: break;
  }
  return fail(code::kBadMultipart, "unsupported multipart type");
}

OfResult<Message> decode_reply(std::uint16_t mp_type, std::uint16_t flags, Version v, ByteReader& r) {
  switch (mp_type) {
    case mp::kDesc: {
      DescReply d;
      d.flags = flags;
      d.mfr_desc = r.fixed_string(kDescStr);
      d.hw_desc = r.fixed_string(kDescStr);
      d.sw_desc = r.fixed_string(kDescStr);
      d.serial_num = r.fixed_string(kSerialNum);
      d.dp_desc = r.fixed_string(kDescStr);
      return Message{std::move(d)};
    }
    case mp::kFlow: {
      FlowStatsReply reply{flags, {}};
      while (r.remaining() > 0) {
        auto s = decode_flow_stats(v, r);
        if (!s) return Unexpected<OfError>{s.error()};
        reply.stats.push_back(std::move(*s));
      }
      return Message{std::move(reply)};
    }
    case mp::kAggregate: {
      AggregateStatsReply a{flags, r.u64(), r.u64(), r.u32()};
      r.skip(4);
      return Message{a};
    }
    case mp::kTable: {
      auto stats = decode_records<TableStats>(r, v == Version::V13 ? 24 : 64,
                                              [v](ByteReader& x) { return decode_table_stats(v, x); });
      if (!stats) return Unexpected<OfError>{stats.error()};
      return Message{TableStatsReply{flags, std::move(*stats)}};
    }
    case mp::kPort: {
      auto stats = decode_records<PortStats>(r, v == Version::V13 ? 112 : 104,
                                             [v](ByteReader& x) { return decode_port_stats(v, x); });
      if (!stats) return Unexpected<OfError>{stats.error()};
      return Message{PortStatsReply{flags, std::move(*stats)}};
    }
    case mp::kPortDesc: {
      if (v != Version::V13) break;
      auto ports = decode_records<Port>(r, port_len(v), [v](ByteReader& x) { return decode_port(v, x); });
      if (!ports) return Unexpected<OfError>{ports.error()};
      return Message{PortDescReply{flags, std::move(*ports)}};
    }
    default: break;
  }
  return fail(code::kBadMultipart, "unsupported multipart type");
}

}  // namespace

OfResult<Message> decode_multipart(std::uint8_t type, Version v, ByteReader& r) {
  const std::uint16_t mp_type = r.u16();
  const std::uint16_t flags = r.u16();
  if (v == Version::V13) r.skip(4);
  if (!r.ok()) return bad_len("truncated multipart header");
  return type == type::kMultipartRequest ? decode_request(mp_type, v, r) : decode_reply(mp_type, flags, v, r);
}

EncodeResult encode_msg(const DescRequest&, Version v, ByteWriter& w) {
  multipart_header(mp::kDesc, 0, v, w);
  return type::kMultipartRequest;
}

EncodeResult encode_msg(const DescReply& m, Version v, ByteWriter& w) {
  multipart_header(mp::kDesc, m.flags, v, w);
  w.fixed_string(m.mfr_desc, kDescStr);
  w.fixed_string(m.hw_desc, kDescStr);
  w.fixed_string(m.sw_desc, kDescStr);
  w.fixed_string(m.serial_num, kSerialNum);
  w.fixed_string(m.dp_desc, kDescStr);
  return type::kMultipartReply;
}

namespace {
EncodeResult encode_filter_request(std::uint16_t mp_type, const FlowStatsRequest& f, Version v, ByteWriter& w) {
  multipart_header(mp_type, 0, v, w);
  auto r = encode_flow_filter(f, v, w);
  if (!r) return Unexpected<OfError>{r.error()};
  return type::kMultipartRequest;
}
}  // namespace

EncodeResult encode_msg(const FlowStatsRequest& m, Version v, ByteWriter& w) {
  return encode_filter_request(mp::kFlow, m, v, w);
}

EncodeResult encode_msg(const AggregateStatsRequest& m, Version v, ByteWriter& w) {
  return encode_filter_request(mp::kAggregate, m.filter, v, w);
}

EncodeResult encode_msg(const FlowStatsReply& m, Version v, ByteWriter& w) {
  multipart_header(mp::kFlow, m.flags, v, w);
  for (const auto& s : m.stats) {
    auto r = encode_flow_stats(s, v, w);
    if (!r) return Unexpected<OfError>{r.error()};
  }
  return type::kMultipartReply;
}

EncodeResult encode_msg(const AggregateStatsReply& m, Version v, ByteWriter& w) {
  multipart_header(mp::kAggregate, m.flags, v, w);
  w.u64(m.packet_count);
  w.u64(m.byte_count);
  w.u32(m.flow_count);
  w.zeros(4);
  return type::kMultipartReply;
}

EncodeResult encode_msg(const TableStatsRequest&, Version v, ByteWriter& w) {
  multipart_header(mp::kTable, 0, v, w);
  return type::kMultipartRequest;
}

EncodeResult encode_msg(const TableStatsReply& m, Version v, ByteWriter& w) {
  multipart_header(mp::kTable, m.flags, v, w);
  for (const auto& s : m.stats) encode_table_stats(s, v, w);
  return type::kMultipartReply;
}

EncodeResult encode_msg(const PortStatsRequest& m, Version v, ByteWriter& w) {
  multipart_header(mp::kPort, 0, v, w);
  if (v == Version::V13) {
    w.u32(m.port_no.value);
    w.zeros(4);
  } else {
    w.u16(port_to_wire10(m.port_no));
    w.zeros(6);
  }
  return type::kMultipartRequest;
}

EncodeResult encode_msg(const PortStatsReply& m, Version v, ByteWriter& w) {
  multipart_header(mp::kPort, m.flags, v, w);
  for (const auto& s : m.stats) encode_port_stats(s, v, w);
  return type::kMultipartReply;
}

EncodeResult encode_msg(const PortDescRequest&, Version v, ByteWriter& w) {
  if (v != Version::V13) return not_in_version();
  multipart_header(mp::kPortDesc, 0, v, w);
  return type::kMultipartRequest;
}

EncodeResult encode_msg(const PortDescReply& m, Version v, ByteWriter& w) {
  if (v != Version::V13) return not_in_version();
  multipart_header(mp::kPortDesc, m.flags, v, w);
  for (const auto& p : m.ports) encode_port(p, v, w);
  return type::kMultipartReply;
}

}  // namespace fmc::of::wire

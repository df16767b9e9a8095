#include "support/sample_messages.hpp"

#include "openflow/codec.hpp"

namespace fmc::test_support {

namespace {

using namespace fmc::of;

const std::vector<std::uint8_t>& frame_bytes() {
  static const std::vector<std::uint8_t> frame = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
      0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x02};
  return frame;
}

Masked<net::MacAddr> mac(const char* text) { return {*net::MacAddr::parse(text), std::nullopt}; }
Masked<net::Ipv4Addr> ip(const char* text) { return {*net::Ipv4Addr::parse(text), std::nullopt}; }
Masked<net::Ipv4Addr> prefix(const char* text, int len) {
  return {*net::Ipv4Addr::parse(text), net::Ipv4Addr{len == 0 ? 0u : ~0u << (32 - len)}};
}

Port sample_port(std::uint32_t no) {
  Port p;
  p.port_no = PortNo{no};
  p.hw_addr = *net::MacAddr::parse("02:00:00:00:00:0a");
  p.name = "dc1-eth" + std::to_string(no);
  p.config = 0;
  p.state = 4;  // live
  p.curr = 0x840;
  p.advertised = 0x840;
  p.supported = 0x840;
  p.curr_speed = 10000000;
  p.max_speed = 10000000;
  return p;
}

Match tcp_match() {
  Match m;
  m.in_port = PortNo{3};
  m.eth_type = 0x0800;
  m.ip_proto = 6;
  m.ipv4_src = prefix("10.1.0.0", 16);
  m.ipv4_dst = ip("10.2.0.7");
  m.tcp_dst = 80;
  return m;
}

}  // namespace

std::vector<Sample> sample_messages(Version v) {
  const bool v13 = v == Version::V13;
  std::vector<Sample> s;
  static const std::uint8_t echo_data[] = {0xde, 0xad, 0xbe, 0xef};
  s.push_back({"hello", Hello{v13 ? kBitmapBoth : 0u}});
  // The error echoes the request that failed: here an 8-byte ECHO_REQUEST.
  static const std::uint8_t failed10[] = {0x01, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05};
  static const std::uint8_t failed13[] = {0x04, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00, 0x05};
  s.push_back({"error", ErrorMsg{1, 6, v13 ? Bytes(failed13) : Bytes(failed10)}});
  s.push_back({"echo_request", EchoRequest{echo_data}});
  s.push_back({"echo_reply", EchoReply{echo_data}});
  s.push_back({"features_request", FeaturesRequest{}});
  FeaturesReply fr;
  fr.datapath_id = Dpid{0x0000'0000'0000'00d1};
  fr.n_buffers = 256;
  fr.n_tables = v13 ? 254 : 1;
  fr.capabilities = 0x4f;
  if (!v13) fr.ports = {sample_port(1), sample_port(2)};
  s.push_back({"features_reply", fr});
  s.push_back({"get_config_request", GetConfigRequest{}});
  s.push_back({"get_config_reply", GetConfigReply{SwitchConfig{0, 128}}});
  s.push_back({"set_config", SetConfig{SwitchConfig{0, 0xffff}}});

  PacketIn pi;
  pi.buffer_id = kNoBuffer;
  pi.total_len = static_cast<std::uint16_t>(frame_bytes().size());
  pi.reason = packet_in_reason::kNoMatch;
  pi.in_port = PortNo{2};
  pi.match.in_port = PortNo{2};
  pi.cookie = v13 ? 0x1234 : 0;
  pi.data = frame_bytes();
  s.push_back({"packet_in", pi});

  PacketOut po;
  po.in_port = PortNo{2};
  po.actions = {Output{port::kFlood, 0}};
  po.data = frame_bytes();
  s.push_back({"packet_out", po});

  FlowMod add;
  add.cookie = 0x0001'0000'0000'0042;
  add.command = FlowModCommand::kAdd;
  add.idle_timeout = 60;
  add.hard_timeout = 300;
  add.priority = 100;
  add.flags = flow_mod_flags::kSendFlowRem;
  add.match = tcp_match();
  add.instructions = {ApplyActions{{*SetField::of(Match{.ipv4_dst = ip("10.9.0.7")}),
                                    *SetField::of(Match{.eth_dst = mac("02:00:00:00:00:99")}),
                                    Output{PortNo{4}, 0}}}};
  s.push_back({"flow_mod_add_rewrite", add});

  FlowMod arp;
  arp.command = FlowModCommand::kAdd;
  arp.priority = 500;
  arp.match.eth_type = 0x0806;
  arp.match.arp_op = 1;
  arp.match.arp_tpa = ip("10.0.0.1");
  if (v13) arp.match.arp_sha = *net::MacAddr::parse("02:00:00:00:00:01");
  arp.instructions = {ApplyActions{{Output{port::kController, kControllerMaxLenNoBuffer}}}};
  s.push_back({"flow_mod_arp_to_controller", arp});

  FlowMod del;
  del.command = FlowModCommand::kDeleteStrict;
  del.cookie = 0x0001'0000'0000'0000;
  del.cookie_mask = v13 ? 0xffff'0000'0000'0000 : 0;
  del.table_id = v13 ? kTableAll : 0;
  del.priority = 100;
  del.match.eth_dst = mac("02:00:00:00:00:02");
  del.out_port = port::kAny;
  s.push_back({"flow_mod_delete_strict", del});

  FlowMod vlan;
  vlan.command = FlowModCommand::kModify;
  vlan.match.vlan_vid = static_cast<std::uint16_t>(kVlanPresent | 10);
  vlan.match.udp_dst = 67;
  vlan.match.ip_proto = 17;
  vlan.match.eth_type = 0x0800;
  if (v13) {
    vlan.match.eth_src = Masked<net::MacAddr>{*net::MacAddr::parse("02:00:00:00:00:00"), *net::MacAddr::parse("ff:ff:ff:00:00:00")};
    vlan.instructions = {ApplyActions{{PopVlan{}, PushVlan{0x8100},
                                       *SetField::of(Match{.vlan_vid = static_cast<std::uint16_t>(kVlanPresent | 20)}),
                                       GroupAction{7}}},
                         ClearActions{}, WriteActions{{Output{PortNo{1}, 0}}}, GotoTable{1}};
  } else {
    vlan.instructions = {ApplyActions{{PopVlan{}, *SetField::of(Match{.vlan_vid = static_cast<std::uint16_t>(kVlanPresent | 20)}),
                                       *SetField::of(Match{.tcp_src = 8080}), Output{port::kInPort, 0}}}};
  }
  s.push_back({"flow_mod_vlan_modify", vlan});

  FlowRemoved rem;
  rem.cookie = 0x42;
  rem.priority = 100;
  rem.reason = 0;
  rem.duration_sec = 61;
  rem.duration_nsec = 500;
  rem.idle_timeout = 60;
  rem.hard_timeout = v13 ? 300 : 0;
  rem.packet_count = 12;
  rem.byte_count = 1500;
  rem.match = tcp_match();
  s.push_back({"flow_removed", rem});

  s.push_back({"port_status", PortStatus{port_reason::kModify, sample_port(3)}});
  s.push_back({"barrier_request", BarrierRequest{}});
  s.push_back({"barrier_reply", BarrierReply{}});
  if (v13) {
    s.push_back({"role_request", RoleRequest{ControllerRole::kMaster, 7}});
    s.push_back({"role_reply", RoleReply{ControllerRole::kMaster, 7}});
  }
  s.push_back({"desc_request", DescRequest{}});
  s.push_back({"desc_reply", DescReply{0, "Follow-Me Cloud", "emulated", "3.1.0", "0001", "dc1 switch"}});
  FlowStatsRequest fsr;
  fsr.table_id = v13 ? kTableAll : 0xff;
  fsr.match.eth_type = 0x0800;
  s.push_back({"flow_stats_request", fsr});
  FlowStatsReply fsp;
  FlowStats fs;
  fs.table_id = 0;
  fs.duration_sec = 5;
  fs.priority = 100;
  fs.idle_timeout = 60;
  fs.cookie = 0x42;
  fs.packet_count = 3;
  fs.byte_count = 294;
  fs.match = tcp_match();
  fs.instructions = {ApplyActions{{Output{PortNo{4}, 0}}}};
  fsp.stats = {fs, fs};
  s.push_back({"flow_stats_reply", fsp});
  s.push_back({"aggregate_stats_request", AggregateStatsRequest{fsr}});
  s.push_back({"aggregate_stats_reply", AggregateStatsReply{0, 10, 1000, 2}});
  s.push_back({"table_stats_request", TableStatsRequest{}});
  s.push_back({"table_stats_reply", TableStatsReply{0, {TableStats{0, 3, 100, 90}}}});
  s.push_back({"port_stats_request", PortStatsRequest{port::kAny}});
  PortStats ps;
  ps.port_no = PortNo{1};
  ps.rx_packets = 10;
  ps.tx_packets = 11;
  ps.rx_bytes = 1000;
  ps.tx_bytes = 1100;
  ps.duration_sec = v13 ? 30 : 0;
  s.push_back({"port_stats_reply", PortStatsReply{0, {ps}}});
  if (v13) {
    s.push_back({"port_desc_request", PortDescRequest{}});
    s.push_back({"port_desc_reply", PortDescReply{0, {sample_port(1), sample_port(2)}}});
    s.push_back({"role_status", RoleStatus{ControllerRole::kSlave, role_reason::kMasterRequest, 9}});
    s.push_back({"meter_mod", MeterMod{MeterModCommand::kAdd, meter_flags::kPktps | meter_flags::kBurst, 3,
                                       {MeterBand{2000, 2000}}}});
    FlowMod metered;
    metered.table_id = 3;
    metered.priority = 100;
    metered.match.in_port = PortNo{3};
    metered.instructions = {MeterInstruction{4}, ApplyActions{{Output{port::kController, 0xffff}}}};
    s.push_back({"flow_mod_metered", metered});
  }
  return s;
}

}  // namespace fmc::test_support

// Writes every sample message, per version, as raw OpenFlow bytes
// (DIR/of10/NAME.bin, DIR/of13/NAME.bin) and all of them as one pcap of a
// TCP stream from port 6653 (DIR/all.pcap), for independent decoders.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "openflow/codec.hpp"
#include "support/sample_messages.hpp"

using namespace fmc;

namespace {

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x >> 8));
  v.push_back(static_cast<std::uint8_t>(x));
}
void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  put16(v, static_cast<std::uint16_t>(x >> 16));
  put16(v, static_cast<std::uint16_t>(x));
}
void put32le(std::ofstream& f, std::uint32_t x) {
  const char b[4] = {static_cast<char>(x), static_cast<char>(x >> 8), static_cast<char>(x >> 16), static_cast<char>(x >> 24)};
  f.write(b, 4);
}

// One Ethernet/IPv4/TCP packet carrying `payload` in a stream 6653 -> client_port.
std::vector<std::uint8_t> tcp_packet(std::uint16_t client_port, std::uint32_t seq, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> p = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00};
  const std::size_t ip_start = p.size();
  p.insert(p.end(), {0x45, 0});
  put16(p, static_cast<std::uint16_t>(40 + payload.size()));
  p.insert(p.end(), {0, 0, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1});
  std::uint32_t sum = 0;
  for (std::size_t i = ip_start; i < ip_start + 20; i += 2) sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[ip_start + 10] = static_cast<std::uint8_t>(~sum >> 8);
  p[ip_start + 11] = static_cast<std::uint8_t>(~sum);
  put16(p, 6653);
  put16(p, client_port);
  put32(p, seq);
  put32(p, 1);                      // ack
  p.insert(p.end(), {0x50, 0x18});  // header length 20, PSH+ACK
  put16(p, 65535);
  p.insert(p.end(), {0, 0, 0, 0});  // checksum (unchecked), urgent
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fmc-golden-gen OUTDIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::ofstream pcap(dir / "all.pcap", std::ios::binary);
  std::filesystem::create_directories(dir);
  pcap.close();
  pcap.open(dir / "all.pcap", std::ios::binary);
  for (std::uint32_t x : {0xa1b2c3d4u}) put32le(pcap, x);
  pcap.write("\x02\x00\x04\x00", 4);  // version 2.4
  put32le(pcap, 0);
  put32le(pcap, 0);
  put32le(pcap, 65535);
  put32le(pcap, 1);  // Ethernet
  std::uint32_t ts = 1;
  for (of::Version v : {of::Version::V10, of::Version::V13}) {
    const std::string sub = v == of::Version::V10 ? "of10" : "of13";
    std::filesystem::create_directories(dir / sub);
    const std::uint16_t client_port = v == of::Version::V10 ? 40010 : 40013;
    std::uint32_t seq = 1;
    std::uint32_t xid = 1;
    for (const auto& sample : test_support::sample_messages(v)) {
      const auto bytes = of::encode_or_empty(sample.message, v, of::Xid{xid++});
      if (bytes.empty()) {
        std::fprintf(stderr, "cannot encode %s\n", sample.name.c_str());
        return 1;
      }
      std::ofstream(dir / sub / (sample.name + ".bin"), std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      const auto pkt = tcp_packet(client_port, seq, bytes);
      seq += static_cast<std::uint32_t>(bytes.size());
      put32le(pcap, ts++);
      put32le(pcap, 0);
      put32le(pcap, static_cast<std::uint32_t>(pkt.size()));
      put32le(pcap, static_cast<std::uint32_t>(pkt.size()));
      pcap.write(reinterpret_cast<const char*>(pkt.data()), static_cast<std::streamsize>(pkt.size()));
    }
  }
  return 0;
}

#pragma once
// A Datapath that records what apps send, for component tests. Each message
// is encoded and decoded again, as the wire would: the recorded copy owns its
// bytes (apps may send views of their own temporaries), and a message the
// version cannot express fails the test.
#include <deque>
#include <stdexcept>
#include <vector>

#include "controller/datapath.hpp"
#include "openflow/codec.hpp"

namespace fmc::test_support {

class FakeDatapath : public ctl::Datapath {
 public:
  explicit FakeDatapath(of::Version v = of::Version::V13, of::Dpid dpid = of::Dpid{1}) : version_(v), dpid_(dpid) {}
  of::Dpid dpid() const override { return dpid_; }
  of::Version version() const override { return version_; }
  const std::vector<of::Port>& ports() const override { return ports_; }
  of::Xid send(const of::Message& msg) override {
    const of::Xid xid{static_cast<std::uint32_t>(sent.size() + 1)};
    auto& bytes = wire_.emplace_back();
    if (!of::encode(msg, version_, xid, bytes)) throw std::runtime_error("app sent an unencodable message");
    auto env = of::decode(bytes);
    if (!env) throw std::runtime_error("app sent a message that does not decode");
    sent.push_back(std::move(env->message));
    return xid;
  }
  void barrier(ctl::BarrierCallback done) override { barriers.push_back(std::move(done)); }

  template <class T>
  std::vector<T> sent_of() const {
    std::vector<T> out;
    for (const auto& m : sent)
      if (const auto* t = std::get_if<T>(&m)) out.push_back(*t);
    return out;
  }

  std::vector<of::Message> sent;
  std::vector<ctl::BarrierCallback> barriers;

 private:
  std::deque<std::vector<std::uint8_t>> wire_;  // stable storage the recorded messages point into
  of::Version version_;
  of::Dpid dpid_;
  std::vector<of::Port> ports_;
};

}  // namespace fmc::test_support

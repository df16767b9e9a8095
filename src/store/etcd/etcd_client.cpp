#include "store/etcd/etcd_client.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "store/etcd/gateway_json.hpp"
#include "util/base64.hpp"

namespace fmc::store::etcd {

using nlohmann::json;

namespace {

EtcdError malformed(const std::string& what) { return EtcdError{EtcdError::Kind::kMalformed, what}; }

std::int64_t header_revision(const json& j) { return j.contains("header") ? integer(j["header"], "revision") : 0; }

template <class T, class F>
EtcdResult<T> parsed(const EtcdResult<std::string>& body, F&& read) {
  if (!body) return Unexpected{body.error()};
  try {
    const json j = json::parse(*body);
    if (!j.is_object()) return Unexpected{malformed("answer is not a JSON object")};
    return read(j);
  } catch (const std::exception& e) {
    return Unexpected{malformed(std::string("cannot read etcd's answer: ") + e.what())};
  }
}

}  // namespace

std::string prefix_end(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

Result<std::vector<Endpoint>, std::string> parse_endpoints(std::string_view text) {
  if (text.substr(0, 7) == "etcd://") text.remove_prefix(7);
  std::vector<Endpoint> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    Endpoint e;
    if (const auto colon = item.rfind(':'); colon != std::string_view::npos) {
      const std::string_view port = item.substr(colon + 1);
      unsigned value = 0;
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
      if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
        return Unexpected{"'" + std::string(item) + "': the port is not a number from 1 to 65535"};
      e.port = static_cast<std::uint16_t>(value);
      item = item.substr(0, colon);
    }
    if (item.empty()) return Unexpected{std::string("an etcd member without a host")};
    for (unsigned char c : item)
      if (!(std::isalnum(c) || c == '.' || c == '-')) return Unexpected{"'" + std::string(item) + "' is not a host name or IPv4 address"};
    e.host = std::string(item);
    out.push_back(std::move(e));
  }
  if (out.empty()) return Unexpected{std::string("no etcd member given")};
  return out;
}

EtcdClient::EtcdClient(std::vector<Endpoint> endpoints, Options options)
    : endpoints_(std::move(endpoints)), options_(options) {}

Endpoint EtcdClient::current() const {
  std::lock_guard lock(mu_);
  return endpoints_.at(next_ % endpoints_.size());
}

EtcdResult<std::string> EtcdClient::call(const std::string& path, const std::string& body) {
  std::lock_guard lock(mu_);
  const Deadline deadline = std::chrono::steady_clock::now() + options_.timeout;
  std::string failures;
  // Each member at most once per call, starting with the one that answered last.
  for (std::size_t tried = 0; tried < endpoints_.size(); ++tried) {
    const Endpoint& member = endpoints_[next_ % endpoints_.size()];
    // A member gets half of what is left while others remain to be tried (a dead member
    // fails fast; a live one may be waiting for its cluster to elect a leader), the last one all.
    const auto left = deadline - std::chrono::steady_clock::now();
    const Deadline until = std::chrono::steady_clock::now() + (tried + 1 < endpoints_.size() ? left / 2 : left);
    const bool reused = connection_ && connection_->usable() && connection_->endpoint() == member;
    if (!reused) {
      auto opened = Connection::open(member, until);
      if (!opened) {
        failures += (failures.empty() ? "" : "; ") + opened.error();
        connection_.reset();
        ++next_;
        continue;
      }
      connection_ = std::move(*opened);
    }
    auto reply = connection_->post(path, body, until);
    if (!reply && reused) {
      // A kept-alive connection the member has since closed (it restarted, or idled us
      // out): once more on a fresh one before giving up on the member.
      connection_.reset();
      if (auto opened = Connection::open(member, until)) {
        connection_ = std::move(*opened);
        reply = connection_->post(path, body, until);
      }
    }
    if (!reply) {
      failures += (failures.empty() ? "" : "; ") + reply.error();
      connection_.reset();
      ++next_;
      continue;
    }
    if (reply->status == 200) return reply->body;
    // A member that answers with an error (no leader, request too large, ...) is not skipped
    // for the next: the error is the cluster's, not the connection's.
    std::string message = reply->body;
    try {
      const json j = json::parse(reply->body);
      if (j.is_object() && j.contains("message") && j["message"].is_string()) message = j["message"].get<std::string>();
      else if (j.is_object() && j.contains("error") && j["error"].is_string()) message = j["error"].get<std::string>();
    } catch (const std::exception&) {
    }
    return Unexpected{EtcdError{EtcdError::Kind::kRefused,
                                member.to_string() + " answered " + std::to_string(reply->status) + ": " + message,
                                reply->status}};
  }
  return Unexpected{EtcdError{EtcdError::Kind::kUnavailable, "no etcd member answered: " + failures}};
}

EtcdResult<std::int64_t> EtcdClient::put(const std::string& key, const std::string& value, std::int64_t lease) {
  if (value.size() > options_.max_value) return Unexpected{EtcdError{EtcdError::Kind::kRefused, "value of " + key + " too large"}};
  json req{{"key", base64_encode(key)}, {"value", base64_encode(value)}};
  if (lease) req["lease"] = std::to_string(lease);
  return parsed<std::int64_t>(call("/v3/kv/put", req.dump()), [](const json& j) { return header_revision(j); });
}

EtcdResult<std::optional<KeyValue>> EtcdClient::get(const std::string& key) {
  const json req{{"key", base64_encode(key)}};
  return parsed<std::optional<KeyValue>>(call("/v3/kv/range", req.dump()), [](const json& j) -> std::optional<KeyValue> {
    if (!j.contains("kvs") || j["kvs"].empty()) return std::nullopt;
    return key_value(j["kvs"].at(0));
  });
}

EtcdResult<Range> EtcdClient::range_prefix(const std::string& prefix, const std::string& from_key) {
  const json req{{"key", base64_encode(from_key.empty() ? prefix : from_key)}, {"range_end", base64_encode(prefix_end(prefix))}};
  return parsed<Range>(call("/v3/kv/range", req.dump()), [](const json& j) {
    Range r;
    r.revision = header_revision(j);
    if (j.contains("kvs"))
      for (const auto& kv : j["kvs"]) r.kvs.push_back(key_value(kv));
    return r;
  });
}

EtcdResult<std::int64_t> EtcdClient::erase(const std::string& key) {
  const json req{{"key", base64_encode(key)}};
  return parsed<std::int64_t>(call("/v3/kv/deleterange", req.dump()), [](const json& j) { return header_revision(j); });
}

EtcdResult<std::int64_t> EtcdClient::erase_range(const std::string& from_key, const std::string& to_key) {
  const json req{{"key", base64_encode(from_key)}, {"range_end", base64_encode(to_key)}};
  return parsed<std::int64_t>(call("/v3/kv/deleterange", req.dump()), [](const json& j) { return header_revision(j); });
}

EtcdResult<Swap> EtcdClient::put_if(const std::string& key, const std::string& value, std::int64_t expected,
                                    std::int64_t lease) {
  const std::string k = base64_encode(key);
  json put{{"key", k}, {"value", base64_encode(value)}};
  if (lease) put["lease"] = std::to_string(lease);
  // mod_revision of an absent key compares as 0.
  const json req{
      {"compare", json::array({{{"key", k}, {"target", "MOD"}, {"result", "EQUAL"}, {"mod_revision", std::to_string(expected)}}})},
      {"success", json::array({{{"request_put", put}}})},
      {"failure", json::array({{{"request_range", {{"key", k}}}}})}};
  return parsed<Swap>(call("/v3/kv/txn", req.dump()), [](const json& j) {
    Swap s;
    s.revision = header_revision(j);
    s.done = j.value("succeeded", false);
    if (!s.done && j.contains("responses") && !j["responses"].empty()) {
      const json& range = j["responses"].at(0).value("response_range", json::object());
      if (range.contains("kvs") && !range["kvs"].empty()) s.current = key_value(range["kvs"].at(0));
    }
    return s;
  });
}

EtcdResult<EtcdClient::Committed> EtcdClient::commit(const std::vector<Write>& writes) {
  json ops = json::array(), compare = json::array();
  for (const auto& w : writes) {
    if (w.if_revision)
      compare.push_back({{"key", base64_encode(w.key)}, {"target", "MOD"}, {"result", "EQUAL"}, {"mod_revision", std::to_string(*w.if_revision)}});
    if (w.value && w.value->size() > options_.max_value)
      return Unexpected{EtcdError{EtcdError::Kind::kRefused, "value of " + w.key + " too large"}};
    if (w.value) ops.push_back({{"request_put", {{"key", base64_encode(w.key)}, {"value", base64_encode(*w.value)}}}});
    else ops.push_back({{"request_delete_range", {{"key", base64_encode(w.key)}}}});
  }
  json req{{"success", ops}};
  if (!compare.empty()) req["compare"] = compare;
  return parsed<Committed>(call("/v3/kv/txn", req.dump()), [](const json& j) {
    return Committed{j.value("succeeded", false), header_revision(j)};
  });
}

EtcdResult<std::int64_t> EtcdClient::grant_lease(std::chrono::seconds ttl) {
  const json req{{"TTL", std::to_string(ttl.count())}};
  return parsed<std::int64_t>(call("/v3/lease/grant", req.dump()), [](const json& j) {
    if (j.contains("error") && j["error"].is_string() && !j["error"].get<std::string>().empty())
      throw std::invalid_argument(j["error"].get<std::string>());
    return integer(j, "ID");
  });
}

EtcdResult<std::int64_t> EtcdClient::keep_alive(std::int64_t lease) {
  const json req{{"ID", std::to_string(lease)}};
  // The gateway answers a keep-alive stream message as {"result": {...}}.
  return parsed<std::int64_t>(call("/v3/lease/keepalive", req.dump()), [](const json& j) {
    return integer(j.contains("result") ? j["result"] : j, "TTL");
  });
}

EtcdResult<Ok> EtcdClient::revoke(std::int64_t lease) {
  const json req{{"ID", std::to_string(lease)}};
  return parsed<Ok>(call("/v3/lease/revoke", req.dump()), [](const json&) { return Ok{}; });
}

}  // namespace fmc::store::etcd

#include "store/etcd/watcher.hpp"

#include <nlohmann/json.hpp>

#include "store/etcd/gateway_json.hpp"
#include "util/base64.hpp"

namespace fmc::store::etcd {

using nlohmann::json;

namespace {
constexpr std::size_t kMaxMessage = 64 * 1024 * 1024;

}  // namespace

std::vector<std::string> WatchStream::feed(std::string_view bytes) {
  std::vector<std::string> out;
  buffer_.append(bytes);
  std::size_t i = scanned_;
  while (i < buffer_.size()) {
    const char c = buffer_[i];
    if (depth_ == 0 && c != '{') {  // between messages (newlines): dropped
      buffer_.erase(0, i + 1);
      i = 0;
      continue;
    }
    ++i;
    if (in_string_) {
      if (escaped_) escaped_ = false;
      else if (c == '\\') escaped_ = true;
      else if (c == '"') in_string_ = false;
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{') {
      ++depth_;
    } else if (c == '}' && --depth_ == 0) {
      out.push_back(buffer_.substr(0, i));  // a message always starts the buffer
      buffer_.erase(0, i);
      i = 0;
    }
  }
  scanned_ = buffer_.size();
  return out;
}

Watcher::Watcher(std::vector<Endpoint> endpoints, std::string prefix, std::int64_t from_revision, Handlers handlers,
                 std::chrono::milliseconds retry)
    : endpoints_(std::move(endpoints)),
      prefix_(std::move(prefix)),
      handlers_(std::move(handlers)),
      retry_(retry),
      next_(from_revision),
      thread_([this] { run(); }) {}

Watcher::~Watcher() {
  stop_ = true;
  {
    std::lock_guard lock(mu_);
    if (live_) live_->shutdown();
  }
  thread_.join();
}

void Watcher::run() {
  std::size_t member = 0;
  while (!stop_) {
    const std::string why = follow(endpoints_[member % endpoints_.size()]);
    if (stop_) break;
    if (handlers_.status) handlers_.status(false, why);
    ++member;
    const auto until = std::chrono::steady_clock::now() + retry_;
    while (!stop_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Watcher::follow(const Endpoint& member) {
  auto opened = Connection::open(member, std::chrono::steady_clock::now() + std::chrono::seconds(2));
  if (!opened) return opened.error();
  std::unique_ptr<Connection> c = std::move(*opened);
  {
    std::lock_guard lock(mu_);
    if (stop_) return "stopped";
    live_ = c.get();
  }
  struct Unlive {
    Watcher* w;
    ~Unlive() {
      std::lock_guard lock(w->mu_);
      w->live_ = nullptr;
    }
  } unlive{this};
  const json req{{"create_request",
                  {{"key", base64_encode(prefix_)}, {"range_end", base64_encode(prefix_end(prefix_))},
                   {"start_revision", std::to_string(next_.load())}, {"progress_notify", true}}}};
  if (auto sent = c->send_request("/v3/watch", req.dump(), std::chrono::steady_clock::now() + std::chrono::seconds(2)); !sent)
    return sent.error();
  WatchStream stream;
  bool announced = false;
  while (!stop_) {
    auto got = c->read_some(std::chrono::steady_clock::now() + std::chrono::milliseconds(250));
    if (!got) return got.error();
    if (c->status() != 0 && c->status() != 200) return member.to_string() + " answered the watch with " + std::to_string(c->status());
    for (const auto& message : stream.feed(*got)) {
      try {
        handle(message);
      } catch (const std::exception& e) {
        return std::string("unreadable watch message: ") + e.what();
      }
      if (!announced && handlers_.status) handlers_.status(true, member.to_string());
      announced = true;
    }
    if (stream.pending() > kMaxMessage) return "a watch message over the limit";
  }
  return "stopped";
}

void Watcher::handle(const std::string& message) {
  const json j = json::parse(message);
  if (j.contains("error")) throw std::invalid_argument(j["error"].dump());
  const json& r = j.contains("result") ? j["result"] : j;
  if (const std::int64_t compacted = integer(r, "compact_revision"); compacted > 0) {
    // What we asked for is gone; the owner reloads and we go on from after the compaction.
    next_ = compacted;
    if (handlers_.compacted) handlers_.compacted(compacted);
    throw std::invalid_argument("compacted");
  }
  const std::int64_t revision = r.contains("header") ? integer(r["header"], "revision") : 0;
  if (!r.contains("events")) return;  // created, or progress
  std::vector<WatchEvent> events;
  for (const auto& e : r["events"]) {
    WatchEvent w;
    w.type = e.value("type", std::string("PUT")) == "DELETE" ? WatchEvent::Type::kDelete : WatchEvent::Type::kPut;
    const json& kv = e.at("kv");
    w.kv = key_value(kv);
    events.push_back(std::move(w));
  }
  if (events.empty()) return;
  const std::int64_t last = events.back().kv.mod_revision;
  if (handlers_.events) handlers_.events(events, revision);
  next_ = last + 1;
}

}  // namespace fmc::store::etcd

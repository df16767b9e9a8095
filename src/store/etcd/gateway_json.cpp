#include "store/etcd/gateway_json.hpp"

#include <charconv>
#include <stdexcept>

#include "util/base64.hpp"

namespace fmc::store::etcd {

std::int64_t integer(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return 0;
  const nlohmann::json& v = j[key];
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (!v.is_string()) throw std::invalid_argument(std::string(key) + " is not an integer");
  const auto& s = v.get_ref<const std::string&>();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size()) throw std::invalid_argument(std::string(key) + " is not an integer");
  return out;
}

std::string bytes(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  if (!j[key].is_string()) throw std::invalid_argument(std::string(key) + " is not a string");
  auto decoded = base64_decode(j[key].get_ref<const std::string&>());
  if (!decoded) throw std::invalid_argument(std::string(key) + " is not base64");
  return *decoded;
}

KeyValue key_value(const nlohmann::json& j) {
  return KeyValue{bytes(j, "key"),           bytes(j, "value"),           integer(j, "create_revision"),
                  integer(j, "mod_revision"), integer(j, "version"), integer(j, "lease")};
}

}  // namespace fmc::store::etcd

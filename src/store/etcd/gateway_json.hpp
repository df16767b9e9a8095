#pragma once
// How etcd's JSON gateway writes protobuf values: 64-bit integers as
// strings ("revision": "12"), bytes in base64. The readers throw
// std::invalid_argument on a value of the wrong shape; their callers turn
// that into an error value.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "store/etcd/etcd_client.hpp"

namespace fmc::store::etcd {

std::int64_t integer(const nlohmann::json& j, const char* key);  // absent: 0
std::string bytes(const nlohmann::json& j, const char* key);     // absent: ""
KeyValue key_value(const nlohmann::json& j);

}  // namespace fmc::store::etcd

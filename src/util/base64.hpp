#pragma once
// Base64 (RFC 4648, standard alphabet, padded): how etcd's JSON gateway
// carries keys and values. Pure; decoding refuses anything malformed.
#include <optional>
#include <string>
#include <string_view>

namespace fmc {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace fmc

#pragma once
// Codec errors carry the protocol's own (type, code) pair so that a decode
// failure can be answered with the exact OFPT_ERROR. Values follow
// OpenFlow 1.3; the 1.0 encoder maps the few that differ.
#include <cstdint>

#include "util/result.hpp"

namespace fmc::of {

enum class ErrorType : std::uint16_t {
  kHelloFailed = 0,
  kBadRequest = 1,
  kBadAction = 2,
  kBadInstruction = 3,
  kBadMatch = 4,
  kFlowModFailed = 5,
};

namespace code {
inline constexpr std::uint16_t kHelloIncompatible = 0;
inline constexpr std::uint16_t kBadVersion = 0;
inline constexpr std::uint16_t kBadType = 1;
inline constexpr std::uint16_t kBadMultipart = 2;
inline constexpr std::uint16_t kBadExperimenter = 3;
inline constexpr std::uint16_t kBadLen = 6;
inline constexpr std::uint16_t kBadActionType = 0;
inline constexpr std::uint16_t kBadActionLen = 1;
inline constexpr std::uint16_t kBadOutPort = 4;
inline constexpr std::uint16_t kBadArgument = 5;
inline constexpr std::uint16_t kBadSetType = 13;
inline constexpr std::uint16_t kUnknownInstruction = 0;
inline constexpr std::uint16_t kBadInstructionLen = 6;
inline constexpr std::uint16_t kBadMatchType = 0;
inline constexpr std::uint16_t kBadMatchLen = 1;
inline constexpr std::uint16_t kBadField = 6;
inline constexpr std::uint16_t kBadMask = 8;
inline constexpr std::uint16_t kDupField = 10;
}  // namespace code

struct OfError {
  ErrorType type;
  std::uint16_t code;
  const char* reason;  // static string, for logs and tests
};

template <class T>
using OfResult = Result<T, OfError>;

inline Unexpected<OfError> fail(ErrorType t, std::uint16_t c, const char* why) {
  return Unexpected<OfError>{OfError{t, c, why}};
}
inline Unexpected<OfError> bad_len(const char* why) {
  return fail(ErrorType::kBadRequest, code::kBadLen, why);
}

}  // namespace fmc::of

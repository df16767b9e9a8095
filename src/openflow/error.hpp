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
  kMeterModFailed = 12,
};

// One error the protocol defines: a type and a code that means something
// only within that type (code 0 is a bad version under BAD_REQUEST but an
// incompatible hello under HELLO_FAILED), so the two travel together.
struct ErrorCode {
  ErrorType type;
  std::uint16_t value;
  bool operator==(const ErrorCode&) const = default;
};

namespace code {
inline constexpr ErrorCode kHelloIncompatible{ErrorType::kHelloFailed, 0};
inline constexpr ErrorCode kBadVersion{ErrorType::kBadRequest, 0};
inline constexpr ErrorCode kBadType{ErrorType::kBadRequest, 1};
inline constexpr ErrorCode kBadMultipart{ErrorType::kBadRequest, 2};
inline constexpr ErrorCode kBadExperimenter{ErrorType::kBadRequest, 3};
inline constexpr ErrorCode kBadLen{ErrorType::kBadRequest, 6};
inline constexpr ErrorCode kBadActionType{ErrorType::kBadAction, 0};
inline constexpr ErrorCode kBadActionLen{ErrorType::kBadAction, 1};
inline constexpr ErrorCode kBadOutPort{ErrorType::kBadAction, 4};
inline constexpr ErrorCode kBadArgument{ErrorType::kBadAction, 5};
inline constexpr ErrorCode kBadSetType{ErrorType::kBadAction, 13};
inline constexpr ErrorCode kUnknownInstruction{ErrorType::kBadInstruction, 0};
inline constexpr ErrorCode kBadInstructionLen{ErrorType::kBadInstruction, 6};
inline constexpr ErrorCode kBadMatchType{ErrorType::kBadMatch, 0};
inline constexpr ErrorCode kBadMatchLen{ErrorType::kBadMatch, 1};
inline constexpr ErrorCode kBadField{ErrorType::kBadMatch, 6};
inline constexpr ErrorCode kBadMask{ErrorType::kBadMatch, 8};
inline constexpr ErrorCode kDupField{ErrorType::kBadMatch, 10};
inline constexpr ErrorCode kTableFull{ErrorType::kFlowModFailed, 1};  // OFPFMFC_TABLE_FULL (1.3)
inline constexpr ErrorCode kBadFlowModCommand{ErrorType::kFlowModFailed, 6};
inline constexpr ErrorCode kBadMeterCommand{ErrorType::kMeterModFailed, 4};
inline constexpr ErrorCode kBadBand{ErrorType::kMeterModFailed, 8};
}  // namespace code

struct OfError {
  ErrorCode code;
  const char* reason;  // static string, for logs and tests
  ErrorType type() const { return code.type; }
};

template <class T>
using OfResult = Result<T, OfError>;

inline Unexpected<OfError> fail(ErrorCode c, const char* why) { return Unexpected<OfError>{OfError{c, why}}; }
inline Unexpected<OfError> bad_len(const char* why) { return fail(code::kBadLen, why); }

}  // namespace fmc::of

#pragma once
// Actions and instructions, version-independent. OpenFlow 1.0 has no
// instructions: its action list is modelled as a single ApplyActions.
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "openflow/error.hpp"
#include "openflow/match.hpp"
#include "openflow/types.hpp"
#include "util/inline_vector.hpp"
#include "util/recycling_allocator.hpp"

namespace fmc::of {

struct Output {
  PortNo port;
  std::uint16_t max_len = kControllerMaxLenNoBuffer;
  bool operator==(const Output&) const = default;
};
// Sets one header field, never masked: `value` right-aligned in 64 bits (a MAC
// in the low 48). Held compactly, not as a Match: a move builds dozens of them.
struct SetField {
  OxmField field = OxmField::kEthDst;
  std::uint64_t value = 0;

  static SetField mac(OxmField f, const net::MacAddr& m) { return {f, m.as_u64()}; }
  static SetField ipv4(OxmField f, net::Ipv4Addr a) { return {f, a.value}; }
  // The one unmasked field `m` holds; nullopt for none, several or a mask.
  static std::optional<SetField> of(const Match& m);
  // The field as a one-field Match (how it is encoded).
  Match as_match() const;
  bool operator==(const SetField&) const = default;
};
struct PushVlan {
  std::uint16_t ethertype = 0x8100;
  bool operator==(const PushVlan&) const = default;
};
struct PopVlan {
  bool operator==(const PopVlan&) const = default;
};
struct GroupAction {
  std::uint32_t group_id = 0;
  bool operator==(const GroupAction&) const = default;
};

using Action = std::variant<Output, SetField, PushVlan, PopVlan, GroupAction>;
// Inline room for the four actions the longest flow here has (a tunnel's way home).
using ActionList = InlineVector<Action, 4>;

struct ApplyActions {
  ActionList actions;
  bool operator==(const ApplyActions&) const = default;
};
struct WriteActions {
  ActionList actions;
  bool operator==(const WriteActions&) const = default;
};
struct ClearActions {
  bool operator==(const ClearActions&) const = default;
};
struct GotoTable {
  std::uint8_t table_id = 0;
  bool operator==(const GotoTable&) const = default;
};

// 1.3: the flow's packets pass meter `meter_id` first (dropped over its rate).
struct MeterInstruction {
  std::uint32_t meter_id = 0;
  bool operator==(const MeterInstruction&) const = default;
};

using Instruction = std::variant<ApplyActions, WriteActions, ClearActions, GotoTable, MeterInstruction>;
// Recycled: a move builds and drops about eight of these (util/recycling_allocator.hpp).
using InstructionList = std::vector<Instruction, RecyclingAllocator<Instruction>>;

OfResult<Ok> encode_actions(const ActionList& actions, Version v, ByteWriter& w);
OfResult<ActionList> decode_actions(Bytes data, Version v);

// OpenFlow 1.3 instructions.
OfResult<Ok> encode_instructions(const InstructionList& list, ByteWriter& w);
OfResult<InstructionList> decode_instructions(Bytes data);

// OpenFlow 1.0 view of an instruction list: the actions of its only
// ApplyActions, or an error if it holds anything 1.0 cannot express.
OfResult<const ActionList*> actions_for_v10(const InstructionList& list);
InstructionList instructions_from_v10(ActionList actions);

}  // namespace fmc::of

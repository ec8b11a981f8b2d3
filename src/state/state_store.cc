#include "state/state_store.h"

namespace tw::state {

const char* OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kFailed:
      return "failed";
    case OutboxState::kSuppressed:
      return "suppressed";
  }
  return "unknown";
}

std::optional<OutboxState> ParseOutboxState(std::string_view name) {
  for (OutboxState state : {OutboxState::kPending, OutboxState::kDelivered, OutboxState::kFailed,
                            OutboxState::kSuppressed}) {
    if (name == OutboxStateName(state)) return state;
  }
  return std::nullopt;
}

}  // namespace tw::state

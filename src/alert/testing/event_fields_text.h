// The event fields of an alert as one line, for tests that compare alerts of two paths (the
// index against exhaustive evaluation): a field that differs anywhere shows up. Tests only.
#pragma once

#include <fmt/format.h>

#include <string>

#include "alert/alert.h"

namespace tw::alert::testing {

inline std::string EventFieldsText(const Alert& a) {
  return fmt::format(
      "id={:?} name={:?} source={:?} time={:?} region={:?} account={:?} actor={:?} "
      "ip={:?} agent={:?} code={:?} message={:?} present={:#x}",
      a.event_id, a.event_name, a.event_source, a.event_time, a.aws_region, a.account_id, a.actor,
      a.source_ip, a.user_agent, a.error_code, a.error_message, a.present_fields);
}

}  // namespace tw::alert::testing

// AlertFormatter: appends an alert's JSON object to a string. The webhook and file sinks take
// one, so that they write exactly `scan --format json`'s alert object (alert/format.h
// AppendAlertJson) without the sinks depending on where that formatter lives.
#pragma once

#include <functional>
#include <string>

#include "alert/alert.h"

namespace tw::sinks {

using AlertFormatter = std::function<void(const alert::Alert&, std::string&)>;

}  // namespace tw::sinks

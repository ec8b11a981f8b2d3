#include "decode/cwl_subscription.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "decode/base64.h"
#include "decode/gzip.h"

namespace tw::decode {
namespace {

namespace dom = simdjson::dom;

dom::parser& ThreadParser() {
  thread_local dom::parser parser;
  return parser;
}

tl::unexpected<Error> FieldError(std::string_view field, std::string_view what) {
  return Fail(ErrorCode::kParse, fmt::format("{}: {}", field, what));
}

// Reads the optional string member `key` of `object` into `out`.
Result<void> OptionalString(dom::object object, std::string_view key, std::string& out) {
  dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return Ok();
  std::string_view s;
  if (value.get_string().get(s) != simdjson::SUCCESS) return FieldError(key, "expected a string");
  out.assign(s);
  return Ok();
}

Result<CwlLogEvent> ParseLogEvent(dom::element element, std::size_t index) {
  const auto field = [index](std::string_view name) {
    return fmt::format("logEvents[{}]{}{}", index, name.empty() ? "" : ".", name);
  };
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return FieldError(field(""), "expected an object");
  }
  CwlLogEvent event;
  std::string_view s;
  if (object.at_key("id").get_string().get(s) != simdjson::SUCCESS) {
    return FieldError(field("id"), "expected a string");
  }
  event.id.assign(s);
  dom::element timestamp;
  if (object.at_key("timestamp").get(timestamp) != simdjson::SUCCESS ||
      timestamp.get_int64().get(event.timestamp_ms) != simdjson::SUCCESS) {
    return FieldError(field("timestamp"), "expected an integer (milliseconds)");
  }
  if (object.at_key("message").get_string().get(s) != simdjson::SUCCESS) {
    return FieldError(field("message"), "expected a string");
  }
  event.message.assign(s);
  return event;
}

Result<CwlSubscription> ParseRoot(dom::element root) {
  dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return FieldError("cwl subscription", "expected a JSON object");
  }
  CwlSubscription result;

  std::string_view message_type;
  if (object.at_key("messageType").get_string().get(message_type) != simdjson::SUCCESS) {
    return FieldError("messageType", "expected a string");
  }
  if (message_type == "DATA_MESSAGE") {
    result.message_type = CwlMessageType::kData;
  } else if (message_type == "CONTROL_MESSAGE") {
    result.message_type = CwlMessageType::kControl;
  } else {
    return FieldError("messageType",
                      fmt::format("unknown value \"{}\" (expected DATA_MESSAGE or CONTROL_MESSAGE)",
                                  message_type.substr(0, 64)));
  }

  if (auto r = OptionalString(object, "owner", result.owner); !r) return tl::unexpected(r.error());
  if (auto r = OptionalString(object, "logGroup", result.log_group); !r) {
    return tl::unexpected(r.error());
  }
  if (auto r = OptionalString(object, "logStream", result.log_stream); !r) {
    return tl::unexpected(r.error());
  }

  dom::element filters;
  if (object.at_key("subscriptionFilters").get(filters) == simdjson::SUCCESS) {
    dom::array array;
    if (filters.get_array().get(array) != simdjson::SUCCESS) {
      return FieldError("subscriptionFilters", "expected an array of strings");
    }
    std::size_t i = 0;
    for (dom::element item : array) {
      std::string_view s;
      if (item.get_string().get(s) != simdjson::SUCCESS) {
        return FieldError(fmt::format("subscriptionFilters[{}]", i), "expected a string");
      }
      result.subscription_filters.emplace_back(s);
      ++i;
    }
  }

  dom::array events;
  if (object.at_key("logEvents").get_array().get(events) != simdjson::SUCCESS) {
    return FieldError("logEvents", "expected an array");
  }
  result.log_events.reserve(events.size());
  std::size_t i = 0;
  for (dom::element item : events) {
    Result<CwlLogEvent> event = ParseLogEvent(item, i);
    if (event) {
      result.log_events.push_back(std::move(*event));
    } else {
      // One malformed entry costs that entry only: it is kept, marked, in its place.
      CwlLogEvent bad;
      bad.error = std::move(event.error());
      result.log_events.push_back(std::move(bad));
    }
    ++i;
  }
  return result;
}

}  // namespace

Result<CwlSubscription> ParseCwlSubscription(std::string_view json) {
  dom::element root;
  // realloc_if_needed: the view carries no padding guarantee, so simdjson copies it.
  // (An empty view may hold a null pointer, which simdjson would pass to memcpy.)
  const char* text = json.empty() ? "" : json.data();
  if (const auto error = ThreadParser().parse(text, json.size(), true).get(root);
      error != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse,
                fmt::format("cwl subscription: invalid JSON: {}", simdjson::error_message(error)));
  }
  return ParseRoot(root);
}

Result<CwlSubscription> DecodeCwlLambdaEvent(std::string_view json) {
  std::string payload;
  {
    dom::element root;
    // (An empty view may hold a null pointer, which simdjson would pass to memcpy.)
    const char* text = json.empty() ? "" : json.data();
    if (const auto error = ThreadParser().parse(text, json.size(), true).get(root);
        error != simdjson::SUCCESS) {
      return Fail(ErrorCode::kParse, fmt::format("cwl lambda event: invalid JSON: {}",
                                                 simdjson::error_message(error)));
    }
    dom::object awslogs;
    if (root.at_key("awslogs").get_object().get(awslogs) != simdjson::SUCCESS) {
      return FieldError("awslogs", "expected an object");
    }
    std::string_view data;
    if (awslogs.at_key("data").get_string().get(data) != simdjson::SUCCESS) {
      return FieldError("awslogs.data", "expected a string");
    }
    // Decode before the parser is reused: `data` points into the parser's string buffer.
    std::string compressed;
    if (auto r = Base64DecodeAppend(data, compressed); !r) {
      return Fail(r.error().code, fmt::format("awslogs.data: {}", r.error().message));
    }
    if (auto r = Gunzip(compressed, payload, kMaxCwlPayloadBytes); !r) {
      return Fail(r.error().code, fmt::format("awslogs.data: {}", r.error().message));
    }
  }
  dom::element root;
  // Gunzip leaves kJsonPadding spare capacity, so the std::string overload parses in place.
  if (const auto error = ThreadParser().parse(payload).get(root); error != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, fmt::format("awslogs.data: decoded payload: invalid JSON: {}",
                                               simdjson::error_message(error)));
  }
  Result<CwlSubscription> result = ParseRoot(root);
  if (!result) {
    return Fail(result.error().code,
                fmt::format("awslogs.data: decoded payload: {}", result.error().message));
  }
  return result;
}

}  // namespace tw::decode

#include "alert/record_fields.h"

#include <functional>

namespace tw::alert {
namespace {

using Getter = std::function<std::string(const Alert&)>;

const std::vector<std::pair<std::string_view, Getter>>& Getters() {
  static const auto* getters = new std::vector<std::pair<std::string_view, Getter>>{
      {"id", [](const Alert& a) { return a.id; }},
      {"rule_id", [](const Alert& a) { return a.rule_id; }},
      {"rule_title", [](const Alert& a) { return a.rule_title; }},
      {"severity", [](const Alert& a) { return std::string(rules::SeverityName(a.severity)); }},
      {"event_id", [](const Alert& a) { return a.event_id; }},
      {"event_name", [](const Alert& a) { return a.event_name; }},
      {"event_source", [](const Alert& a) { return a.event_source; }},
      {"event_time", [](const Alert& a) { return a.event_time; }},
      {"aws_region", [](const Alert& a) { return a.aws_region; }},
      {"account_id", [](const Alert& a) { return a.account_id; }},
      {"actor", [](const Alert& a) { return a.actor; }},
      {"source_ip", [](const Alert& a) { return a.source_ip; }},
      {"user_agent", [](const Alert& a) { return a.user_agent; }},
      {"error_code", [](const Alert& a) { return a.error_code; }},
      {"error_message", [](const Alert& a) { return a.error_message; }},
      {"input_file", [](const Alert& a) { return a.input_file; }},
      {"actor_email", [](const Alert& a) { return a.actor_email; }},
      {"account_name", [](const Alert& a) { return a.account_name; }},
      {"local_time", [](const Alert& a) { return a.local_time; }},
  };
  return *getters;
}

void Collect(simdjson::dom::element el, std::string_view path, std::vector<std::string>& out) {
  simdjson::dom::array arr;
  if (el.get_array().get(arr) == simdjson::SUCCESS) {
    for (simdjson::dom::element item : arr) Collect(item, path, out);
    return;
  }
  if (path.empty()) {
    switch (el.type()) {
      case simdjson::dom::element_type::STRING:
        out.emplace_back(el.get_string().value_unsafe());
        break;
      case simdjson::dom::element_type::INT64:
        out.push_back(std::to_string(el.get_int64().value_unsafe()));
        break;
      case simdjson::dom::element_type::UINT64:
        out.push_back(std::to_string(el.get_uint64().value_unsafe()));
        break;
      case simdjson::dom::element_type::DOUBLE:
        out.push_back(simdjson::to_string(el));
        break;
      case simdjson::dom::element_type::BOOL:
        out.emplace_back(el.get_bool().value_unsafe() ? "true" : "false");
        break;
      default:  // null, object
        break;
    }
    return;
  }
  if (!el.is_object()) return;
  const size_t dot = path.find('.');
  const std::string_view key = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  simdjson::dom::element child;
  if (el.get_object().value_unsafe()[key].get(child) != simdjson::SUCCESS) return;
  Collect(child, rest, out);
}

}  // namespace

const std::vector<std::string_view>& AlertFieldNames() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string_view>;
    for (const auto& [name, _] : Getters()) v->push_back(name);
    return v;
  }();
  return *names;
}

std::optional<std::string> AlertField(const Alert& alert, std::string_view name) {
  for (const auto& [n, get] : Getters()) {
    if (n == name) return get(alert);
  }
  return std::nullopt;
}

Result<void> RecordFields::Load(const Alert& alert) {
  alert_ = &alert;
  // Alerts of one record (several rules matching one event) come one after the other: the
  // record parsed for the previous alert is the same document.
  if (has_root_ && alert.record_json == parsed_json_) return Ok();
  has_root_ = false;
  if (parser_.Parse(alert.record_json, /*padded=*/false, root_) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "the alert's record is not JSON");
  }
  parsed_json_.assign(alert.record_json);
  has_root_ = true;
  return Ok();
}

std::vector<std::string> RecordFields::Values(std::string_view name) const {
  std::vector<std::string> out;
  if (alert_ != nullptr) {
    if (auto v = AlertField(*alert_, name)) {
      if (!v->empty()) out.push_back(std::move(*v));
      return out;
    }
  }
  if (has_root_ && !name.empty()) Collect(root_, name, out);
  return out;
}

std::string RecordFields::First(std::string_view name) const {
  auto values = Values(name);
  return values.empty() ? std::string() : std::move(values.front());
}

namespace {

// Calls on_text(text) and on_name(name) in order; stops at the first error.
template <typename OnText, typename OnName>
Result<void> WalkTemplate(std::string_view t, OnText on_text, OnName on_name) {
  size_t i = 0;
  while (i < t.size()) {
    const char c = t[i];
    if (c == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      on_text("{");
      i += 2;
    } else if (c == '}' && i + 1 < t.size() && t[i + 1] == '}') {
      on_text("}");
      i += 2;
    } else if (c == '{') {
      const size_t end = t.find('}', i + 1);
      if (end == std::string_view::npos) {
        return Fail(ErrorCode::kInvalidArgument,
                    "key template: \"{\" at offset " + std::to_string(i) + " is never closed");
      }
      const std::string_view name = t.substr(i + 1, end - i - 1);
      if (name.empty() || name.find('{') != std::string_view::npos) {
        return Fail(ErrorCode::kInvalidArgument,
                    "key template: empty or malformed field name at offset " + std::to_string(i));
      }
      on_name(name);
      i = end + 1;
    } else {
      on_text(t.substr(i, 1));
      ++i;
    }
  }
  return Ok();
}

}  // namespace

Result<std::string> RenderKeyTemplate(std::string_view tmpl, const RecordFields& fields) {
  std::string out;
  auto r = WalkTemplate(
      tmpl, [&](std::string_view text) { out.append(text); },
      [&](std::string_view name) { out += fields.First(name); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<void> CheckKeyTemplate(std::string_view tmpl) {
  return WalkTemplate(
      tmpl, [](std::string_view) {}, [](std::string_view) {});
}

}  // namespace tw::alert

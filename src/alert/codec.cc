#include "alert/codec.h"

#include <simdjson.h>

#include "common/strings.h"

namespace tw::alert {
namespace {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void Key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_.append(k);
    out_ += "\":";
  }
  void Str(std::string_view k, std::string_view v) {
    Key(k);
    out_ += '"';
    AppendJsonEscaped(out_, v);
    out_ += '"';
  }
  void Num(std::string_view k, int64_t v) {
    Key(k);
    out_ += std::to_string(v);
  }
  void UNum(std::string_view k, uint64_t v) {
    Key(k);
    out_ += std::to_string(v);
  }
  void Bool(std::string_view k, bool v) {
    Key(k);
    out_ += v ? "true" : "false";
  }

 private:
  std::string& out_;
  bool first_ = true;
};

using simdjson::dom::element;
using simdjson::dom::object;

Error BadField(std::string_view key, const char* want) {
  return Error{ErrorCode::kParse, "alert payload: \"" + std::string(key) + "\" must be " + want};
}

Result<void> ReadString(element v, std::string_view key, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return tl::unexpected(BadField(key, "a string"));
  out.assign(s);
  return Ok();
}

Result<void> ReadUInt(element v, std::string_view key, uint64_t& out) {
  if (v.get_uint64().get(out) != simdjson::SUCCESS) {
    return tl::unexpected(BadField(key, "a non-negative integer"));
  }
  return Ok();
}

Result<void> ReadInt(element v, std::string_view key, int& out) {
  int64_t x;
  if (v.get_int64().get(x) != simdjson::SUCCESS || x < INT32_MIN || x > INT32_MAX) {
    return tl::unexpected(BadField(key, "an integer"));
  }
  out = static_cast<int>(x);
  return Ok();
}

Result<void> ReadBool(element v, std::string_view key, bool& out) {
  if (v.get_bool().get(out) != simdjson::SUCCESS) return tl::unexpected(BadField(key, "a boolean"));
  return Ok();
}

Result<SecurityGroupChange> ReadChange(element v) {
  object o;
  if (v.get_object().get(o) != simdjson::SUCCESS) {
    return tl::unexpected(BadField("security_group_changes[]", "an object"));
  }
  SecurityGroupChange c;
  for (auto [k, val] : o) {
    Result<void> r = Ok();
    if (k == "action")
      r = ReadString(val, k, c.action);
    else if (k == "direction")
      r = ReadString(val, k, c.direction);
    else if (k == "group")
      r = ReadString(val, k, c.group);
    else if (k == "protocol")
      r = ReadString(val, k, c.protocol);
    else if (k == "from_port")
      r = ReadInt(val, k, c.from_port);
    else if (k == "to_port")
      r = ReadInt(val, k, c.to_port);
    else if (k == "peer")
      r = ReadString(val, k, c.peer);
    else if (k == "description")
      r = ReadString(val, k, c.description);
    else if (k == "vpc")
      r = ReadString(val, k, c.vpc);
    if (!r) return tl::unexpected(r.error());
  }
  return c;
}

}  // namespace

std::string EncodeAlert(const Alert& a) {
  std::string out;
  out.reserve(512 + a.record_json.size() * 11 / 10);
  out += '{';
  Writer w(out);
  w.Num("v", kAlertCodecVersion);
  w.Str("id", a.id);
  w.Str("rule_id", a.rule_id);
  w.Str("rule_title", a.rule_title);
  w.Str("severity", rules::SeverityName(a.severity));
  w.Str("event_id", a.event_id);
  w.Str("event_name", a.event_name);
  w.Str("event_source", a.event_source);
  w.Str("event_time", a.event_time);
  w.Str("aws_region", a.aws_region);
  w.Str("account_id", a.account_id);
  w.Str("actor", a.actor);
  w.Str("source_ip", a.source_ip);
  w.Str("user_agent", a.user_agent);
  w.Str("error_code", a.error_code);
  w.Str("error_message", a.error_message);
  w.Str("record_json", a.record_json);
  w.Str("input_file", a.input_file);
  w.UNum("input_record", a.input_record);
  w.Bool("input_is_line", a.input_is_line);
  // Which record fields the record had (absent fields print as null in the JSON of the file and
  // webhook sinks, `scan --format json`'s object).
  w.UNum("present_fields", a.present_fields);
  w.Str("actor_email", a.actor_email);
  w.Str("account_name", a.account_name);
  w.Str("local_time", a.local_time);
  w.Str("console_url", a.console_url);
  w.Key("security_group_changes");
  out += '[';
  for (size_t i = 0; i < a.security_group_changes.size(); ++i) {
    const SecurityGroupChange& c = a.security_group_changes[i];
    if (i > 0) out += ',';
    out += '{';
    Writer cw(out);
    cw.Str("action", c.action);
    cw.Str("direction", c.direction);
    cw.Str("group", c.group);
    cw.Str("protocol", c.protocol);
    cw.Num("from_port", c.from_port);
    cw.Num("to_port", c.to_port);
    cw.Str("peer", c.peer);
    cw.Str("description", c.description);
    cw.Str("vpc", c.vpc);
    out += '}';
  }
  out += ']';
  w.Str("dedupe_key", a.dedupe_key);
  w.UNum("dedupe_count", a.dedupe_count);
  w.Bool("suppressed", a.suppressed);
  w.Str("suppressed_by", a.suppressed_by);
  w.UNum("threshold_count", a.threshold_count);
  w.Str("dedupe_parent_id", a.dedupe_parent_id);
  w.Key("notes");
  out += '[';
  for (size_t i = 0; i < a.notes.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    AppendJsonEscaped(out, a.notes[i]);
    out += '"';
  }
  out += "]}";
  return out;
}

Result<Alert> DecodeAlert(std::string_view json) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "alert payload is not JSON");
  }
  object o;
  if (root.get_object().get(o) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "alert payload is not a JSON object");
  }
  int64_t version = 0;
  if (o["v"].get_int64().get(version) != simdjson::SUCCESS || version != kAlertCodecVersion) {
    return Fail(ErrorCode::kParse, "alert payload: unsupported version (want \"v\": 1)");
  }
  Alert a;
  const std::pair<std::string_view, std::string Alert::*> strings[] = {
      {"id", &Alert::id},
      {"rule_id", &Alert::rule_id},
      {"rule_title", &Alert::rule_title},
      {"event_id", &Alert::event_id},
      {"event_name", &Alert::event_name},
      {"event_source", &Alert::event_source},
      {"event_time", &Alert::event_time},
      {"aws_region", &Alert::aws_region},
      {"account_id", &Alert::account_id},
      {"actor", &Alert::actor},
      {"source_ip", &Alert::source_ip},
      {"user_agent", &Alert::user_agent},
      {"error_code", &Alert::error_code},
      {"error_message", &Alert::error_message},
      {"record_json", &Alert::record_json},
      {"input_file", &Alert::input_file},
      {"actor_email", &Alert::actor_email},
      {"account_name", &Alert::account_name},
      {"local_time", &Alert::local_time},
      {"console_url", &Alert::console_url},
      {"dedupe_key", &Alert::dedupe_key},
      {"suppressed_by", &Alert::suppressed_by},
      {"dedupe_parent_id", &Alert::dedupe_parent_id},
  };
  for (auto [k, v] : o) {
    Result<void> r = Ok();
    bool done = false;
    for (const auto& [name, member] : strings) {
      if (k == name) {
        r = ReadString(v, k, a.*member);
        done = true;
        break;
      }
    }
    if (done) {
      // handled above
    } else if (k == "severity") {
      std::string s;
      r = ReadString(v, k, s);
      if (r) {
        auto sev = rules::ParseSeverity(s);
        if (!sev) return Fail(ErrorCode::kParse, "alert payload: unknown severity \"" + s + "\"");
        a.severity = *sev;
      }
    } else if (k == "input_record") {
      r = ReadUInt(v, k, a.input_record);
    } else if (k == "input_is_line") {
      r = ReadBool(v, k, a.input_is_line);
    } else if (k == "present_fields") {
      uint64_t bits = 0;
      r = ReadUInt(v, k, bits);
      a.present_fields = static_cast<uint32_t>(bits);
    } else if (k == "dedupe_count") {
      r = ReadUInt(v, k, a.dedupe_count);
    } else if (k == "suppressed") {
      r = ReadBool(v, k, a.suppressed);
    } else if (k == "threshold_count") {
      r = ReadUInt(v, k, a.threshold_count);
    } else if (k == "security_group_changes" || k == "notes") {
      simdjson::dom::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) {
        return tl::unexpected(BadField(k, "an array"));
      }
      for (element item : arr) {
        if (k == "notes") {
          std::string s;
          r = ReadString(item, "notes[]", s);
          if (!r) break;
          a.notes.push_back(std::move(s));
        } else {
          auto c = ReadChange(item);
          if (!c) return tl::unexpected(c.error());
          a.security_group_changes.push_back(std::move(*c));
        }
      }
    }
    if (!r) return tl::unexpected(r.error());
  }
  return a;
}

}  // namespace tw::alert

// Alert formats for people and programs: one JSON object per line, or a short text block.
//
// These are `scan`'s output formats and the payload of the stdout and file sinks. Every string
// that comes from the event is escaped for its medium (JSON escaping; terminal escaping that
// neutralises control and C1 characters), so a hostile userAgent cannot forge output.
//
// Thread-safety: pure functions; they append to `out` and never clear it.
#pragma once

#include <string>

#include "alert/alert.h"

namespace tw::alert {

// One JSON object on one line, with a trailing newline. Keys, in order: "id" (only when the
// alert has one), rule_id, severity, title, event_id, event_name, event_source, event_time,
// aws_region, account_id, actor, source_ip, user_agent, error_code, error_message, and
// "input": {"file", "record"}. Every key is always written (one rule, docs/output.md): an event
// field the record lacks (or holds as a non-string) is null; one the record holds as "" is "".
// input.record is 1-based: the record's position in a Records array or single-document input,
// or the line for NDJSON and text, as the text format and error messages say it.
void AppendAlertJson(const Alert& alert, std::string& out);

// One human line with the severity, time and title, one with what happened, one with where it
// was found ("record N" or "line N", 1-based). ANSI colours when `color`.
void AppendAlertText(const Alert& alert, bool color, std::string& out);

}  // namespace tw::alert

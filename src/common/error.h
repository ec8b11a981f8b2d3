// Error and Result: how trailwatch reports failure without exceptions.
//
// Every fallible function returns `tw::Result<T>` (tl::expected<T, tw::Error>). The ErrorCode
// drives decisions, never the message text: sources retry kUnavailable/kResourceExhausted,
// kParse/kCorruption are counted and set aside without stopping the stream, and the CLI maps
// kInvalidArgument to exit status 2. Messages are for people: they name the place (file, line,
// record, field) and, for user-written text such as patterns, a hint.
//
// Thread-safety: Error is a plain value type.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace tw {

enum class ErrorCode {
  kInvalidArgument,    // the user gave something malformed: a pattern, a flag, a rule file
  kNotFound,           // a file or key that does not exist
  kParse,              // input data that does not parse (bad JSON, not a CloudTrail record)
  kCorruption,         // input data that is damaged below the parser (truncated gzip)
  kUnsupported,        // a recognised input that trailwatch deliberately skips (digest files)
  kIo,                 // the operating system refused a read or write
  kUnavailable,        // a remote peer is down; retrying may help
  kResourceExhausted,  // a limit was hit (size, depth, rate); retrying later may help
  kConflict,           // another worker changed shared state first; redo the work
  kInternal,           // a bug
};

// Returns a stable lower-case name for `code`, e.g. "parse".
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;

  // Returns "<code>: <message>".
  std::string ToString() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

// Shorthand for returning a failure: `return tw::Fail(ErrorCode::kParse, "...")`.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// The success value of Result<void>: `return tw::Ok();`.
inline Result<void> Ok() { return {}; }

}  // namespace tw

// An always-on invariant check. A failure is a trailwatch bug: it prints where and aborts.
#define TW_CHECK(cond)                                                                             \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "trailwatch: internal check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                   #cond);                                                                         \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

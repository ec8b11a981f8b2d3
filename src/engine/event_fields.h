// EventFields: the members of a CloudTrail record an alert shows (eventID ... errorMessage, and
// what names the actor in userIdentity), read from the record's DOM or straight from its text.
//
// Both readers see a record as the evaluator does: the first occurrence of a duplicate key
// counts, even when it is not a string (the field is then absent), keys are compared unescaped,
// and a value that is not a string is absent. The text reader is for a record no rule needs a
// DOM for (Engine: every candidate decided by the index): one match::WalkJson pass that follows
// only the record, userIdentity, its sessionContext and that one's sessionIssuer.
//
// The views point into the record (its DOM or its text), which must outlive the EventFields.
// From the text, a string holding an escape is kept as written (`escaped`) and unescaped when
// applied to an alert.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "alert/alert.h"

namespace tw::engine {

struct EventFields {
  // The fields, in the order of the names in event_fields.cc.
  enum Field : uint8_t {
    kEventId,
    kEventName,
    kEventSource,
    kEventTime,
    kAwsRegion,
    kRecipientAccountId,
    kSourceIp,
    kUserAgent,
    kErrorCode,
    kErrorMessage,
    // userIdentity's members
    kIdentityType,
    kIdentityArn,
    kIdentityUserName,
    kIdentityPrincipalId,
    kIdentityAccountId,
    kIdentityInvokedBy,
    kIssuerUserName,  // userIdentity.sessionContext.sessionIssuer.userName
    kCount,
  };
  std::string_view value[kCount];
  uint32_t present = 0;  // bit f: value[f] is a string
  uint32_t escaped = 0;  // bit f: value[f] is as written and holds an escape (text reader)

  bool Has(Field f) const { return (present >> f & 1u) != 0; }
};

// Reads the fields from a record's DOM (an object; anything else has none).
EventFields ReadEventFields(simdjson::dom::element record);

// Reads the fields from a record's text, which match::CheckJson accepts (its whole grammar has
// been checked: this pass does not report damage).
EventFields ReadEventFields(std::string_view record_text);

// Sets the event fields of `alert` (event_id ... error_message, account_id, actor) and their
// present_fields bits from `fields`.
void ApplyEventFields(const EventFields& fields, alert::Alert& alert);

}  // namespace tw::engine

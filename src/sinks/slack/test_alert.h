// Test helper: a realistic alert (a failed console sign-in from the seed's example). Test-only.
#pragma once

#include "alert/alert.h"

namespace tw::sinks::testing {

inline alert::Alert SampleAlert() {
  alert::Alert a;
  a.id = "a1b2c3d4e5f60718";
  a.rule_id = "console-login-failure";
  a.rule_title = "Console sign-in failure";
  a.severity = rules::Severity::kHigh;
  a.event_id = "3b6c1e3a-0d7e-4d0a-9a57-1e9b2f0c7d11";
  a.event_name = "ConsoleLogin";
  a.event_source = "signin.amazonaws.com";
  a.event_time = "2026-11-30T14:05:09Z";
  a.local_time = "2026-11-30 23:05:09 KST";
  a.aws_region = "ap-northeast-2";
  a.account_id = "111122223333";
  a.account_name = "prod";
  a.actor = "alice";
  a.source_ip = "198.51.100.7";
  a.user_agent = "Mozilla/5.0";
  a.error_message = "Failed authentication";
  a.console_url =
      "https://ap-northeast-2.console.aws.amazon.com/cloudtrailv2/home?region=ap-northeast-2#/"
      "events/3b6c1e3a-0d7e-4d0a-9a57-1e9b2f0c7d11";
  a.input_file = "incoming/a.json.gz";
  a.input_record = 3;
  return a;
}

}  // namespace tw::sinks::testing

#include "sinks/stdout/stdout_sink.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace tw::sinks {
namespace {

alert::Alert OneAlert() {
  alert::Alert a;
  a.rule_id = "r";
  a.event_name = "DeleteTrail";
  return a;
}

// Issue 8, defect 3: a write to a full device must not pass for a delivered alert.
TEST(StdoutSinkTest, FlushReportsAFailedWrite) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  StdoutSink sink(StdoutFormat::kJson, false, /*flush_each=*/false, full);
  EXPECT_EQ(sink.Deliver(OneAlert(), "").status, DeliveryStatus::kDelivered);  // buffered
  auto flushed = sink.Flush();
  ASSERT_FALSE(flushed.has_value());
  EXPECT_EQ(flushed.error().code, ErrorCode::kIo);
  // The failure sticks: a later flush with nothing buffered still fails.
  EXPECT_FALSE(sink.Flush().has_value());
  std::fclose(full);
}

TEST(StdoutSinkTest, FlushEachFailsTheDelivery) {
  std::FILE* full = std::fopen("/dev/full", "w");
  ASSERT_NE(full, nullptr);
  StdoutSink sink(StdoutFormat::kText, false, /*flush_each=*/true, full);
  const DeliveryResult r = sink.Deliver(OneAlert(), "");
  EXPECT_EQ(r.status, DeliveryStatus::kPermanent);
  EXPECT_NE(r.error.find("standard output"), std::string::npos) << r.error;
  std::fclose(full);
}

TEST(StdoutSinkTest, FlushSucceedsOnAWritableStream) {
  std::FILE* tmp = std::tmpfile();
  ASSERT_NE(tmp, nullptr);
  StdoutSink sink(StdoutFormat::kJson, false, false, tmp);
  (void)sink.Deliver(OneAlert(), "");
  EXPECT_TRUE(sink.Flush().has_value());
  EXPECT_GT(std::ftell(tmp), 0);
  std::fclose(tmp);
}

}  // namespace
}  // namespace tw::sinks

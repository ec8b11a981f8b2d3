// The index differential check (index_differential.h) over 10,000 generated hostile records,
// deterministic (fixed seeds), in `make test`. The fuzz target index_differential_fuzzer runs
// the same check on libFuzzer's inputs.
#include "index_differential.h"

#include <gtest/gtest.h>

namespace tw::fuzz {
namespace {

TEST(IndexDifferential, TenThousandHostileRecordsGiveTheSameAlerts) {
  auto rules = DifferentialRules();
  ASSERT_NE(rules, nullptr);
  IndexDifferential check(rules);
  Choices choices(20261201);
  size_t alerted = 0;
  constexpr int kRecords = 10000, kPerDocument = 20;
  for (int d = 0; d < kRecords / kPerDocument && !HasFailure(); ++d) {
    std::string doc;
    for (int i = 0; i < kPerDocument; ++i) doc += HostileRecord(choices) + "\n";
    const std::string diff = check.Check(doc);
    EXPECT_EQ(diff, "") << doc;
    engine::Engine e(rules, engine::EngineOptions{.use_index = false});
    alerted += AlertsOf(e, doc).size();
  }
  // The generator must reach the rules, or the comparison proves nothing.
  EXPECT_GT(alerted, 1000u);
}

// The check sees a dropped match: issue 8's first reproduction, against an index fed the
// wrong values, would differ. Here: the reproductions themselves agree.
TEST(IndexDifferential, IssueReproductionsAgree) {
  auto rules = DifferentialRules();
  ASSERT_NE(rules, nullptr);
  IndexDifferential check(rules);
  EXPECT_EQ(check.Check(R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",)"
                        R"("detail":{"eventName":"Harmless"}})"
                        "\n"),
            "");
  EXPECT_EQ(check.Check(R"({"detail-type":"AWS API Call via CloudTrail","source":"aws.cloudtrail",)"
                        R"("detail":{"eventName":"DeleteTrail"},"eventName":"x"})"
                        "\n"),
            "");
}

// Issue 8: unpaired surrogate escapes (U+FFFD) and escapes JSON does not have (an error), in
// an NDJSON run and in a CloudTrail file: the same alerts and the same events on both paths.
// Before the check of every escape, `\q` in a member the index skips made an event for the
// index and an error for exhaustive evaluation.
TEST(IndexDifferential, EscapeReproductionsAgree) {
  auto rules = DifferentialRules();
  ASSERT_NE(rules, nullptr);
  IndexDifferential check(rules);
  const std::vector<std::string> records = {
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userAgent":"\ud800x"})",
      R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"\ud800\u0041"})",
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Delete\udc00Trail","k\ud800":1})",
      R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":"\q"})",
      R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":"\u12"})",
      R"({"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":"\u12G4"})",
      R"({"eventSource":"cloudtrail.amazonaws.com","eventName":"Stop\qLogging"})",
  };
  std::string ndjson, file = R"({"Records":[)";
  for (const auto& r : records) {
    ndjson += r + "\n";
    file += (file.back() == '[' ? "" : ",") + r;
  }
  file += "]}";
  EXPECT_EQ(check.Check(ndjson), "");
  EXPECT_EQ(check.Check(file), "");
  // Exhaustive evaluation: the three records with unpaired surrogates are events, the four with
  // bad escapes are not (so the comparison above covered both outcomes).
  engine::Engine all(rules, engine::EngineOptions{.use_index = false});
  std::set<uint64_t> events;
  for (const auto& k : AlertsOf(all, ndjson)) {
    if (std::get<1>(k) == "(an event)") events.insert(std::get<0>(k));
  }
  EXPECT_EQ(events, (std::set<uint64_t>{0, 1, 2}));
}

}  // namespace
}  // namespace tw::fuzz

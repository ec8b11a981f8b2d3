#include "alert/alert_id.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

TEST(Sha256Hex, KnownAnswers) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AlertId, DocumentedConstruction) {
  // First 32 hex digits of SHA-256("tw-alert-v1\0console-login-failure\0e1\0k"), computed with
  // Python's hashlib.
  EXPECT_EQ(ComputeAlertId("console-login-failure", "e1", "k"), "3cc8c624a094d3a9c916e73dcc1c1de9");
}

TEST(AlertId, StableAndDistinct) {
  EXPECT_EQ(ComputeAlertId("r", "e", "k"), ComputeAlertId("r", "e", "k"));
  EXPECT_NE(ComputeAlertId("r", "e", "k"), ComputeAlertId("r", "e", ""));
  EXPECT_NE(ComputeAlertId("r", "e", "k"), ComputeAlertId("r2", "e", "k"));
  // Separators: moving a character across a field boundary changes the id.
  EXPECT_NE(ComputeAlertId("ab", "c", ""), ComputeAlertId("a", "bc", ""));
}

TEST(AlertId, AssignUsesTheRecordWhenThereIsNoEventId) {
  Alert a;
  a.rule_id = "r";
  a.record_json = R"({"eventName":"X"})";
  AssignAlertId(a);
  Alert b = a;
  b.record_json = R"({"eventName":"Y"})";
  AssignAlertId(b);
  EXPECT_EQ(a.id.size(), 32u);
  EXPECT_NE(a.id, b.id);
  Alert c;
  c.rule_id = "r";
  c.event_id = "e";
  c.dedupe_key = "k";
  AssignAlertId(c);
  EXPECT_EQ(c.id, ComputeAlertId("r", "e", "k"));
}

}  // namespace
}  // namespace tw::alert

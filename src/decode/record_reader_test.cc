// RecordReader: each input kind split into records with the right numbering, salvage of damaged
// input, skipped kinds, and the visitor's kDamaged answer sending the reader back record by
// record. Expected places are counted by hand from the inputs below.
#include "decode/record_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tw::decode {
namespace {

// Records "<where>=<eventName>" for each record, "<where>: <message>" for each error.
class Collect : public RecordVisitor {
 public:
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where,
                        Error& error) override {
    std::string_view name;
    if (record.object["eventName"].get_string().get(name) != simdjson::SUCCESS) {
      error = Error{ErrorCode::kParse, "no eventName"};
      return RecordStatus::kRejected;
    }
    records.push_back(where.ToString() + "=" + std::string(name));
    return RecordStatus::kOk;
  }
  void OnText(std::string_view text, const RecordWhere& where) override {
    texts.push_back(where.ToString() + "=" + std::string(text));
  }
  void OnError(const RecordWhere& where, Error error) override {
    errors.push_back(where.ToString() + ": " + error.message);
  }
  void OnSkipped(std::string why) override { skipped = why; }

  std::vector<std::string> records, texts, errors;
  std::string skipped;
};

Collect Read(const std::string& name, const std::string& text, RecordReaderOptions options = {}) {
  RecordReader reader(options);
  Collect c;
  reader.Read(name, text, c);  // `text` has no spare capacity: the reader copies it
  return c;
}

TEST(RecordReader, CloudTrailFileNumbersRecordsFromZero) {
  Collect c = Read("a.json", R"({"Records":[{"eventName":"A"},{"eventName":"B"},{"x":1}]})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 0=A", "record 1=B"}));
  EXPECT_EQ(c.errors, (std::vector<std::string>{"record 2: no eventName"}));
}

TEST(RecordReader, TruncatedCloudTrailFileKeepsTheRecordsBeforeTheDamage) {
  Collect c = Read("a.json", R"({"Records":[{"eventName":"A"},{"eventName":"B"},{"eventN)");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 0=A", "record 1=B"}));
  EXPECT_EQ(c.errors,
            (std::vector<std::string>{"record 2: the file ends inside this record (truncated?)"}));
}

TEST(RecordReader, NdjsonNumbersLinesFromOneAndReportsABadLine) {
  Collect c = Read("a.ndjson", "{\"eventName\":\"A\"}\n\n{\"eventName\":\n{\"eventName\":\"C\"}\n");
  EXPECT_EQ(c.records, (std::vector<std::string>{"line 1=A", "line 4=C"}));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].rfind("line 3: ", 0), 0u) << c.errors[0];
}

TEST(RecordReader, TextLinesGoToOnTextWhenAsked) {
  RecordReaderOptions options;
  options.text_lines = true;
  Collect c = Read("log.txt", "ERROR 1\n{\"eventName\":\"A\"}\n", options);
  EXPECT_EQ(c.texts, (std::vector<std::string>{"line 1=ERROR 1"}));
  EXPECT_EQ(c.records, (std::vector<std::string>{"line 2=A"}));
  EXPECT_TRUE(c.errors.empty());
}

TEST(RecordReader, DigestFilesAreSkipped) {
  Collect c = Read("x_CloudTrail-Digest_x.json.gz",
                   R"({"awsAccountId":"1","digestStartTime":"a","digestEndTime":"b",)"
                   R"("digestS3Bucket":"b","logFiles":[]})");
  EXPECT_TRUE(c.records.empty());
  EXPECT_TRUE(c.errors.empty());
  EXPECT_FALSE(c.skipped.empty());
}

TEST(RecordReader, EmptyInputIsAnError) {
  Collect c = Read("a.json", " \n");
  EXPECT_EQ(c.errors, (std::vector<std::string>{": empty input"}));
}

// A visitor that calls the first record damaged: the reader must go back to it and read the
// rest record by record, reporting nothing for the damaged try.
class DamagedOnce : public Collect {
 public:
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where,
                        Error& error) override {
    if (first_) {
      first_ = false;
      error = Error{ErrorCode::kParse, "damaged"};
      return RecordStatus::kDamaged;
    }
    return Collect::OnRecord(record, where, error);
  }

 private:
  bool first_ = true;
};

TEST(RecordReader, DamagedRecordIsReadAgainOnItsOwn) {
  RecordReader reader;
  DamagedOnce c;
  const std::string text = R"({"Records":[{"eventName":"A"},{"eventName":"B"}]})";
  reader.Read("a.json", text, c);
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 0=A", "record 1=B"}));
  EXPECT_TRUE(c.errors.empty());
}

TEST(RecordWhere, FormatsEachUnit) {
  EXPECT_EQ(RecordWhere(RecordWhere::Unit::kRecord, 12, false).ToString(), "record 12");
  EXPECT_EQ(RecordWhere(RecordWhere::Unit::kLine, 6, true).ToString(), "line 7");
  EXPECT_EQ(RecordWhere(RecordWhere::Unit::kLogEvent, 3, false).ToString(), "logEvents[3]");
  EXPECT_EQ(RecordWhere().ToString(), "");
}

TEST(JsonValueEnd, RespectsStringsAndEscapes) {
  const std::string text = R"({"a":"}\"{","b":[1,{}]} tail)";
  const char* end = JsonValueEnd(text.data(), text.data() + text.size());
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(std::string(text.data(), end), R"({"a":"}\"{","b":[1,{}]})");
  EXPECT_EQ(JsonValueEnd(text.data(), text.data() + 5), nullptr);
}

}  // namespace
}  // namespace tw::decode

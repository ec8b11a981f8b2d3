// RecordReader: each input kind split into records with the right numbering, salvage of damaged
// input, skipped kinds, and the visitor's kDamaged answer sending the reader back record by
// record. Expected places are counted by hand from the inputs below.
#include "decode/record_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/test_helpers.h"

namespace tw::decode {
namespace {

// Records "<where>=<eventName>" for each record, "<where>: <message>" for each error.
class Collect : public RecordVisitor {
 public:
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where, Error& error) override {
    // The record's text: given, or found from its start.
    std::string_view text = record.text;
    if (text.empty()) {
      const char* end = JsonValueEnd(record.start, record.doc.data() + record.doc.size());
      if (end == nullptr) return Damaged(error);
      text = std::string_view(record.start, static_cast<size_t>(end - record.start));
    }
    if (record.length != nullptr) *record.length = text.size();
    simdjson::dom::element root;
    std::string_view name;
    if (parser_.parse(text.data(), text.size()).get(root) != simdjson::SUCCESS) {
      return Damaged(error);
    }
    if (root["eventName"].get_string().get(name) != simdjson::SUCCESS) {
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

 protected:
  static RecordStatus Damaged(Error& error) {
    error = Error{ErrorCode::kParse, "damaged"};
    return RecordStatus::kDamaged;
  }

 private:
  simdjson::dom::parser parser_;
};

Collect Read(const std::string& name, const std::string& text, RecordReaderOptions options = {}) {
  RecordReader reader(options);
  Collect c;
  reader.Read(name, text, c);  // `text` has no spare capacity: the reader copies it
  return c;
}

// Issue 8, defect 13: records are counted from 1, as lines are (this test said "record 0").
TEST(RecordReader, CloudTrailFileNumbersRecordsFromOne) {
  Collect c = Read("a.json", R"({"Records":[{"eventName":"A"},{"eventName":"B"},{"x":1}]})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_EQ(c.errors, (std::vector<std::string>{"record 3: no eventName"}));
}

TEST(RecordReader, TruncatedCloudTrailFileKeepsTheRecordsBeforeTheDamage) {
  Collect c = Read("a.json", R"({"Records":[{"eventName":"A"},{"eventName":"B"},{"eventN)");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_EQ(c.errors,
            (std::vector<std::string>{"record 3: the file ends inside this record (truncated?)"}));
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

// Issue 8, defect 4: a digest is told by its content, not its name; a file named like a digest
// that holds records is read.
TEST(RecordReader, ADigestNamedFileWithRecordsIsRead) {
  Collect c = Read("AWSLogs/1/CloudTrail-Digest/x_CloudTrail-Digest_x.json",
                   R"({"Records":[{"eventName":"A"}]})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A"}));
  EXPECT_TRUE(c.skipped.empty());
  c = Read("a.json", R"({"digestStartTime":"a","digestEndTime":"b","logFiles":[],)"
                     R"("Records":[{"eventName":"B"}]})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=B"}));
  EXPECT_TRUE(c.skipped.empty());
  c = Read("a.json", R"({"digestHidden":1,"eventName":"C"})");  // first key starts with digest
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=C"}));
}

TEST(RecordReader, RecordsBeyondSixtyFourKeysAreRead) {
  std::string doc = "{";
  for (int i = 0; i < 100; ++i) doc += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  doc += "\"pad\":\"" + std::string(70 * 1024, 'x') + "\",";
  doc += R"("Records":[{"eventName":"A"},{"eventName":"B"}]})";
  Collect c = Read("a.json", doc);
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
}

// Issue 8, defect 10: every document of a stream is read.
TEST(RecordReader, ConcatenatedRecordsFilesAreAllRead) {
  const std::string one = R"({"Records":[{"eventName":"A"},{"eventName":"B"}]})";
  const std::string two = "{\n  \"Records\": [\n    {\"eventName\": \"C\"}\n  ]\n}\n";
  Collect c = Read("-", one + "\n" + two + one);
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B", "record 3=C",
                                                 "record 4=A", "record 5=B"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
}

TEST(RecordReader, AMultiMemberGzipOfRecordsFilesIsAllRead) {
  const std::string gz = testing::GzipMember(R"({"Records":[{"eventName":"A"}]})") +
                         testing::GzipMember(R"({"Records":[{"eventName":"B"}]})");
  Collect c = Read("-", gz);
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
}

TEST(RecordReader, TwoDocumentsOnOneLineAreBothRead) {
  Collect c = Read("-", "{\"eventName\":\"A\"}{\"eventName\":\"B\"}\n{\"eventName\":\"C\"}\n");
  EXPECT_EQ(c.records, (std::vector<std::string>{"line 1=A", "line 1=B", "line 2=C"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
  c = Read("-", R"({"Records":[{"eventName":"A"}]}{"Records":[{"eventName":"B"}]})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
}

// What follows an object on its line and is not another object: in NDJSON the object is still a
// record and the rest an error of that line, whether the line is read in bulk or (after a
// damaged line before it) line by line; for `match` (text lines) the whole line is one text log
// event, as CloudWatch Logs reads a message that is not JSON.
TEST(RecordReader, AnObjectAndThenJunkOnALineIsARecordAndAnError) {
  for (const std::string& before : {std::string(), std::string("{\"eventName\":\n")}) {
    Collect c = Read("a.ndjson", before + "{\"eventName\":\"A\"} x\n{\"eventName\":\"B\"}\n");
    const std::string line = before.empty() ? "line 1" : "line 2";
    const std::string next = before.empty() ? "line 2" : "line 3";
    EXPECT_EQ(c.records, (std::vector<std::string>{line + "=A", next + "=B"})) << before;
    ASSERT_EQ(c.errors.size(), before.empty() ? 1u : 2u) << before;
    EXPECT_EQ(c.errors.back().rfind(line + ": ", 0), 0u) << c.errors.back();
  }
  RecordReaderOptions options;
  options.text_lines = true;
  Collect t = Read("log.txt", "ERROR 1\n{\"eventName\":\"A\"} then text\n", options);
  EXPECT_EQ(t.texts,
            (std::vector<std::string>{"line 1=ERROR 1", "line 2={\"eventName\":\"A\"} then text"}));
  EXPECT_TRUE(t.records.empty());
  EXPECT_TRUE(t.errors.empty());
}

// RecordView::text: NDJSON records come delimited (the engine then does not walk them again to
// find their end), exactly from '{' to the matching '}', braces inside strings included, blanks
// and "\r" after them not; a record of a Records array leaves it to the visitor (empty).
class CollectText : public Collect {
 public:
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where, Error& error) override {
    record_texts.push_back(std::string(record.text));
    return Collect::OnRecord(record, where, error);
  }
  std::vector<std::string> record_texts;
};

TEST(RecordReader, NdjsonRecordsComeWithTheirExactText) {
  const std::string input =
      "{\"eventName\":\"A\",\"x\":\"}{\\\"\"}\n{\"eventName\":\"B\"}  \r\n"
      "{\"eventName\":\"C\"}{\"eventName\":\"D\"}\n";
  RecordReader reader;
  CollectText c;
  reader.Read("-", input, c);
  EXPECT_EQ(c.records, (std::vector<std::string>{"line 1=A", "line 2=B", "line 3=C", "line 3=D"}));
  EXPECT_EQ(c.record_texts, (std::vector<std::string>{
                                "{\"eventName\":\"A\",\"x\":\"}{\\\"\"}", "{\"eventName\":\"B\"}",
                                "{\"eventName\":\"C\"}", "{\"eventName\":\"D\"}"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
  CollectText f;
  reader.Read("a.json", R"({"Records":[{"eventName":"A"}]})", f);
  EXPECT_EQ(f.record_texts, (std::vector<std::string>{""}));
}

// ReadLines: a window of an input's lines, numbered from `first_line`; read as NDJSON even
// when it holds a single line (Read would call that "record 1"); a BOM only at line 0.
// A visitor that takes NDJSON lines as they are (RecordVisitor::ChecksRecords), as the engine
// does: a line that is not exactly one object (several objects, damage) is refused (kDamaged),
// and the reader reads it again on its own.
class CollectLines : public CollectText {
 public:
  bool ChecksRecords() const override { return true; }
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where, Error& error) override {
    ++calls;
    return CollectText::OnRecord(record, where, error);
  }
  int calls = 0;
};

// Reads `input` with the reader's own parse (Collect) and, into `taken`, by a visitor that takes
// records as they are (CollectLines); expects the same records and errors.
void ReadAlikeBothWays(const std::string& name, const std::string& input, CollectLines& taken) {
  RecordReader parsed_reader;
  Collect parsed;
  parsed_reader.Read(name, input, parsed);
  RecordReader reader;
  reader.Read(name, input, taken);
  EXPECT_EQ(taken.records, parsed.records) << input;
  EXPECT_EQ(taken.errors, parsed.errors) << input;
}

// Lines taken as they are give what delimiting each record first gives: the same records, line
// numbers and errors, for clean NDJSON and for damage that spans lines.
TEST(RecordReader, NdjsonLinesTakenAsTheyAreReadAsDelimitedRecords) {
  const std::vector<std::string> inputs = {
      "{\"eventName\":\"A\",\"x\":\"}{\\\"\"}\n{\"eventName\":\"B\"}  \r\n"
      "{\"eventName\":\"C\"}{\"eventName\":\"D\"}\n",
      // An object spanning lines 2-3 (valid JSON as a whole): line by line, each line is damaged.
      "{\"eventName\":\"A\"}\n{\"eventName\":\"B\",\"y\":[\n1]}\n{\"eventName\":\"C\"}\n",
      // An unclosed object swallowing the next line.
      "{\"eventName\":\"A\"}\n{\"eventName\":{\n{\"eventName\":\"B\"}}\n{\"eventName\":\"C\"}\n",
      // A record without eventName (rejected by the visitor), then a non-object line, garbage.
      "{\"eventName\":\"A\"}\n{\"x\":1}\n[1]\n{\"eventName\":\"B\"} x\n{\"eventName\":\"C\"}",
      // Blank lines before, between and after the records (the line count follows the gaps).
      "\n\n{\"eventName\":\"A\"}\n\n\r\n{\"eventName\":\"B\"}\n \t\n{\"eventName\":\"C\"} \n\n"
      "{\"eventName\":\"D\"}{\"eventName\":\"E\"}\n\n",
  };
  for (const std::string& input : inputs) {
    CollectLines lines;
    ReadAlikeBothWays("-", input, lines);
  }
  // The first input by hand: four records; a line is handed over as it is (blanks trimmed),
  // and line 3, two objects, is refused and read again, one object at a time.
  RecordReader reader;
  CollectLines c;
  reader.Read("-", inputs[0], c);
  EXPECT_EQ(c.records, (std::vector<std::string>{"line 1=A", "line 2=B", "line 3=C", "line 3=D"}));
  EXPECT_EQ(c.record_texts, (std::vector<std::string>{
                                "{\"eventName\":\"A\",\"x\":\"}{\\\"\"}", "{\"eventName\":\"B\"}",
                                "{\"eventName\":\"C\"}{\"eventName\":\"D\"}",
                                "{\"eventName\":\"C\"}", "{\"eventName\":\"D\"}"}));
  EXPECT_EQ(c.calls, 5);
  // The second: line 1 read in bulk; then line by line: line 2 alone is an unterminated object,
  // line 3 ("1]}") is not an object, each an error of its own; line 4 is read.
  CollectLines spanning;
  reader.Read("-", inputs[1], spanning);
  EXPECT_EQ(spanning.records, (std::vector<std::string>{"line 1=A", "line 4=C"}));
  ASSERT_EQ(spanning.errors.size(), 2u);
  EXPECT_EQ(spanning.errors[0].substr(0, 8), "line 2: ");
  EXPECT_EQ(spanning.errors[1], "line 3: an event must be a JSON object");
  CollectLines blanks;
  reader.Read("-", inputs[4], blanks);
  EXPECT_EQ(blanks.records, (std::vector<std::string>{"line 3=A", "line 6=B", "line 8=C",
                                                      "line 10=D", "line 10=E"}));
}

// A CloudTrail file read by a visitor that checks records itself (the reader finds the Records
// array and the commas, the visitor each record's end) gives what the reader's own parse gives:
// the same records, numbers and errors, for clean files and for damage around the records.
TEST(RecordReader, RecordsTakenAtTheirStartReadAsParsedOnes) {
  const std::string a = R"({"eventName":"A","x":{"}":"]"}})";
  const std::string b = R"({"eventName":"B"})";
  const std::vector<std::string> inputs = {
      "{\"Records\":[" + a + "," + b + "]}",
      "{ \"Records\" : [ " + a + " ,\n " + b + " ] }\n",
      "{\"Records\":[]}",
      // Members before and after the array, a second Records member (the first one counts).
      "{\"x\":{\"Records\":[1]},\"Records\":[" + a + "],\"Records\":[" + b + "],\"y\":2}",
      // Elements that are not records, each an error of its own.
      "{\"Records\":[" + a + ",42,\"s\",[1,{}],null," + b + "]}",
      // Damage inside a record, between records, a truncated file, documents back to back.
      "{\"Records\":[" + a + ",{\"eventName\":\"C\",]}," + b + "]}",
      "{\"Records\":[" + a + " " + b + "]}",
      "{\"Records\":[" + a + "," + b,
      "{\"Records\":[" + a + "]}{\"Records\":[" + b + "]}\n{\"Records\":[" + a + "]}",
      // An escaped member name, invalid UTF-8: left to the parse.
      "{\"Rec\\u006frds\":[" + a + "]}",
      "{\"Records\":[" + a + ",{\"eventName\":\"\xff\"}]}",
  };
  // Where each error is ("record 3"): the messages may say more than the parse's.
  const auto places = [](const std::vector<std::string>& errors) {
    std::vector<std::string> out;
    for (const std::string& e : errors) out.push_back(e.substr(0, e.find(':')));
    return out;
  };
  for (const std::string& input : inputs) {
    RecordReader parsed_reader;
    Collect parsed;
    parsed_reader.Read("a.json", input, parsed);
    RecordReader reader;
    CollectLines taken;
    reader.Read("a.json", input, taken);
    if (input == inputs[6]) {
      // A missing comma between records: the parse loses the records after it; here it is
      // said at the record after it, which is read.
      EXPECT_EQ(parsed.records, (std::vector<std::string>{"record 1=A"}));
      EXPECT_EQ(taken.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
      ASSERT_EQ(taken.errors.size(), 1u);
      EXPECT_EQ(taken.errors[0].rfind("record 2: damaged JSON: no `,`", 0), 0u) << taken.errors[0];
      continue;
    }
    EXPECT_EQ(taken.records, parsed.records) << input;
    EXPECT_EQ(places(taken.errors), places(parsed.errors)) << input;
  }
  // The first by hand.
  RecordReader reader;
  CollectLines c;
  reader.Read("a.json", inputs[0], c);
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_TRUE(c.errors.empty());
  EXPECT_EQ(c.calls, 2);
}

// CloudWatch Logs messages taken as they are by a visitor that checks records itself give what
// parsing each message first gives; a message that is not exactly one object is refused and
// read again on its own.
TEST(RecordReader, CwlMessagesTakenAsTheyAreReadAsParsedOnes) {
  const std::string input =
      R"({"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s",)"
      R"("subscriptionFilters":["f"],"logEvents":[)"
      R"({"id":"1","timestamp":1,"message":" {\"eventName\":\"A\"} "},)"
      R"({"id":"2","timestamp":2,"message":"{\"eventName\":\"B\"}{\"eventName\":\"C\"}"},)"
      R"({"id":"3","timestamp":3,"message":"{\"eventName\":"},)"
      R"({"id":"4","timestamp":4,"message":"not json"},)"
      R"({"id":"5","timestamp":5,"message":"{\"eventName\":\"E\"}"}]})";
  CollectLines taken;
  ReadAlikeBothWays("cwl.json", input, taken);
  // By hand: a message of two objects is one error (a log event is one record; the first object
  // used to be read and the second dropped without a word).
  EXPECT_EQ(taken.records, (std::vector<std::string>{"logEvents[0]=A", "logEvents[4]=E"}));
  ASSERT_EQ(taken.errors.size(), 3u);
  EXPECT_EQ(taken.errors[0].rfind("logEvents[1]: ", 0), 0u) << taken.errors[0];
  EXPECT_EQ(taken.errors[1].rfind("logEvents[2]: ", 0), 0u) << taken.errors[1];
  EXPECT_EQ(taken.errors[2].rfind("logEvents[3]: ", 0), 0u) << taken.errors[2];
}

// The same for `aws cloudtrail lookup-events` output: each CloudTrailEvent string is one record,
// exactly.
TEST(RecordReader, LookupEventsStringsTakenAsTheyAreReadAsParsedOnes) {
  const std::string input = R"({"Events":[{"CloudTrailEvent":"{\"eventName\":\"A\"}"},)"
                            R"({"CloudTrailEvent":"{\"eventName\":\"B\"}{\"eventName\":\"C\"}"},)"
                            R"({"CloudTrailEvent":"{\"eventName\":\"D\"}"}]})";
  CollectLines taken;
  ReadAlikeBothWays("events.json", input, taken);
  EXPECT_EQ(taken.records, (std::vector<std::string>{"record 1=A", "record 3=D"}));
  ASSERT_EQ(taken.errors.size(), 1u);
  EXPECT_EQ(taken.errors[0].rfind("record 2: ", 0), 0u) << taken.errors[0];
}

TEST(RecordReader, AWindowOfLinesCountsLinesFromItsFirstLine) {
  RecordReader reader;
  Collect c;
  reader.ReadLines("-", "{\"eventName\":\"A\"}\n{\"eventName\":\n{\"eventName\":\"C\"}\n", 41, c);
  EXPECT_EQ(c.records, (std::vector<std::string>{"line 42=A", "line 44=C"}));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].rfind("line 43: ", 0), 0u) << c.errors[0];
  Collect one;
  reader.ReadLines("-", "{\"eventName\":\"A\"}\n", 7, one);
  EXPECT_EQ(one.records, (std::vector<std::string>{"line 8=A"}));
  Collect bom;
  reader.ReadLines("-", "\xEF\xBB\xBF{\"eventName\":\"A\"}\n", 0, bom);
  EXPECT_EQ(bom.records, (std::vector<std::string>{"line 1=A"}));
  EXPECT_EQ(bom.errors.size(), 1u);
  Collect blank;
  reader.ReadLines("-", "\n\n", 3, blank);
  EXPECT_TRUE(blank.records.empty());
  EXPECT_TRUE(blank.errors.empty());
}

TEST(RecordReader, PrettyPrintedRecordsOneAfterAnotherAreAllRead) {
  Collect c = Read("-",
                   "{\n  \"eventName\": \"A\"\n}\n{\n  \"eventName\": \"B\"\n}\n"
                   "{\n  \"eventName\": \"C\"\n}");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B", "record 3=C"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
}

TEST(RecordReader, ATopLevelArrayOfRecordsIsRead) {
  Collect c = Read("a.json", "[{\"eventName\":\"A\"},\n {\"eventName\":\"B\"}]\n");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_TRUE(c.errors.empty()) << c.errors[0];
}

TEST(RecordReader, LookupEventsOutputIsRead) {
  // The shape of `aws cloudtrail lookup-events`: each CloudTrailEvent is the record as a string.
  Collect c = Read("a.json", R"({"Events":[{"EventId":"1","EventName":"A","CloudTrailEvent":)"
                             R"("{\"eventName\":\"A\",\"eventVersion\":\"1.08\"}"},)"
                             R"({"EventId":"2","EventName":"B"},)"
                             R"({"EventId":"3","CloudTrailEvent":"{\"eventName\":\"C\"}"}],)"
                             R"("NextToken":"x"})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 3=C"}));
  EXPECT_EQ(c.errors, (std::vector<std::string>{
                          "record 2: Events[] entry without a CloudTrailEvent string (skipped)"}));
}

// Issue 8, defect 12: a BOM and trailing garbage cost no record, and each is named.
TEST(RecordReader, AByteOrderMarkIsNamedAndTheRecordsAreRead) {
  Collect c =
      Read("a.json", "\xEF\xBB\xBF{\"Records\":[{\"eventName\":\"A\"},{\"eventName\":\"B\"}]}");
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].find("byte order mark"), std::string::npos) << c.errors[0];
}

TEST(RecordReader, TrailingGarbageAfterARecordsFileIsNamedAndTheRecordsAreRead) {
  for (const std::string tail : {"garbage", "\"unterminated", "\x01\x02", "}}]]"}) {
    SCOPED_TRACE(tail);
    Collect c = Read("a.json", R"({"Records":[{"eventName":"A"},{"eventName":"B"}]})" + tail);
    EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
    ASSERT_EQ(c.errors.size(), 1u);
    EXPECT_NE(c.errors[0].find("trailing data"), std::string::npos) << c.errors[0];
  }
}

// Issue 8, defect 13: a file that is not JSON at all is one error, not one per line; so is a
// compression format trailwatch does not read.
TEST(RecordReader, ATextFileIsOneError) {
  Collect c = Read("README.md", "# Samples\n\nSome text.\nmore\tcolumns\tof\tTSV\n");
  EXPECT_EQ(c.errors, (std::vector<std::string>{
                          ": not a CloudTrail, NDJSON, CloudWatch Logs or EventBridge file"}));
  EXPECT_TRUE(c.records.empty());
}

TEST(RecordReader, UnsupportedCompressionIsOneError) {
  const std::pair<std::string, std::string> kCases[] = {
      {std::string("BZh91AY&SY\x01\x02", 12), "bzip2"},
      {std::string("\xFD"
                   "7zXZ\0\0\x04",
                   8),
       "xz"},
      {std::string("PK\x03\x04\x14\0\0\0", 8), "zip"},
  };
  for (const auto& [bytes, format] : kCases) {
    SCOPED_TRACE(format);
    Collect c = Read("a.json.x", bytes + "\n\n{\n");
    ASSERT_EQ(c.errors.size(), 1u);
    EXPECT_EQ(c.errors[0].rfind(": " + format + " compression is not supported", 0), 0u)
        << c.errors[0];
  }
}

// Issue 8, defect 8: a malformed logEvents[i] costs that entry; the others are evaluated.
TEST(RecordReader, ABadLogEventCostsOnlyThatEntry) {
  Collect c = Read("cwl.json",
                   R"({"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s",)"
                   R"("subscriptionFilters":["f"],"logEvents":[)"
                   R"({"id":"1","timestamp":1,"message":"{\"eventName\":\"A\"}"},)"
                   R"({"id":"2","timestamp":2},)"
                   R"({"id":3,"timestamp":3,"message":"{\"eventName\":\"X\"}"},)"
                   R"({"id":"4","timestamp":4,"message":"{\"eventName\":\"D\"}"}]})");
  EXPECT_EQ(c.records, (std::vector<std::string>{"logEvents[0]=A", "logEvents[3]=D"}));
  EXPECT_EQ(c.errors,
            (std::vector<std::string>{"logEvents[1]: logEvents[1].message: expected a string",
                                      "logEvents[2]: logEvents[2].id: expected a string"}));
}

TEST(RecordReader, EmptyInputIsAnError) {
  Collect c = Read("a.json", " \n");
  EXPECT_EQ(c.errors, (std::vector<std::string>{": empty input"}));
}

// A visitor that calls the first record damaged: the reader must go back to it and read the
// rest record by record, reporting nothing for the damaged try.
class DamagedOnce : public Collect {
 public:
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where, Error& error) override {
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
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 2=B"}));
  EXPECT_TRUE(c.errors.empty());
}

// Rejects a record that starts with {"reject":, reading none of it.
class RejectMarked : public Collect {
 public:
  RecordStatus OnRecord(const RecordView& record, const RecordWhere& where, Error& error) override {
    if (std::string_view(record.start, 10) != R"({"reject":)") {
      return Collect::OnRecord(record, where, error);
    }
    error = Error{ErrorCode::kParse, "rejected"};
    return RecordStatus::kRejected;
  }
};

// Fuzz finding (index_differential, 2026-12-01): after a rejected record, the damage that
// follows (here a missing comma) cost the intact record after it. Every intact record is read.
TEST(RecordReader, WhatFollowsARejectedRecordIsRead) {
  const std::string text =
      R"({"Records":[{"eventName":"A"},{"reject":1,"x":{"y":[1]}}{"eventName":"B"}]})";
  RecordReader reader;
  RejectMarked c;
  reader.Read("a.json", text, c);
  EXPECT_EQ(c.records, (std::vector<std::string>{"record 1=A", "record 3=B"}));
  EXPECT_EQ(c.errors, (std::vector<std::string>{"record 2: rejected"}));
}

TEST(RecordWhere, FormatsEachUnit) {
  EXPECT_EQ(RecordWhere(RecordWhere::Unit::kRecord, 12, false).ToString(), "record 13");
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

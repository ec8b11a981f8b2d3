// Runs every case of tests/data/vectors/cwl-filter-patterns.json (docs/pattern-languages.md §1)
// through both the compiled matcher and the reference matcher (each with its own parser), one test
// per case, named by id. Error cases must be rejected by both parsers.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "match/cwl/test_util.h"

namespace tw::match::cwl {
namespace {

// Cases not run, with the reason. At most 10, only `inferred` ones, and only where AWS's
// documentation says otherwise; each is also listed in docs/cwl-filter-patterns.md.
const std::map<std::string, std::string>& Skipped() {
  static const auto* skipped = new std::map<std::string, std::string>{};
  return *skipped;
}

struct Case {
  std::string id;
  std::string name;  // id made into a gtest name
  std::string pattern;
  std::string message;
  bool expect_error = false;
  bool expected = false;
  bool inferred = false;
};

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  const std::string path = std::string(TW_TEST_DATA) + "/vectors/cwl-filter-patterns.json";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(path).get(root) != simdjson::SUCCESS || !root.is_array()) {
    Case missing;
    missing.id = missing.name = "vector_file_unreadable";
    missing.pattern = path;
    missing.expect_error = true;
    cases.push_back(missing);
    return cases;
  }
  std::set<std::string> names;
  simdjson::dom::array all;
  if (root.get_array().get(all) != simdjson::SUCCESS) return cases;
  for (simdjson::dom::element c : all) {
    Case k;
    k.id = std::string(c["id"].get_string().value_unsafe());
    k.pattern = std::string(c["pattern"].get_string().value_unsafe());
    bool flag = false;
    if (c["expected_error"].get_bool().get(flag) == simdjson::SUCCESS) k.expect_error = flag;
    if (c["expected"].get_bool().get(flag) == simdjson::SUCCESS) k.expected = flag;
    if (c["inferred"].get_bool().get(flag) == simdjson::SUCCESS) k.inferred = flag;
    simdjson::dom::element event;
    if (c["event"].get(event) == simdjson::SUCCESS) {
      if (event.is_string()) {
        k.message = std::string(event.get_string().value_unsafe());
      } else {
        k.message = simdjson::minify(event);  // compact, one line
      }
    }
    for (char ch : k.id) {
      k.name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    while (!names.insert(k.name).second) k.name += "_";
    cases.push_back(std::move(k));
  }
  return cases;
}

class CwlVectorTest : public ::testing::TestWithParam<Case> {};

TEST_P(CwlVectorTest, Matches) {
  const Case& c = GetParam();
  if (auto it = Skipped().find(c.id); it != Skipped().end()) {
    ASSERT_TRUE(c.inferred) << "only inferred cases may be skipped";
    GTEST_SKIP() << it->second;
  }
  SCOPED_TRACE("pattern: " + c.pattern + "\nmessage: " + c.message);
  // Two independent parsers: the fast path's and the reference's own. Each must accept or
  // reject the pattern as the vector says, so a parser bug in either shows up here.
  auto compiled = CompileFilterPattern(c.pattern);
  auto reference = reference::ReferenceMatchFilterPattern(c.pattern, c.message);
  if (c.expect_error) {
    EXPECT_FALSE(reference.has_value()) << "the reference parser accepts an error vector";
    ASSERT_FALSE(compiled.has_value()) << "accepted: " << DumpIr(**compiled);
    EXPECT_EQ(compiled.error().code, ErrorCode::kInvalidArgument);
    EXPECT_GT(ErrorColumn(compiled.error()), 0u) << compiled.error().message;
    return;
  }
  ASSERT_TRUE(compiled.has_value()) << compiled.error().message;
  EXPECT_EQ(testing::FastMatches(**compiled, c.message), c.expected)
      << "fast matcher; IR: " << DumpIr(**compiled);
  ASSERT_TRUE(reference.has_value()) << "reference parser: " << reference.error().message;
  EXPECT_EQ(*reference, c.expected) << "reference matcher";
}

INSTANTIATE_TEST_SUITE_P(Vectors, CwlVectorTest, ::testing::ValuesIn(LoadCases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           return param_info.param.name;
                         });

TEST(CwlVectorFile, HasEveryCase) {
  // README: 340 cases (199 match, 129 no-match, 12 error).
  const auto cases = LoadCases();
  size_t match = 0, no_match = 0, error = 0;
  for (const Case& c : cases) (c.expect_error ? error : c.expected ? match : no_match)++;
  EXPECT_EQ(cases.size(), 340u);
  EXPECT_EQ(match, 199u);
  EXPECT_EQ(no_match, 129u);
  EXPECT_EQ(error, 12u);
  EXPECT_LE(Skipped().size(), 10u);
}

}  // namespace
}  // namespace tw::match::cwl

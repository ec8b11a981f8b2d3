// The field cache must not change a single answer: every rule (built-in pack and 1,000
// generated rules in each language) on every event of the gate corpus, evaluated the way the
// scanner does it with one FieldCache shared by all rules of an event, gives the alerts of
// evaluating each rule on its own without a cache. (pipeline/index_exact_test.cc checks a scan end to end:
// the indexed scan uses the cache, the exhaustive scan does not.)
#include "match/field_cache.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "decode/gzip.h"
#include "event/envelope.h"
#include "rules/builtin.h"
#include "rules/loader.h"
#include "rules/rule_set.h"

namespace tw::engine {
namespace {

std::vector<std::string> CorpusLines() {
  std::ifstream in(std::string(TW_SOURCE_DIR) + "/bench/gate/corpus.ndjson.gz", std::ios::binary);
  std::stringstream gz;
  gz << in.rdbuf();
  std::string text;
  EXPECT_TRUE(decode::Gunzip(gz.str(), text));
  std::vector<std::string> lines;
  std::istringstream split(text);
  for (std::string line; std::getline(split, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(FieldCache, CorpusAlertsAreTheSameWithAndWithoutTheCache) {
  std::vector<rules::Rule> all;
  for (const std::string& file : {std::string(), std::string("/bench/rules/gen-1000-cwl.yml"),
                                  std::string("/bench/rules/gen-1000-eb.yml")}) {
    auto rules = file.empty() ? rules::LoadBuiltinRules()
                              : rules::LoadRuleFile(std::string(TW_SOURCE_DIR) + file);
    ASSERT_TRUE(rules) << rules.error().message;
    for (auto& r : *rules) all.push_back(std::move(r));
  }
  auto set = rules::RuleSet::Create(std::move(all));  // assigns the field ids
  const std::vector<std::string> lines = CorpusLines();
  ASSERT_EQ(lines.size(), 2000u);

  simdjson::dom::parser parser;
  event::EnvelopeStorage envelope;
  match::FieldCache cache;
  std::set<std::pair<size_t, size_t>> with, without;  // (event, rule)
  for (size_t e = 0; e < lines.size(); ++e) {
    simdjson::dom::element record;
    ASSERT_EQ(parser.parse(lines[e]).get(record), simdjson::SUCCESS);
    event::BuildEnvelope(record, envelope);
    cache.NextEvent();
    for (size_t r = 0; r < set->rules().size(); ++r) {
      const match::Matcher& m = *set->rules()[r]->matcher;
      match::Subject subject;
      subject.raw = lines[e];
      subject.json = &record;
      if (m.language == match::Language::kEventPattern) subject.envelope = &envelope.envelope;
      if (match::Evaluate(*m.root, subject)) without.insert({e, r});
      subject.fields = &cache;
      if (match::Evaluate(*m.root, subject)) with.insert({e, r});
    }
  }
  EXPECT_GE(without.size(), 300u);  // 378 when written
  EXPECT_EQ(with, without);
  // Most answers came from the memo: every rule shares its fields with many others.
  EXPECT_GT(cache.hits(), 10 * cache.resolutions());
}

}  // namespace
}  // namespace tw::engine

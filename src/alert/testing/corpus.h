// Reads one line of the bundled corpus (tests/data/corpus/real/<source>.ndjson, 1-based, the
// numbering of tests/data/corpus/provenance/). Tests only.
#pragma once

#include <fstream>
#include <string>

namespace tw::alert::testing {

inline std::string CorpusLine(const std::string& source, int line) {
  std::ifstream in(std::string(TW_TEST_DATA) + "/corpus/real/" + source + ".ndjson");
  std::string text;
  for (int i = 0; i < line && std::getline(in, text); ++i) {
  }
  return text;
}

}  // namespace tw::alert::testing

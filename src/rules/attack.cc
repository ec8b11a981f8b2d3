#include "rules/attack.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "rules/diagnostic.h"

namespace tw::rules {

namespace internal {
// The text of rules/attack/enterprise-techniques.tsv; defined in the generated attack_data.cc.
std::string_view EnterpriseTechniquesTsv();
}  // namespace internal

namespace {

bool IsDigits(std::string_view s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// T + 4 digits, optionally . + 3 digits.
bool IsWellFormed(std::string_view id) {
  if (id.size() < 5 || id[0] != 'T' || !IsDigits(id.substr(1, 4), 4)) return false;
  if (id.size() == 5) return true;
  return id.size() == 9 && id[5] == '.' && IsDigits(id.substr(6), 3);
}

struct Table {
  std::vector<AttackTechnique> techniques;
  std::string_view version;
};

// Parses the embedded TSV. The file is part of the build and checked by attack_test.cc, so a
// malformed line is skipped here rather than reported.
Table ParseTable() {
  Table table;
  const std::string_view text = internal::EnterpriseTechniquesTsv();
  constexpr std::string_view kVersionMarker = "version ";
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line[0] == '#') {
      // "... matrix, version 16.1 (...": the first `version <x>` in the header.
      if (const size_t at = line.find(kVersionMarker);
          table.version.empty() && at != std::string_view::npos) {
        std::string_view rest = line.substr(at + kVersionMarker.size());
        table.version = rest.substr(0, rest.find_first_of(" (,"));
      }
      continue;
    }
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos || !IsWellFormed(line.substr(0, tab))) continue;
    table.techniques.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  std::sort(table.techniques.begin(), table.techniques.end(),
            [](const AttackTechnique& a, const AttackTechnique& b) { return a.id < b.id; });
  return table;
}

const Table& GetTable() {
  static const Table table = ParseTable();
  return table;
}

}  // namespace

std::span<const AttackTechnique> AttackTechniques() { return GetTable().techniques; }

std::string_view AttackVersion() { return GetTable().version; }

const AttackTechnique* FindAttackTechnique(std::string_view id) {
  const auto& all = GetTable().techniques;
  const auto it =
      std::lower_bound(all.begin(), all.end(), id,
                       [](const AttackTechnique& t, std::string_view v) { return t.id < v; });
  return it != all.end() && it->id == id ? &*it : nullptr;
}

std::optional<AttackIdProblem> CheckAttackId(std::string_view id) {
  if (!IsWellFormed(id)) {
    return AttackIdProblem{
        fmt::format("`{}` is not an ATT&CK technique id", id),
        "write a technique id, `T1234` or a sub-technique `T1234.001` (tactic ids TAnnnn and "
        "names are not accepted)"};
  }
  if (FindAttackTechnique(id) != nullptr) return std::nullopt;
  std::vector<std::string_view> ids;
  for (const AttackTechnique& t : AttackTechniques()) ids.push_back(t.id);
  const std::string_view closest = ClosestMatch(id, ids);
  std::string hint = closest.empty() ? std::string()
                                     : fmt::format("did you mean `{}` ({})? ", closest,
                                                   FindAttackTechnique(closest)->name);
  hint += fmt::format(
      "the bundled list (rules/attack/enterprise-techniques.tsv, ATT&CK Enterprise v{}) is a "
      "subset: add the technique there if it exists",
      AttackVersion());
  return AttackIdProblem{fmt::format("unknown ATT&CK technique `{}`", id), std::move(hint)};
}

}  // namespace tw::rules

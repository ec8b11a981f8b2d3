// The bundled list of MITRE ATT&CK Enterprise techniques that a rule's `mitre_attack:` key is
// checked against.
//
// The list is rules/attack/enterprise-techniques.tsv (a hand-made subset of ATT&CK Enterprise;
// its header records the version, the source and the licence), embedded at build time by
// embed_attack.cmake. A rule names techniques by id, `T1234` or `T1234.001`; an id that is not
// in the list is a positioned load error, so a typo never ships silently.
//
// Thread-safety: the table is built once, on first use (a function-local static), and is
// immutable afterwards; every function here is thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tw::rules {

struct AttackTechnique {
  std::string_view id;    // "T1562.008"
  std::string_view name;  // "Disable or Modify Cloud Logs"
};

// Every bundled technique, sorted by id.
std::span<const AttackTechnique> AttackTechniques();

// The ATT&CK version the bundled list was transcribed from, e.g. "16.1" (the `version` line of
// the file's header); empty when the header has none.
std::string_view AttackVersion();

// The technique with exactly this id; nullptr when the id is not in the bundled list.
const AttackTechnique* FindAttackTechnique(std::string_view id);

// Why `id` cannot be used in `mitre_attack:` (nullopt: it can). `message` is one line, `hint`
// says what to write instead: for a malformed id the expected form, for an unknown one the
// closest bundled id, or where the list lives.
struct AttackIdProblem {
  std::string message;
  std::string hint;
};
std::optional<AttackIdProblem> CheckAttackId(std::string_view id);

}  // namespace tw::rules

// Sigma rule files: a Sigma document in, a trailwatch Rule (with its Sigma metadata) out.
//
// Two forms are loaded (docs/sigma.md):
//
//   * a plain Sigma file, recognised by top-level `logsource` and `detection` keys, exactly as
//     SigmaHQ publishes it;
//   * a trailwatch rule file whose `sigma:` key holds the Sigma document, next to optional
//     trailwatch keys that override what is derived from it: `id`, `title`, `severity`,
//     `description`, `references`, `tags`, `mitre_attack`. This is what `trailwatch rules
//     import-sigma` prints, for a user to take over and edit.
//
// Only `logsource: {product: aws, service: cloudtrail}` is accepted; any other logsource is a
// positioned error naming it. The detection is compiled by sigma_compiler.h into a Matcher of
// language match::Language::kSigma whose text is the `detection:` block as written.
//
// Metadata mapping: `level` -> severity (informational -> info, low, medium, high, critical;
// absent -> medium); `tags` `attack.tNNNN[.NNN]` -> mitre_attack `TNNNN[.NNN]`, other tags ->
// tags; `falsepositives` -> a "False positives:" note in the description; `references` ->
// references; `author`, the Sigma `id` and `license` -> a credit line in the description. Our
// rule id is `sigma-` + the first 8 characters of the Sigma id (lower-cased), or `sigma-` + a
// slug of the title when the rule has no id.
//
// Thread-safety: the functions are reentrant and pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/diagnostic.h"
#include "rules/rule.h"
#include "rules/yaml_adapter.h"

namespace tw::rules::sigma {

struct SigmaRule {
  Rule rule;                              // id, title, severity, description, references, matcher
  std::string sigma_id;                   // the Sigma `id` (a UUID), empty when absent
  std::string author;                     // as written, empty when absent
  std::vector<std::string> tags;          // Sigma tags that are not ATT&CK technique ids
  std::vector<std::string> mitre_attack;  // "T1562.008", from attack.t1562.008
  std::vector<std::string> falsepositives;
  std::string sigma_text;  // the Sigma document as written (for import)
};

struct SigmaLoadResult {
  std::vector<SigmaRule> rules;  // empty when `diagnostics` is not
  std::vector<Diagnostic> diagnostics;
};

// True when the first YAML document of `text` is a mapping with a `sigma` key, or with both
// `logsource` and `detection` keys. False for text that is not YAML.
bool IsSigmaRuleText(std::string_view text);

// The same test on the first document of a file already parsed with ParseYaml.
bool IsSigmaRuleDocument(const YamlNode& first);

// Loads the Sigma rule in `text` (either form), reported as `display_name`. A file holds one
// rule: Sigma rule collections (several documents) are reported.
SigmaLoadResult LoadSigmaRules(std::string_view text, std::string_view display_name);

// The trailwatch rule file for `rule` in the `sigma:` form, for `rules import-sigma`: the
// derived metadata as editable keys, then the original Sigma document, verbatim, under `sigma:`.
std::string RenderImportedRule(const SigmaRule& rule, std::string_view source_name);

// "informational" -> kInfo, "low", "medium", "high", "critical"; nullopt otherwise.
std::optional<Severity> SeverityFromSigmaLevel(std::string_view level);

// Splits Sigma tags: `attack.t1078.004` -> "T1078.004" in `mitre_attack`, everything else in
// `tags` as written.
void SplitSigmaTags(const std::vector<std::string>& sigma_tags, std::vector<std::string>& tags,
                    std::vector<std::string>& mitre_attack);

// Our rule id for a Sigma rule (see above).
std::string SigmaRuleId(std::string_view sigma_id, std::string_view title);

}  // namespace tw::rules::sigma

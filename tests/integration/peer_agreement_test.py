#!/usr/bin/python3
"""Agreement of the built-in pack with the peers' labelled cases (tests/data/corpus/labels).

Every labelled case is replayed through the real binary in one `trailwatch scan --format json`
run (tools/peer_agreement.py) and compared with the trailwatch rule(s) tests/data/peer-map.tsv maps
its peer rule to. The test fails when
  * a peer rule with labelled cases is missing from the map, or the map names an unknown rule;
  * recall over the mapped positive cases drops below 95%;
  * a disagreeing case has no reason in the map;
  * the outcome differs from docs/peer-agreement.md: a case that the document lists as agreeing
    now disagrees (or the reverse). Regenerate the document with tools/peer_agreement.py after an
    intended change, and explain any new disagreement in the map.
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import REPO, TRAILWATCH  # noqa: E402

sys.path.insert(0, os.path.join(REPO, "tools"))
import peer_agreement as PA  # noqa: E402

DOC = os.path.join(REPO, "docs", "peer-agreement.md")
CASE = re.compile(r"^- `([^`]+)` (peer fires, trailwatch does not|trailwatch fires, peer does not):", re.M)


class PeerAgreement(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mapping, cls.cases, cls.results, cls.problems = PA.evaluate(TRAILWATCH)

    def test_map_covers_every_peer_rule_and_names_real_rules(self):
        self.assertEqual(self.problems, [])
        peer_rules = {(c["peer"], c["rule"]) for c in self.cases}
        self.assertEqual(len(peer_rules), 158)  # the labelled peer rules in tests/data/corpus/labels
        self.assertEqual(set(self.mapping), peer_rules)

    def test_every_case_is_replayed(self):
        self.assertEqual(len(self.cases), 540)  # lines of the three labels files

    def test_recall_over_mapped_positives_is_at_least_95_percent(self):
        positives = [r for r in self.results if r["expect"]]
        caught = sum(r["got"] for r in positives)
        self.assertGreater(len(positives), 150)
        self.assertGreaterEqual(caught / len(positives), 0.95, f"{caught}/{len(positives)}")

    def test_disagreements_are_exactly_those_documented(self):
        with open(DOC, encoding="utf-8") as fh:
            doc = fh.read()
        documented = {(m.group(1), m.group(2).startswith("peer")) for m in CASE.finditer(doc)}
        actual = {(f"{r['file']}:{r['line']}", r["expect"]) for r in self.results if r["got"] != r["expect"]}
        self.assertEqual(sorted(actual - documented), [], "cases that disagree but docs/peer-agreement.md "
                         "lists as agreeing (explain them in tests/data/peer-map.tsv, regenerate the doc)")
        self.assertEqual(sorted(documented - actual), [], "cases the doc lists as disagreeing that now "
                         "agree (regenerate docs/peer-agreement.md)")

    def test_document_is_the_generated_one(self):
        with open(DOC, encoding="utf-8") as fh:
            self.assertEqual(fh.read(), PA.render(self.mapping, self.cases, self.results),
                             "docs/peer-agreement.md is stale: run tools/peer_agreement.py --bin ... --write "
                             "docs/peer-agreement.md")


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/python3
"""Tests of the quamina comparison's pattern files (stdlib unittest): quamina and trailwatch get
the same patterns under the same ids, and the committed files are what gen_rules.py writes.
Run: /usr/bin/python3 bench/gen_rules_test.py"""

import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_rules  # noqa: E402

RULES = os.path.join(HERE, "rules")
# Operators both quamina v1.5.1 and trailwatch implement (bench/README.md, "quamina").
COMMON_OPERATORS = {"prefix", "wildcard", "anything-but", "exists"}


def read_yaml_patterns(path, key):
    """[(id, parsed JSON of `key`)] from a gen_rules.py YAML file (its fixed layout; no yaml)."""
    out, rule_id = [], None
    with open(path) as f:
        for line in f:
            if line.startswith("- id: "):
                rule_id = line[len("- id: "):].strip()
            elif line.startswith("  %s: '" % key):
                text = line.rstrip("\n")[len("  %s: '" % key):-1].replace("''", "'")
                out.append((rule_id, json.loads(text)))
    return out


def read_jsonl(path):
    with open(path) as f:
        return [(d["id"], d["pattern"]) for d in map(json.loads, f) if d]


def leaves(pattern, path=()):
    """(field path, list of matchers) for every leaf of an EventBridge pattern."""
    for key, value in pattern.items():
        if isinstance(value, dict):
            yield from leaves(value, path + (key,))
        else:
            yield path + (key,), value


class QuaminaPatternFilesTest(unittest.TestCase):
    def test_both_sides_have_the_same_patterns_under_the_same_ids(self):
        for name, count in (("quamina-42", 42), ("quamina-1000", 1000)):
            q = read_jsonl(os.path.join(RULES, name + ".eb.jsonl"))
            tw = read_yaml_patterns(os.path.join(RULES, name + ".yml"), "event_pattern")
            self.assertEqual(len(q), count, name)
            self.assertEqual(len(tw), count, name)
            self.assertEqual(len({i for i, _ in q}), count, name + ": ids are unique")
            for (qid, qp), (tid, tp) in zip(q, tw):
                self.assertEqual(qid, tid)
                self.assertEqual(tp, {"detail": qp}, qid)

    def test_committed_files_regenerate_identically(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.devnull, "w") as null:
                stdout, sys.stdout = sys.stdout, null
                try:
                    gen_rules.write_quamina(d, 1)
                finally:
                    sys.stdout = stdout
            for name in sorted(os.listdir(d)):
                with open(os.path.join(d, name)) as a, open(os.path.join(RULES, name)) as b:
                    self.assertEqual(a.read(), b.read(), name + " is stale: gen_rules.py --quamina")

    def test_the_42_test_top_level_fields_only(self):
        for rule_id, pattern in read_jsonl(os.path.join(RULES, "quamina-42.eb.jsonl")):
            for path, _ in leaves(pattern):
                self.assertEqual(len(path), 1, "%s reaches %s" % (rule_id, ".".join(path)))

    def test_the_1000_are_gen_1000_eb_without_the_envelope(self):
        eb = read_yaml_patterns(os.path.join(RULES, "gen-1000-eb.yml"), "event_pattern")
        q = read_jsonl(os.path.join(RULES, "quamina-1000.eb.jsonl"))
        nested = 0
        for (_, full), (rule_id, pattern) in zip(eb, q):
            detail = json.loads(json.dumps(full["detail"]).replace(
                '{"anything-but": "AwsServiceEvent"}', '{"anything-but": ["AwsServiceEvent"]}'))
            self.assertEqual(pattern, detail, rule_id)
            nested += any(len(path) > 1 for path, _ in leaves(pattern))
        # gen_rules.py's mix: ~15% nested identity fields + ~8% nested request parameters + a
        # share of the unanchored; 253 of 1000 with seed 1 (counted with grep).
        self.assertEqual(nested, 253)

    def test_only_operators_both_sides_implement(self):
        for name in ("quamina-42", "quamina-1000"):
            for rule_id, pattern in read_jsonl(os.path.join(RULES, name + ".eb.jsonl")):
                for path, matchers in leaves(pattern):
                    self.assertIsInstance(matchers, list, rule_id)
                    for m in matchers:
                        if isinstance(m, dict):
                            self.assertLessEqual(set(m), COMMON_OPERATORS, rule_id)
                            if "anything-but" in m:  # quamina v1.5.1: string lists only
                                self.assertIsInstance(m["anything-but"], list, rule_id)
                        else:
                            self.assertIsInstance(m, (str, bool), rule_id)


if __name__ == "__main__":
    unittest.main()

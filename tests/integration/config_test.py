"""End-to-end tests of `trailwatch config check` and `trailwatch config example`."""

import os
import re
import subprocess
import tempfile
import unittest

from twtest import REPO, TIMEOUT, TRAILWATCH

# What the example config refers to (src/config/example_config.cc).
EXAMPLE_ENV = {"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/X",
               "FIREHOSE_ACCESS_KEY": "firehose-key-value"}
EXAMPLE_FILES = ["token.txt", "bot-token.txt", "hmac.txt"]


def run(args, cwd=None, env=None, stdin=b""):
    full_env = {k: v for k, v in os.environ.items()
                if k not in EXAMPLE_ENV and not k.startswith("TW_TEST_")}
    full_env.update(env or {})
    proc = subprocess.run([TRAILWATCH] + args, input=stdin, capture_output=True, cwd=cwd,
                          env=full_env, timeout=TIMEOUT)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


class ConfigExampleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_example_is_the_shipped_file(self):
        rc, out, err = run(["config", "example"])
        self.assertEqual(rc, 0, err)
        with open(os.path.join(REPO, "deploy", "trailwatch.example.yml")) as f:
            self.assertEqual(out, f.read())

    def test_example_passes_check_with_what_it_refers_to(self):
        rc, example, _ = run(["config", "example"])
        self.assertEqual(rc, 0)
        path = self.write("trailwatch.yml", example)
        for name in EXAMPLE_FILES:
            self.write(name, "secret-" + name + "\n")
        rc, out, err = run(["config", "check", path], env=EXAMPLE_ENV)
        self.assertEqual(rc, 0, err)
        self.assertIn("valid (4 sources, 5 sinks", out)
        self.assertEqual(err, "")
        # The same through standard input (files relative to the working directory).
        rc, out, err = run(["config", "check", "-"], cwd=self.dir, env=EXAMPLE_ENV,
                           stdin=example.encode())
        self.assertEqual(rc, 0, err)
        self.assertIn("<stdin>: valid", out)

    def test_example_without_its_environment_names_the_variables(self):
        rc, example, _ = run(["config", "example"])
        path = self.write("trailwatch.yml", example)
        rc, out, err = run(["config", "check", path], env={})
        self.assertEqual(rc, 2)
        self.assertIn("environment variable `SLACK_WEBHOOK_URL` is not set", err)
        self.assertIn("environment variable `FIREHOSE_ACCESS_KEY` is not set", err)
        self.assertIn("trailwatch: error: %s: invalid config" % path, err)


class ConfigCheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, text, env=None):
        path = os.path.join(self.dir, "c.yml")
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = run(["config", "check", path], env=env)
        return rc, out, err, path

    def test_minimal_valid(self):
        rc, out, err, path = self.check("timezone: Asia/Seoul\nsinks:\n  - {type: stdout}\n")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"^%s: valid \(0 sources, 1 sink, \d+ rules\)\n$" % re.escape(path))

    def test_unknown_key_with_did_you_mean(self):
        rc, out, err, path = self.check("timezone: UTC\nshutdown_grase: 5s\n")
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertIn("%s:2:1: error: unknown key `shutdown_grase` in the config\n" % path, err)
        self.assertIn("  shutdown_grase: 5s\n  ^\n  hint: did you mean `shutdown_grace`?", err)

    def test_wrong_type_is_positioned(self):
        rc, _, err, path = self.check("sinks:\n  - {type: stdout, format: [json]}\n")
        self.assertEqual(rc, 2)
        self.assertIn("%s:2:28: error: `format` must be a string, not a list" % path, err)

    def test_unknown_rule_id_in_override(self):
        rc, _, err, path = self.check(
            "overrides:\n  authorization-failur: {schedule: outside_business_hours}\n")
        self.assertEqual(rc, 2)
        self.assertIn("%s:2:3: error: unknown rule id `authorization-failur` in override" % path,
                      err)
        self.assertIn("hint: did you mean `authorization-failure`?", err)

    def test_override_of_a_users_rule(self):
        os.mkdir(os.path.join(self.dir, "my-rules"))
        with open(os.path.join(self.dir, "my-rules", "r.yml"), "w") as f:
            f.write("id: my-rule\ntitle: t\nseverity: low\ndescription: d\n"
                    "filter_pattern: '{ $.eventName = X }'\nschedule: inside_business_hours\n")
        rc, out, err, _ = self.check("rules: [my-rules/]\nbuiltin_rules: false\n"
                                     "overrides:\n  my-rule: {dedupe: false}\n")
        self.assertEqual(rc, 0, err)
        self.assertIn("1 rule)", out)

    def test_secret_never_echoed(self):
        secret = "xoxb-never-show-this-0123456789"
        rc, _, err, _ = self.check(
            "sinks:\n  - {type: slack_api, token: \"%s\", channel: [c], api_url: nope}\n"
            "  - {type: slack, webhook_url: \"${HOOK}\"}\n" % secret,
            env={"HOOK": "not-a-url-" + secret})
        self.assertEqual(rc, 2)
        self.assertIn("`channel` must be a string", err)
        self.assertIn("`webhook_url` must be an http:// or https:// URL", err)
        self.assertNotIn(secret, err)
        self.assertNotIn("never-show", err)

    def test_secret_file_missing(self):
        rc, _, err, path = self.check("sinks:\n  - {type: slack, webhook_url_file: hook.txt}\n")
        self.assertEqual(rc, 2)
        self.assertIn("%s:2:37: error: cannot read `webhook_url_file`: %s: no such file"
                      % (path, os.path.join(self.dir, "hook.txt")), err)

    def test_unreadable_config(self):
        rc, out, err = run(["config", "check", os.path.join(self.dir, "none.yml")])
        self.assertEqual(rc, 2)
        self.assertIn("cannot read the config", err)

    def test_usage(self):
        rc, _, err = run(["config", "check"])
        self.assertEqual(rc, 2)
        rc, _, err = run(["config"])
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()

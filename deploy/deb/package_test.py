#!/usr/bin/python3
"""Checks `make install` (cmake --install with PREFIX and DESTDIR) and `make deb` on a finished
build, and the systemd unit with systemd-analyze.

Environment (set by deploy/CMakeLists.txt): TW_BUILD_DIR, TW_REPO, TRAILWATCH (the built binary).
"""
import gzip
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["TW_BUILD_DIR"]
REPO = os.environ["TW_REPO"]
TRAILWATCH = os.environ["TRAILWATCH"]


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=240, **kw)


def unit_settings(text):
    """key -> list of values of a unit file (comments and section headers left out)."""
    settings = {}
    for line in text.splitlines():
        if not line or line.startswith(("#", "[")):
            continue
        key, _, value = line.partition("=")
        settings.setdefault(key, []).append(value)
    return settings


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tw-package-")
        out = run([os.path.join(REPO, "deploy/deb/build_deb.sh"), BUILD, cls.tmp])
        assert out.returncode == 0, out.stderr
        cls.deb = out.stdout.strip()
        cls.version = run([TRAILWATCH, "--version"]).stdout.split()[1]
        cls.arch = run(["dpkg", "--print-architecture"]).stdout.strip()
        cls.root = os.path.join(cls.tmp, "root")
        assert run(["dpkg-deb", "-x", cls.deb, cls.root]).returncode == 0

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_name_and_control(self):
        self.assertEqual(os.path.basename(self.deb),
                         "trailwatch_%s_%s.deb" % (self.version, self.arch))
        info = run(["dpkg-deb", "-I", self.deb])
        self.assertEqual(info.returncode, 0, info.stderr)
        fields = dict(re.findall(r"^ (\S+): (.*)$", info.stdout, re.M))
        self.assertEqual(fields["Package"], "trailwatch")
        self.assertEqual(fields["Version"], self.version)
        self.assertEqual(fields["Architecture"], self.arch)
        for dep in ("libc6 (>= ", "libcurl4", "libsimdjson", "libyaml-cpp", "libsqlite3-0"):
            self.assertIn(dep, fields["Depends"])
        conffiles = run(["dpkg-deb", "-I", self.deb, "conffiles"]).stdout.split()
        self.assertEqual(conffiles, ["/etc/trailwatch/trailwatch.example.yml"])

    def test_file_list(self):
        listing = run(["dpkg-deb", "-c", self.deb]).stdout.splitlines()
        files = {}
        for line in listing:
            mode, owner, _size, _date, _time, path = line.split(None, 5)
            self.assertEqual(owner, "root/root", line)
            if not mode.startswith("d"):
                files[path] = mode
        self.assertEqual(files, {
            "./usr/bin/trailwatch": "-rwxr-xr-x",
            "./usr/share/man/man1/trailwatch.1.gz": "-rw-r--r--",
            "./usr/lib/systemd/system/trailwatch.service": "-rw-r--r--",
            "./etc/trailwatch/trailwatch.example.yml": "-rw-r--r--",
        })

    def test_binary_runs_and_is_stripped(self):
        binary = os.path.join(self.root, "usr/bin/trailwatch")
        out = run([binary, "--version"])
        self.assertEqual(out.stdout.strip(), "trailwatch " + self.version)
        self.assertNotIn(".debug_info", run(["readelf", "-SW", binary]).stdout)

    def test_example_config_is_the_repos(self):
        with open(os.path.join(self.root, "etc/trailwatch/trailwatch.example.yml")) as f, \
             open(os.path.join(REPO, "deploy/trailwatch.example.yml")) as g:
            self.assertEqual(f.read(), g.read())

    def test_man_page(self):
        with gzip.open(os.path.join(self.root, "usr/share/man/man1/trailwatch.1.gz"), "rt") as f:
            page = f.read()
        self.assertTrue(page.startswith('.TH TRAILWATCH 1 "" "trailwatch %s"' % self.version))
        sections = re.findall(r'^\.SS "trailwatch ([^"]+)"$', page, re.M)
        top = run([TRAILWATCH, "--help"]).stdout
        listed = re.findall(r"^  (\w[\w-]*)\s{2,}", top.split("Subcommands:")[1], re.M)
        self.assertGreaterEqual(len(listed), 5)
        for command in listed:  # every command of --help has its section
            self.assertIn(command, sections)
        self.assertIn("rules list", sections)
        self.assertIn("\\-\\-config FILE", page)  # watch's option, escaped for roff
        if shutil.which("groff"):
            out = run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=page,
                      env={"LC_ALL": "C.UTF-8", "PATH": os.environ["PATH"]})
            self.assertEqual((out.returncode, out.stderr), (0, ""))

    def test_unit(self):
        with open(os.path.join(self.root, "usr/lib/systemd/system/trailwatch.service")) as f:
            unit = f.read()
        s = unit_settings(unit)
        self.assertEqual(s["ExecStart"],
                         ["/usr/bin/trailwatch watch --config /etc/trailwatch/trailwatch.yml"])
        self.assertEqual(s["ConditionPathExists"], ["/etc/trailwatch/trailwatch.yml"])
        for key, value in (("DynamicUser", "yes"), ("ProtectSystem", "strict"),
                           ("StateDirectory", "trailwatch"), ("NoNewPrivileges", "yes"),
                           ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                           ("CapabilityBoundingSet", ""), ("RestartPreventExitStatus", "2")):
            self.assertEqual(s.get(key), [value], key)

    def test_unit_passes_systemd_analyze_verify(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze is not installed")
        with open(os.path.join(self.root, "usr/lib/systemd/system/trailwatch.service")) as f:
            unit = f.read()
        # verify checks that ExecStart's binary exists: point it at the extracted one.
        binary = os.path.join(self.root, "usr/bin/trailwatch")
        unit = unit.replace("/usr/bin/trailwatch", binary)
        path = os.path.join(self.tmp, "trailwatch.service")
        with open(path, "w") as f:
            f.write(unit)
        out = run(["systemd-analyze", "verify", "--man=no", path])
        # Unknown keys and bad values are only warnings (exit 0): any output fails too.
        self.assertEqual((out.returncode, out.stdout + out.stderr), (0, ""))

    def test_install_honours_prefix_and_destdir(self):
        dest = os.path.join(self.tmp, "destdir")
        out = run(["cmake", "--install", BUILD, "--prefix", "/opt/tw"],
                  env=dict(os.environ, DESTDIR=dest))
        self.assertEqual(out.returncode, 0, out.stderr)
        found = sorted(os.path.relpath(os.path.join(d, f), dest)
                       for d, _, fs in os.walk(dest) for f in fs)
        self.assertEqual(found, ["opt/tw/bin/trailwatch",
                                 "opt/tw/etc/trailwatch/trailwatch.example.yml",
                                 "opt/tw/lib/systemd/system/trailwatch.service",
                                 "opt/tw/share/man/man1/trailwatch.1.gz"])
        with open(os.path.join(dest, "opt/tw/lib/systemd/system/trailwatch.service")) as f:
            s = unit_settings(f.read())
        self.assertEqual(s["ExecStart"],
                         ["/opt/tw/bin/trailwatch watch --config /opt/tw/etc/trailwatch/trailwatch.yml"])


if __name__ == "__main__":
    unittest.main(verbosity=2)

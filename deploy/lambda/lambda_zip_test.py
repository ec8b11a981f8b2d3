#!/usr/bin/python3
"""Checks the Lambda package (make lambda-zip) as Lambda will see it.

Environment (set by deploy/CMakeLists.txt): TW_LAMBDA_ZIP (the zip), TW_LAMBDA_LOADER (the
loader's file name, e.g. ld-linux-x86-64.so.2), TRAILWATCH (the ordinary build, for its version).

What the package must be (docs/deploy.md, "The Lambda package"): `bootstrap` at the root,
executable, with PT_INTERP /var/task/lib/<loader> and DT_RPATH $ORIGIN/lib; every library it
loads in lib/, glibc included, and nothing else (no libcurl and no cpp-httplib: the transport
is src/http/socket_http_client.cc); re2, yaml-cpp, libdeflate, SQLite, pugixml, OpenSSL
(libssl, libcrypto) and zlib linked in statically. It must start with an empty LD_LIBRARY_PATH and with Lambda's own LD_LIBRARY_PATH
(which lists the image's /lib64 first) and still load only what is in lib/.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import zipfile

ZIP = os.environ["TW_LAMBDA_ZIP"]
LOADER = os.environ["TW_LAMBDA_LOADER"]
TRAILWATCH = os.environ["TRAILWATCH"]
# What Lambda sets for provided.al2023 (AWS docs, "Defined runtime environment variables").
LAMBDA_LD_LIBRARY_PATH = "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:" \
                         "/var/task:/var/task/lib:/opt/lib"
STATIC = ("libre2", "libyaml-cpp", "libdeflate", "libsqlite3", "libpugixml", "libssl",
          "libcrypto", "libz")
FORBIDDEN = tuple("lib/" + n for n in ("libcurl", "libgnutls", "libkrb5", "libgssapi", "libldap",
                                       "librtmp", "libssh", "libnghttp2", "libsasl2",
                                       "libcpp-httplib", "libbrotli"))
MAX_LIBS = 8  # the loader, glibc's libc and libm, and 5 others today (docs/deploy.md)


def run(args, env=None, cwd=None):
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


class LambdaZipTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tw-lambda-zip-")
        cls.task = os.path.join(cls.tmp, "task")
        with zipfile.ZipFile(ZIP) as z:
            cls.infos = z.infolist()
            z.extractall(cls.task)
        for info in cls.infos:  # zipfile does not restore modes
            mode = info.external_attr >> 16
            if mode:
                os.chmod(os.path.join(cls.task, info.filename), stat.S_IMODE(mode))
        cls.bootstrap = os.path.join(cls.task, "bootstrap")
        cls.loader = os.path.join(cls.task, "lib", LOADER)
        cls.libdir = os.path.join(cls.task, "lib")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def mode(self, name):
        return stat.S_IMODE(next(i for i in self.infos if i.filename == name).external_attr >> 16)

    def resolved(self, ld_library_path):
        """soname -> path, as the bundled loader resolves bootstrap's libraries (ldd's --list)."""
        out = run([self.loader, "--list", self.bootstrap],
                  env={"LD_LIBRARY_PATH": ld_library_path, "PATH": "/usr/bin:/bin"})
        self.assertEqual(out.returncode, 0, out.stderr)
        libs = {}
        for line in out.stdout.splitlines():
            line = line.strip()
            if line.startswith("linux-vdso") or line.startswith("linux-gate"):
                continue
            self.assertNotIn("not found", line)
            m = re.match(r"(\S+) => (\S+) \(0x[0-9a-f]+\)$", line)
            if m:  # the loader appears as "<PT_INTERP> => <the file used>"
                libs[os.path.basename(m.group(1))] = m.group(2)
            else:  # the loader's own line: "/path/to/ld.so (0x...)"
                m = re.match(r"(/\S+) \(0x[0-9a-f]+\)$", line)
                self.assertIsNotNone(m, line)
                libs[os.path.basename(m.group(1))] = m.group(1)
        return libs

    def test_contents(self):
        names = [i.filename for i in self.infos]
        self.assertIn("bootstrap", names)
        for name in names:
            self.assertTrue(name == "bootstrap" or name.startswith("lib/"), name)
            self.assertNotIn("/", name[len("lib/"):].rstrip("/"), name)  # no sub-folders
        self.assertEqual(self.mode("bootstrap"), 0o755)
        self.assertEqual(self.mode("lib/" + LOADER), 0o755)
        for lib in ("libc.so.6", "libm.so.6", "libstdc++.so.6", "libsimdjson.so.14"):
            self.assertIn("lib/" + lib, names)
        # The bootstrap's HTTP transport is SocketHttpClient (src/http/transport_socket.cc) over
        # static OpenSSL: libcurl and what only libcurl needs (GnuTLS, Kerberos, LDAP, RTMP, SSH
        # ...), cpp-httplib and its brotli are not loaded.
        for name in names:
            self.assertFalse(name.startswith(FORBIDDEN), name)
        # Few libraries: the dynamic loader's work at every cold start grows with their number.
        self.assertLessEqual(len([n for n in names if n.startswith("lib/") and n != "lib/"]),
                             MAX_LIBS)
        for name in names:
            self.assertFalse(any(name.startswith("lib/" + s + ".") for s in STATIC), name)

    def test_elf_interpreter_and_rpath(self):
        prog = run(["readelf", "-lW", self.bootstrap]).stdout
        self.assertIn("[Requesting program interpreter: /var/task/lib/%s]" % LOADER, prog)
        dyn = run(["readelf", "-dW", self.bootstrap]).stdout
        self.assertRegex(dyn, r"\(RPATH\)\s+Library rpath: \[\$ORIGIN/lib\]")
        self.assertNotIn("RUNPATH", dyn)  # RUNPATH would come after Lambda's LD_LIBRARY_PATH
        needed = re.findall(r"Shared library: \[([^\]]+)\]", dyn)
        for lib in needed:
            self.assertFalse(lib.startswith(tuple(s + "." for s in STATIC)),
                             "%s should be linked statically" % lib)

    def test_every_library_resolves_into_the_package(self):
        for ld_path in ("", LAMBDA_LD_LIBRARY_PATH + ":/lib/x86_64-linux-gnu:/lib/aarch64-linux-gnu"):
            libs = self.resolved(ld_path)
            for soname, path in libs.items():
                self.assertEqual(os.path.dirname(os.path.realpath(path)),
                                 os.path.realpath(self.libdir), "%s => %s" % (soname, path))
            # and lib/ holds nothing that is not loaded
            self.assertEqual(sorted(libs), sorted(os.listdir(self.libdir)))

    def test_ldd(self):
        """ldd itself (it runs the system's loader, so the interpreter line names that one)."""
        out = run(["ldd", self.bootstrap], env={"LD_LIBRARY_PATH": "", "PATH": "/usr/bin:/bin"})
        self.assertEqual(out.returncode, 0, out.stderr)
        resolved = re.findall(r"^\s*(\S+) => (\S+) \(0x", out.stdout, re.M)
        self.assertGreater(len(resolved), 5, out.stdout)
        for soname, path in resolved:
            if soname == "/var/task/lib/" + LOADER:
                continue
            self.assertEqual(os.path.dirname(os.path.realpath(path)),
                             os.path.realpath(self.libdir), "%s => %s" % (soname, path))
        self.assertNotIn("not found", out.stdout)

    def test_bootstrap_starts(self):
        want = run([TRAILWATCH, "--version"]).stdout.strip()
        self.assertTrue(want.startswith("trailwatch "), want)
        for ld_path in ("", LAMBDA_LD_LIBRARY_PATH):
            out = run([self.loader, self.bootstrap, "--version"],
                      env={"LD_LIBRARY_PATH": ld_path}, cwd=self.tmp)
            self.assertEqual((out.returncode, out.stdout.strip()), (0, want), out.stderr)
        # --help unwinds a C++ exception inside CLI11: the bundled libgcc_s/libstdc++ work.
        out = run([self.loader, self.bootstrap, "--help"], env={"LD_LIBRARY_PATH": ""})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("watch", out.stdout)

    def test_bootstrap_starts_from_var_task(self):
        """Exec bootstrap directly at /var/task, as Lambda does, in a private mount namespace.
        Needs unshare(1) and the right to mount; without them this case is skipped."""
        script = ("mount -t tmpfs tw-var /var && mkdir /var/task && mount --bind \"$0\" /var/task"
                  " && cd /var/task && exec env -i LD_LIBRARY_PATH=\"$1\" ./bootstrap --version")
        probe = run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tw-probe /mnt"])
        if probe.returncode != 0:
            self.skipTest("cannot mount in a private namespace here: " + probe.stderr.strip())
        out = run(["unshare", "-m", "sh", "-c", script, self.task, LAMBDA_LD_LIBRARY_PATH])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(out.stdout.startswith("trailwatch "), out.stdout)

    def test_glibc_versions_are_the_bundled_ones(self):
        """The highest GLIBC_ version any file needs is provided by the bundled libc (this is why
        glibc is bundled: Debian 12's libstdc++ needs GLIBC_2.36, Amazon Linux 2023 has 2.34)."""
        def versions(path, flag):
            out = run(["objdump", flag, path]).stdout
            return {tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)}
        needed = set()
        for f in [self.bootstrap] + [os.path.join(self.libdir, n) for n in os.listdir(self.libdir)]:
            needed |= versions(f, "-T")
        provided = versions(os.path.join(self.libdir, "libc.so.6"), "-T")
        print("highest GLIBC_ version needed: %s" % ".".join(map(str, max(needed))), file=sys.stderr)
        self.assertLessEqual(max(needed), max(provided))


if __name__ == "__main__":
    unittest.main(verbosity=2)

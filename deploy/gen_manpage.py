#!/usr/bin/python3
"""Writes trailwatch(1) from the binary's own --help texts, so the man page cannot drift.

    gen_manpage.py TRAILWATCH OUTPUT

Runs `TRAILWATCH --help`, then `--help` of every subcommand it lists (recursively: `rules list`,
`alerts retry`, ...), and writes a man(7) page: NAME and SYNOPSIS from the top-level help, one
subsection per command with its help text verbatim, and fixed FILES, ENVIRONMENT, EXIT STATUS
and SEE ALSO sections. OUTPUT ending in .gz is gzipped without a time stamp (gzip -n), as Debian
wants. No date is written, so the page depends only on the binary.
"""
import gzip
import re
import subprocess
import sys


def help_text(binary, path):
    out = subprocess.run([binary, *path, "--help"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit("gen_manpage: `%s --help` exited %d: %s" % (" ".join(["trailwatch", *path]),
                                                          out.returncode, out.stderr))
    return out.stdout.rstrip("\n")


def subcommands(text):
    """Names listed under "Subcommands:" in a CLI11 help text."""
    names, inside = [], False
    for line in text.splitlines():
        if line.strip() == "Subcommands:":
            inside = True
        elif inside and re.match(r"^  (\S+)\s", line):
            names.append(line.split()[0])
        elif inside and line.strip() == "":
            inside = False
    return names


def roff(text):
    """Escapes text for a .nf block: backslashes, and a leading . or ' that roff would eat."""
    lines = []
    for line in text.splitlines():
        line = line.replace("\\", "\\e").replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_manpage.py TRAILWATCH OUTPUT")
    binary, output = sys.argv[1:]
    version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             timeout=30).stdout.split()[-1]
    top = help_text(binary, [])
    summary = top.splitlines()[0]
    summary = re.sub(r"^trailwatch:\s*", "", summary).rstrip(".")

    commands = []  # (path, help text), depth first in the order the help lists them
    def walk(path):
        text = help_text(binary, path)
        if path:
            commands.append((path, text))
        for name in subcommands(text):
            walk(path + [name])
    walk([])

    page = [
        '.TH TRAILWATCH 1 "" "trailwatch %s" "User Commands"' % version,
        ".SH NAME",
        "trailwatch \\- %s" % roff(summary),
        ".SH SYNOPSIS",
        ".B trailwatch",
        ".I COMMAND",
        "[\\fIOPTIONS\\fR] [\\fIINPUT\\fR...]",
        ".br",
        ".B trailwatch",
        "[\\fB\\-\\-help\\fR] [\\fB\\-\\-version\\fR]",
        ".SH DESCRIPTION",
        ".nf",
        roff(top),
        ".fi",
        ".SH COMMANDS",
    ]
    for path, text in commands:
        page += ['.SS "trailwatch %s"' % " ".join(path), ".nf", roff(text), ".fi"]
    page += [
        ".SH EXIT STATUS",
        "Each command documents its exit statuses in its help above. In general: 0 success, "
        "1 some input or a running source failed, 2 a usage, rule or config error, 3 standard "
        "output could not be written.",
        ".SH ENVIRONMENT",
        ".TP", ".B SLACK_WEBHOOK_URL",
        "and any other variable: a config value may use \\fB${NAME}\\fR.",
        ".TP", ".B AWS_REGION, AWS_ACCESS_KEY_ID, AWS_PROFILE, ...",
        "the usual AWS credential and region chain, for the AWS sources.",
        ".TP", ".B AWS_LAMBDA_RUNTIME_API",
        "set by AWS Lambda: trailwatch then runs as the function's custom runtime.",
        ".TP", ".B NO_COLOR",
        "no colours on a terminal.",
        ".SH FILES",
        ".TP", ".I /etc/trailwatch/trailwatch.yml",
        "the configuration read by the systemd unit (\\fBtrailwatch config example\\fR prints "
        "a commented one; the package installs it as /etc/trailwatch/trailwatch.example.yml).",
        ".TP", ".I /var/lib/trailwatch/",
        "the state (SQLite: checkpoints, outbox, alert history) of the systemd service.",
        ".SH SEE ALSO",
        "The documentation in the source tree: README.md, docs/config.md, docs/deploy.md.",
        "",
    ]
    data = "\n".join(page).encode()
    if output.endswith(".gz"):
        with open(output, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                      compresslevel=9, mtime=0) as f:
            f.write(data)
    else:
        with open(output, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()

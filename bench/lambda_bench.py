#!/usr/bin/python3
"""The Lambda runtime benchmark (issue 10): cold start and warm 1 MB CloudWatch Logs handling of
`trailwatch lambda`, next to a CPython custom runtime (bench/baselines/lambda_runtime.py, the
handler of lambda_style.py) in the same run, both driven through the project's Runtime API
stand-in (tests/integration/standin/lambda_runtime_standin.py).

  bench/lambda_bench.py --bin build/src/cli/trailwatch --gen build/bench/tw_gen_corpus
                        [--stage build/deploy/lambda-stage] [--floor build/bench/tw_floor_runtime_next]
                        [--compare-stage OLD/build/deploy/lambda-stage]
                        [--cold 11] [--warm 21] [--payload-kb 1000]

Cold start: from just before the process is spawned (time.monotonic in this script) to the
stand-in's receipt of the first GET invocation/next (time.monotonic there): exec, dynamic
linking, config and rule loading, everything before the runtime can take an event. Both clocks
are CLOCK_MONOTONIC on this machine. trailwatch runs with its default configuration (no
TRAILWATCH_CONFIG: the built-in pack, a stdout sink). Measured side by side, in turns:
  * the harness's floor: tw_floor_runtime_next (bench/floor_runtime_next.cc), a static program
    that only sends the `next` GET: the cost of spawning from Python and of the stand-in, which
    no runtime goes below;
  * the development binary (--bin), and the Lambda package's `bootstrap` (--stage, the unpacked
    zip that `make lambda-zip` leaves in build/deploy/lambda-stage) started through its bundled
    loader (`lib/ld-linux-*.so.2 ./bootstrap`, as PT_INTERP /var/task/lib/... would), which is
    what Lambda runs;
  * the CPython runtime.
The target is judged on the package's bootstrap when --stage exists, else on --bin.
Warm: the stand-in's time from handing out the event (the `next` answer) to receiving the
response, for the same ~1 MB (decoded) awslogs event, after one unmeasured invocation (whose
time is printed as "first invocation": one-time work such as OpenSSL's provider set-up lands
there). Measured on --bin and, when --stage exists, on the package's bootstrap; the warm target
is judged on --bin. trailwatch's alerts go to its stdout sink (discarded): no network delivery on either side.
Both runtimes must report the same event count, or the bench stops. The warm floor,
tw_floor_cwl (bench/floor_cwl.cc), is printed for information: the same payload's base64,
libdeflate inflate and simdjson On-Demand reads of each message's three fields, in-process with
warm buffers, no rules and no Runtime API exchange; no handler can go below it.

Targets: cold start <= 15 ms; warm trailwatch <= 0.1x warm CPython (median over the runs).
Prints a table and exits 1 when a target fails.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
STANDIN = os.path.join(REPO, "tests", "integration", "standin", "lambda_runtime_standin.py")
CPYTHON_RUNTIME = os.path.join(HERE, "baselines", "lambda_runtime.py")


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method),
                                timeout=120) as r:
        return json.loads(r.read())


class Standin:
    def __init__(self):
        self.proc = subprocess.Popen(["/usr/bin/python3", STANDIN, "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        m = re.match(r"LISTENING (\d+)", self.proc.stdout.readline())
        if not m:
            self.proc.kill()
            raise SystemExit("stand-in did not start")
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def next_calls(self):
        return http("GET", self.url + "/_state")["next_calls"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    """User + system CPU time of `pid` so far, in ms (clock-tick resolution)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * TICK_MS


def run_ms(pid):
    """Time `pid`'s threads have run on a CPU so far, in ms (the scheduler's nanosecond count,
    /proc/PID/task/*/schedstat), or the clock-tick CPU time when schedstat is missing."""
    total, found = 0, False
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
                found = True
    except OSError:
        pass
    return total / 1e6 if found else cpu_ms(pid)


def runtime_env(port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TRAILWATCH_"))}
    env.pop("SLACK_WEBHOOK_URL", None)
    env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:%d" % port
    return env


def cold_starts(argvs, runs):
    """Milliseconds from spawn to the first `next`, and the process's CPU time then, for each
    program in argvs; the programs take turns run by run, so that a change of load hits them
    alike. One fresh stand-in per run (a killed runtime leaves its `next` waiting in the
    stand-in). Returns [(ms list, cpu ms list)] in the order of argvs."""
    res = [([], []) for _ in argvs]
    for _ in range(runs):
        for argv, (out, cpu) in zip(argvs, res):
            st = Standin()
            before = len(st.next_calls())
            t0 = time.monotonic()
            proc = subprocess.Popen(argv, env=runtime_env(st.port), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            while True:
                calls = st.next_calls()
                if len(calls) > before:
                    out.append((calls[before] - t0) * 1000)
                    cpu.append(run_ms(proc.pid))  # blocked in its first `next` now
                    break
                if proc.poll() is not None:
                    raise SystemExit("%s exited %d before its first next" % (argv[0],
                                                                             proc.returncode))
                time.sleep(0.001)  # polling the stand-in
            proc.terminate()
            proc.wait()
            st.stop()
    return res


def warm(argv, event, runs):
    """Milliseconds per invocation (stand-in clock), and the last answer."""
    st = Standin()
    proc = subprocess.Popen(argv, env=runtime_env(st.port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    times, answer, cpu0, first = [], None, 0.0, None
    try:
        for i in range(runs + 1):
            if i == 1:
                cpu0 = cpu_ms(proc.pid)
            rid = http("POST", st.url + "/_invoke", {"event": event, "raw": True,
                                                      "timeout_ms": 60000})["id"]
            ans = http("GET", st.url + "/_result?id=%s&wait=120" % rid)
            if ans["kind"] != "response":
                raise SystemExit("%s answered %r" % (argv[0], ans))
            ms = (ans["answered_mono"] - ans["served_mono"]) * 1000
            if i > 0:  # the first one warms up
                times.append(ms)
            else:
                first = ms
            answer = ans
        cpu = (cpu_ms(proc.pid) - cpu0) / runs
    finally:
        proc.terminate()
        _, err = proc.communicate()
        st.stop()
    return times, answer, err.decode("utf-8", "replace"), cpu, first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "src", "cli", "trailwatch"))
    ap.add_argument("--gen", default=os.path.join(REPO, "build", "bench", "tw_gen_corpus"))
    ap.add_argument("--stage", default=os.path.join(REPO, "build", "deploy", "lambda-stage"),
                    help="the unpacked Lambda package (bootstrap, lib/); skipped when missing")
    ap.add_argument("--compare-stage", default="",
                    help="another unpacked package (e.g. an older build's lambda-stage): its "
                         "cold start is measured in the same turns, for a before/after")
    ap.add_argument("--floor", default=os.path.join(REPO, "build", "bench",
                                                    "tw_floor_runtime_next"),
                    help="the harness floor program; skipped when missing")
    ap.add_argument("--warm-floor", default=os.path.join(REPO, "build", "bench", "tw_floor_cwl"),
                    help="the warm floor program (bench/floor_cwl.cc); skipped when missing")
    ap.add_argument("--cold", type=int, default=11)
    ap.add_argument("--warm", type=int, default=21)
    ap.add_argument("--payload-kb", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    payload = "/tmp/tw-lambda-bench-%d-%d.json" % (os.getpid(), args.payload_kb)
    gen = subprocess.run([args.gen, "--seed", str(args.seed), "--cwl-payload", payload,
                          "--payload-kb", str(args.payload_kb)], capture_output=True, text=True)
    if gen.returncode != 0:
        raise SystemExit("tw_gen_corpus failed: " + gen.stderr)
    with open(payload) as f:
        event = f.read()
    floor_ms = None
    if os.path.exists(args.warm_floor):
        # The least work of one warm invocation, in-process (no Runtime API exchange, no rule):
        # base64, libdeflate, On-Demand over the payload and each message (bench/floor_cwl.cc).
        out = subprocess.run([args.warm_floor, payload, "--runs", str(max(args.warm, 21))],
                             capture_output=True, text=True, check=True).stdout
        floor_ms = float(re.search(r"median_ms=([0-9.]+)", out).group(1))
    os.unlink(payload)
    print("payload: " + gen.stdout.strip().split(": ", 1)[-1])

    tw = [args.bin, "lambda"]
    py = ["/usr/bin/python3", CPYTHON_RUNTIME]
    extra = []  # (row name, argv)
    if os.path.exists(args.floor):
        extra.append(("harness floor (static C, next only)", [args.floor]))
    boot = os.path.join(args.stage, "bootstrap")
    if os.path.exists(boot):
        loader = [os.path.join(args.stage, "lib", n) for n in os.listdir(os.path.join(args.stage, "lib"))
                  if n.startswith("ld-linux")]
        extra.append(("trailwatch zip bootstrap", loader + [boot]))
    if args.compare_stage:
        cboot = os.path.join(args.compare_stage, "bootstrap")
        cloader = [os.path.join(args.compare_stage, "lib", n)
                   for n in os.listdir(os.path.join(args.compare_stage, "lib"))
                   if n.startswith("ld-linux")]
        extra.append(("zip bootstrap of --compare-stage", cloader + [cboot]))
    cold = cold_starts([tw, py] + [a for _, a in extra], args.cold)
    (tw_cold, tw_cold_cpu), (py_cold, py_cold_cpu) = cold[0], cold[1]
    tw_warm, tw_ans, tw_err, tw_cpu, tw_first = warm(tw, event, args.warm)
    boot_argv = dict(extra).get("trailwatch zip bootstrap")
    boot_warm = warm(boot_argv, event, args.warm) if boot_argv else None
    py_warm, py_ans, _, py_cpu, py_first = warm(py, event, args.warm)

    py_events = json.loads(py_ans["body"])["events"]
    lines = [json.loads(l) for l in tw_err.splitlines() if l.startswith("{")]
    inv = [l for l in lines if l.get("msg") == "invocation"]
    tw_events = inv[-1]["events"] if inv else -1
    if tw_events != py_events:
        raise SystemExit("event counts differ: trailwatch %d, CPython %d" % (tw_events, py_events))
    init_ms = [l["init_ms"] for l in lines if l.get("msg") == "cold start"]
    tw_self = [l["duration_ms"] for l in inv[1:]]  # trailwatch's own clock, event in to answer ready

    def row(name, xs):
        xs = sorted(xs)
        p90 = xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]
        return "| %-44s | %4d | %9.2f | %9.2f | %9.2f |" % (name, len(xs), statistics.median(xs),
                                                           xs[0], p90)

    print("| %-44s | %4s | %9s | %9s | %9s |" % ("measure (ms)", "runs", "median", "min", "p90"))
    print("|" + "-" * 46 + "|------|-----------|-----------|-----------|")
    print(row("cold start, trailwatch", tw_cold))
    for (name, _), (ms, _) in zip(extra, cold[2:]):
        print(row("cold start, " + name, ms))
    print(row("cold start, CPython runtime", py_cold))
    print(row("warm 1 MB awslogs, trailwatch", tw_warm))
    if boot_warm:
        print(row("warm 1 MB awslogs, trailwatch zip bootstrap", boot_warm[0]))
    print(row("warm 1 MB awslogs, CPython handler", py_warm))
    if floor_ms is not None:
        print("| %-44s | %4s | %9.2f | %9s | %9s |" % ("  floor: base64+libdeflate+On-Demand (info)",
                                                       "", floor_ms, "", ""))
    print(row("  trailwatch's own duration_ms (info)", tw_self))
    print(row("cold start on-CPU (schedstat), trailwatch", tw_cold_cpu))
    for (name, _), (_, c) in zip(extra, cold[2:]):
        print(row("cold start on-CPU, " + name, c))
    print(row("cold start on-CPU, CPython runtime", py_cold_cpu))
    print("warm CPU per invocation (process user+sys over %d runs): trailwatch %.2f ms, CPython "
          "%.2f ms (%.3fx)" % (args.warm, tw_cpu, py_cpu, tw_cpu / py_cpu if py_cpu else 0))
    print("first invocation after the cold start (1 MB, one run, wall): trailwatch %.2f ms%s, "
          "CPython %.2f ms" % (tw_first, ", zip bootstrap %.2f ms" % boot_warm[4] if boot_warm
                               else "", py_first))
    if boot_warm:
        print("warm CPU per invocation, zip bootstrap: %.2f ms" % boot_warm[3])
    print("load average at the end: %s" % open("/proc/loadavg").read().strip())
    print("events per invocation: %d (both); trailwatch's own init_ms (main() to first next, "
          "warm run): %s" % (tw_events, ", ".join("%.2f" % x for x in init_ms)))
    judged = dict((n, ms) for (n, _), (ms, _) in zip(extra, cold[2:])).get(
        "trailwatch zip bootstrap", tw_cold)
    cold = statistics.median(judged)
    ratio = statistics.median(tw_warm) / statistics.median(py_warm)
    ok_cold, ok_warm = cold <= 15.0, ratio <= 0.1
    print("target cold start <= 15 ms: %.2f ms %s" % (cold, "PASS" if ok_cold else "FAIL"))
    print("target warm <= 0.1x CPython: %.3fx %s" % (ratio, "PASS" if ok_warm else "FAIL"))
    if floor_ms is not None:
        print("warm floor (tw_floor_cwl, in-process, no rules): %.2f ms = %.3fx CPython; "
              "trailwatch = %.2fx the floor" % (floor_ms, floor_ms / statistics.median(py_warm),
                                                statistics.median(tw_warm) / floor_ms))
    return 0 if ok_cold and ok_warm else 1


if __name__ == "__main__":
    sys.exit(main())

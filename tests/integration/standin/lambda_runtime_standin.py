#!/usr/bin/env python3
"""Stand-in for the AWS Lambda Runtime API (2018-06-01), stdlib only, 127.0.0.1 only.

Implements what a custom runtime talks to (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):
  GET  /2018-06-01/runtime/invocation/next           blocks until an event is queued, then
       200 with the event as body and the headers Lambda-Runtime-Aws-Request-Id,
       Lambda-Runtime-Deadline-Ms (epoch ms), Lambda-Runtime-Invoked-Function-Arn,
       Lambda-Runtime-Trace-Id (each can be overridden or left out per event)
  POST /2018-06-01/runtime/invocation/{id}/response  202; recorded
  POST /2018-06-01/runtime/invocation/{id}/error     202; recorded with the
       Lambda-Runtime-Function-Error-Type header
  POST /2018-06-01/runtime/init/error                202; recorded
  An answer for an id that was never handed out, or answered twice, gets 400 and is recorded
  with "rejected": true (real Lambda answers such calls with an error too).

Start
  /usr/bin/python3 lambda_runtime_standin.py [--port 0] [--function-arn ARN]
  Prints "LISTENING <port>" once bound. Stop it with SIGTERM.

Control API (tests)
  POST /_invoke   body {"event": <JSON value, or a string sent as-is when "raw": true>,
                        "timeout_ms": 30000 (deadline = now + this; default 30000),
                        "deadline_ms": <absolute epoch ms, overrides timeout_ms>,
                        "headers": {name: value} (override or add),
                        "omit": [header names to leave out]}
                  -> {"id": request id}; the event is queued for the next `next` call.
  GET  /_result?id=ID&wait=SECONDS  the answer for ID once it came (waits up to SECONDS,
                  default 30), else 404. An answer is {"id", "kind": "response"|"error",
                  "body" (text), "error_type" (header, or null), "served_mono", "answered_mono"
                  (time.monotonic() of handing the event out and of the answer: CLOCK_MONOTONIC,
                  comparable with other processes' on this machine)}.
  GET  /_state    {"next_calls": [time.monotonic() of each `next` request's arrival],
                   "answers": [...], "init_errors": [{"body", "error_type"}], "rejected": [...]}
"""
import argparse, json, sys, threading, time, urllib.parse, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COND = threading.Condition()
STATE = {"queue": [], "handed": {}, "answers": {}, "next_calls": [], "init_errors": [],
         "rejected": []}
ARN = "arn:aws:lambda:us-east-1:111122223333:function:trailwatch"
PREFIX = "/2018-06-01/runtime"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body=b"", ctype="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == PREFIX + "/invocation/next":
            with COND:
                STATE["next_calls"].append(time.monotonic())
                while not STATE["queue"]:
                    COND.wait()
                inv = STATE["queue"].pop(0)
                inv["served_mono"] = time.monotonic()
                STATE["handed"][inv["id"]] = inv
            headers = {"Lambda-Runtime-Aws-Request-Id": inv["id"],
                       "Lambda-Runtime-Deadline-Ms": str(inv["deadline_ms"]),
                       "Lambda-Runtime-Invoked-Function-Arn": ARN,
                       "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"}
            headers.update(inv.get("headers") or {})
            for name in inv.get("omit") or []:
                headers = {k: v for k, v in headers.items() if k.lower() != name.lower()}
            self._send(200, inv["body"], headers=headers)
            return
        if url.path == "/_result":
            q = urllib.parse.parse_qs(url.query)
            rid = q.get("id", [""])[0]
            end = time.monotonic() + float(q.get("wait", ["30"])[0])
            with COND:
                while rid not in STATE["answers"] and time.monotonic() < end:
                    COND.wait(timeout=max(0.0, end - time.monotonic()))
                ans = STATE["answers"].get(rid)
            self._send(200 if ans else 404, json.dumps(ans))
            return
        if url.path == "/_state":
            with COND:
                out = {"next_calls": STATE["next_calls"], "answers": list(STATE["answers"].values()),
                       "init_errors": STATE["init_errors"], "rejected": STATE["rejected"]}
                self._send(200, json.dumps(out))
            return
        self._send(404, "{}")

    def do_POST(self):
        body = self._body()
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_invoke":
            spec = json.loads(body)
            raw = spec["event"] if spec.get("raw") else json.dumps(spec["event"])
            now_ms = int(time.time() * 1000)
            inv = {"id": str(uuid.uuid4()), "body": raw.encode() if isinstance(raw, str) else raw,
                   "deadline_ms": spec.get("deadline_ms", now_ms + int(spec.get("timeout_ms", 30000))),
                   "headers": spec.get("headers"), "omit": spec.get("omit")}
            with COND:
                STATE["queue"].append(inv)
                COND.notify_all()
            self._send(200, json.dumps({"id": inv["id"]}))
            return
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        text = body.decode("utf-8", "replace")
        if path == PREFIX + "/init/error":
            with COND:
                STATE["init_errors"].append({"body": text, "error_type": error_type})
                COND.notify_all()
            self._send(202, '{"status":"OK"}')
            return
        parts = path[len(PREFIX):].split("/") if path.startswith(PREFIX) else []
        # ["", "invocation", id, "response"|"error"]
        if len(parts) == 4 and parts[1] == "invocation" and parts[3] in ("response", "error"):
            rid = parts[2]
            with COND:
                inv = STATE["handed"].get(rid)
                if inv is None or rid in STATE["answers"]:
                    STATE["rejected"].append({"id": rid, "kind": parts[3], "body": text})
                    ok = False
                else:
                    STATE["answers"][rid] = {"id": rid, "kind": parts[3], "body": text,
                                             "error_type": error_type,
                                             "served_mono": inv["served_mono"],
                                             "answered_mono": time.monotonic()}
                    ok = True
                COND.notify_all()
            if ok:
                self._send(202, '{"status":"OK"}')
            else:
                self._send(400, '{"errorMessage":"unknown or already answered request id",'
                                '"errorType":"InvalidRequestID"}')
            return
        self._send(404, "{}")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A runtime killed while it waits in `next` resets its connection: not worth a trace.
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    global ARN
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--function-arn", default=ARN)
    args = ap.parse_args()
    ARN = args.function_arn
    srv = Server(("127.0.0.1", args.port), Handler)
    print("LISTENING %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

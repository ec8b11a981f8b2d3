#!/usr/bin/env python3
"""HTTP stand-in for Slack (incoming webhooks and Web API) and webhook receivers (stdlib only).

Used by integration and end-to-end tests; binds 127.0.0.1 only.

Start
  /usr/bin/python3 http_standin.py [--port 0] [--record FILE.ndjson] [--script JSON]
                                  [--tls CERT.pem KEY.pem]
  Prints "LISTENING <port>" on stdout (flushed) once bound. Stop it with SIGTERM/SIGINT.
  --tls serves HTTPS (tests/data/tls/ holds a self-signed certificate for 127.0.0.1).

Recording
  Every request that is not a control request (paths under /_) is recorded as one JSON object
  {"t": unix seconds, "client_port" (the client's TCP port: equal ports on consecutive
   requests mean a reused connection), "method", "path" (as sent: a proxied request has an
   absolute URI),
   "headers": {name: value}, "body": text (UTF-8, invalid bytes replaced)}
  appended to --record as NDJSON (one line per request, flushed), and kept in memory.

Control API
  GET  /_requests   200, JSON list of every recorded request, oldest first.
  POST /_script     body: a JSON list of answers, replacing the queue. Each recorded request
                    takes the next answer; when the queue is empty the default answer is used.
                    An answer is an object:
                      {"status": 429, "headers": {"Retry-After": "1"}, "body": "rate_limited"}
                      {"status": 500}                    body defaults to "rollup_error"
                      {"status": 404, "body": "channel_not_found"}
                      {"hang": true, "seconds": 30}      answer nothing for `seconds` (default
                                                         30), then close: a client timeout
                      {"delay": 0.2, "status": 200}      wait, then answer as given
                      {"slack_error": "channel_not_found"}  HTTP 200 {"ok":false,"error":...}
                    Framing, with any of the above: "chunked": true sends the body with
                    Transfer-Encoding: chunked (7-byte chunks, a chunk extension and a trailer
                    field); "close_delimited": true sends no Content-Length and ends the body by
                    closing the connection; "drop_after": true answers as usual (kept alive) and
                    then closes the connection without a word, as an idle server does.
                    For /api/ paths, "status": 429 without a body answers the Web API's
                    {"ok":false,"error":"ratelimited"}; "status": 200 without a body answers as
                    the default below. Strings are accepted too: "200", "500", "429:<secs>",
                    "hang", "api_error:<code>".
  POST /_reset      clears recorded requests and the script.

Default answers
  POST /services/...                 incoming webhook: 200 text/html "ok"
  POST /api/chat.postMessage         {"ok":true,"channel":<channel>,"ts":<unique increasing>,
                                      "message":{...}}  (JSON or form body)
  POST /api/chat.update              {"ok":true,"channel":<channel>,"ts":<ts>,"text":...}
  GET|POST /api/users.lookupByEmail  {"ok":true,"user":{"id":"U<hex of email>", ...}};
                                      an email starting with "nobody@" -> users_not_found
  POST /api/conversations.open       {"ok":true,"channel":{"id":"D<user id without U>"}}
  POST /api/<other>                  {"ok":true}
  anything else                      200 text/plain "ok" (a generic webhook receiver)
"""
import argparse, json, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"requests": [], "script": [], "record": None, "ts": 1700000000.000100}


def normalise(item):
    if isinstance(item, dict):
        return item
    text = str(item)
    kind, _, arg = text.partition(":")
    if kind == "hang":
        return {"hang": True, "seconds": float(arg or 30)}
    if kind == "api_error":
        return {"slack_error": arg or "invalid_auth"}
    if kind == "429":
        return {"status": 429, "headers": {"Retry-After": arg or "1"}}
    return {"status": int(kind), **({"body": arg} if arg else {})}


def parse_script(text):
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return [normalise(x) for x in json.loads(text)]
    return [normalise(x.strip()) for x in text.split(",") if x.strip()]


def next_ts():
    with LOCK:
        STATE["ts"] += 0.000100
        return "%.6f" % STATE["ts"]


def request_fields(path, body, ctype):
    query = urllib.parse.urlsplit(path).query
    fields = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
    if body:
        if "json" in (ctype or ""):
            try:
                parsed = json.loads(body)
                if isinstance(parsed, dict):
                    fields.update(parsed)
            except ValueError:
                pass
        else:
            fields.update({k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()})
    return fields


def slack_default(method, fields):
    if method == "chat.postMessage":
        ts = next_ts()
        return {"ok": True, "channel": fields.get("channel", "C0000000000"), "ts": ts,
                "message": {"text": fields.get("text", ""), "ts": ts}}
    if method == "chat.update":
        return {"ok": True, "channel": fields.get("channel", ""), "ts": fields.get("ts", ""),
                "text": fields.get("text", "")}
    if method == "users.lookupByEmail":
        email = fields.get("email", "")
        if not email or email.startswith("nobody@"):
            return {"ok": False, "error": "users_not_found"}
        uid = "U" + email.encode().hex()[:10].upper()
        return {"ok": True, "user": {"id": uid, "profile": {"email": email}, "tz": "Asia/Seoul"}}
    if method == "conversations.open":
        users = str(fields.get("users", ""))
        if not users:
            return {"ok": False, "error": "not_enough_users"}
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0].lstrip("U")}}
    return {"ok": True}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Answer in one segment, as a real server does: unbuffered, http.server writes the status
    # line and headers, then the body, in separate small writes, and Nagle's algorithm holds the
    # body until the client's delayed ACK (~40 ms) arrives, which no real Slack adds.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    framing = {}

    def _send(self, code, body, ctype="text/plain; charset=utf-8", headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        has_ctype = any(k.lower() == "content-type" for k in (headers or {}))
        if not has_ctype:
            self.send_header("Content-Type", ctype)
        chunked = self.framing.get("chunked")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif self.framing.get("close_delimited"):
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if chunked:
            out = b""
            for i in range(0, len(data), 7):
                part = data[i:i + 7]
                out += b"%x;ext=1\r\n%s\r\n" % (len(part), part)
            data = out + b"0\r\nX-Trailer: t\r\n\r\n"
        self.wfile.write(data)
        if self.framing.get("drop_after"):
            self.close_connection = True

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _handle(self):
        self.framing = {}
        body = self._body()
        path = self.path
        if path.startswith("/_"):
            return self._control(path, body)
        rec = {"t": time.time(), "client_port": self.client_address[1],
               "method": self.command, "path": path,
               "headers": {k: v for k, v in self.headers.items()},
               "body": body.decode("utf-8", "replace")}
        with LOCK:
            STATE["requests"].append(rec)
            answer = STATE["script"].pop(0) if STATE["script"] else {}
            if STATE["record"]:
                with open(STATE["record"], "a") as f:
                    f.write(json.dumps(rec) + "\n")
        self._answer(answer, urllib.parse.urlsplit(path).path, body)

    def _control(self, path, body):
        if path.startswith("/_requests") and self.command == "GET":
            with LOCK:
                return self._send(200, json.dumps(STATE["requests"]), "application/json")
        if path == "/_script" and self.command == "POST":
            try:
                script = parse_script(body.decode())
            except (ValueError, TypeError) as e:
                return self._send(400, "bad script: %s" % e)
            with LOCK:
                STATE["script"] = script
            return self._send(200, "scripted %d" % len(script))
        if path == "/_reset" and self.command == "POST":
            with LOCK:
                STATE["requests"].clear()
                STATE["script"].clear()
            return self._send(200, "reset")
        return self._send(404, "unknown control path")

    def _answer(self, answer, path, body):
        self.framing = {k: answer.get(k) for k in ("chunked", "close_delimited", "drop_after")}
        if answer.get("hang"):
            time.sleep(float(answer.get("seconds", 30)))
            self.close_connection = True
            return
        if answer.get("delay"):
            time.sleep(float(answer["delay"]))
        api = path.startswith("/api/")
        headers = dict(answer.get("headers", {}))
        if "slack_error" in answer:
            return self._send(200, json.dumps({"ok": False, "error": answer["slack_error"]}),
                              "application/json; charset=utf-8", headers)
        status = int(answer.get("status", 200))
        if "body" in answer:
            return self._send(status, answer["body"], headers=headers)
        if status == 429:
            if api:
                return self._send(429, json.dumps({"ok": False, "error": "ratelimited"}),
                                  "application/json", headers)
            return self._send(429, "rate_limited", headers=headers)
        if status >= 500:
            return self._send(status, "rollup_error", headers=headers)
        if status >= 400:
            return self._send(status, "invalid_payload", headers=headers)
        if api:
            method = path[len("/api/"):]
            fields = request_fields(self.path, body, self.headers.get("Content-Type"))
            return self._send(status, json.dumps(slack_default(method, fields)),
                              "application/json; charset=utf-8", headers)
        if path.startswith("/services/"):
            return self._send(status, "ok", "text/html", headers)
        return self._send(status, "ok", headers=headers)

    do_GET = do_POST = do_PUT = _handle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--record", default=None)
    ap.add_argument("--script", default="")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), default=None)
    a = ap.parse_args()
    STATE["record"], STATE["script"] = a.record, parse_script(a.script)
    ThreadingHTTPServer.request_queue_size = 128
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("LISTENING %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

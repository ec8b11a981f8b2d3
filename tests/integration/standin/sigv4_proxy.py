#!/usr/bin/env python3
"""Strict AWS SigV4-verifying reverse proxy for integration tests (stdlib only).

Design: ../shared/docs/test-infra.md, appendix A8. moto_server runs with its own auth off (its
verifier rebuilds the URL after werkzeug decoded it, so a spec-correct %2F in a query value fails
there); this proxy sits in front of it and checks every request the way AWS does:
  - decode, then re-encode the path (S3: once, no normalisation; other services: normalised and
    encoded twice) and the query names/values with the RFC 3986 unreserved set, sort the query,
    trim and fold header values;
  - S3 needs x-amz-content-sha256, equal to the body's SHA-256 unless UNSIGNED-PAYLOAD;
  - host and x-amz-date must be signed, SignedHeaders sorted, the credential scope's date, region
    (--region) and terminator right, the clock within --max-skew seconds;
  - temporary credentials need their x-amz-security-token, signed.
Then it forwards the untouched request to --upstream and relays the answer.

Temporary credentials: every STS answer that passes through (AssumeRole, AssumeRoleWithWebIdentity,
GetSessionToken ...) teaches the proxy the AccessKeyId/SecretAccessKey/SessionToken it carries, so
a client that follows the credential chain through STS is verified with the keys STS issued.

  python3 sigv4_proxy.py --port 0 --upstream http://127.0.0.1:5000 --cred AKID:SECRET \
      [--region us-east-1] [--max-skew 900] [--log FILE]
Prints "LISTENING <port>" (flushed) once bound to 127.0.0.1. Stop it with SIGTERM.
A failed check answers 403 (400 for a missing x-amz-content-sha256) with an AWS-style XML error
that includes the CanonicalRequest/StringToSign the proxy computed, as S3 does.

Control endpoints (unsigned, never forwarded; no bucket name starts with "_"):
  GET  /_sigv4proxy/stats   {"ok": N, "denied": [{"method","path","code","message"}...],
                             "services": {"s3": N, ...}}
  POST /_sigv4proxy/creds   body {"access_key":..,"secret_key":..,"session_token":..(optional)}
  POST /_sigv4proxy/reset   clears the counters (not the credentials)
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

ARGS = None
LOCK = threading.Lock()
# access key -> (secret, session token or None)
CREDS = {}
STATS = {"ok": 0, "denied": [], "services": {}}
UNRESERVED = "-_.~"  # plus ALPHA / DIGIT, which urllib.parse.quote never encodes


def uri_encode(s, keep_slash=False):
    return urllib.parse.quote(s, safe=UNRESERVED + ("/" if keep_slash else ""))


def canonical_uri(raw_path, service):
    path = urllib.parse.unquote(raw_path) or "/"
    if service != "s3":  # non-S3 services normalise and double-encode; S3 does neither
        segs = []
        for seg in path.split("/"):
            if seg == "..":
                if segs:
                    segs.pop()
            elif seg not in (".", ""):
                segs.append(seg)
        path = "/" + "/".join(segs) + ("/" if path.endswith("/") and segs else "")
        return uri_encode(uri_encode(path, True), True)
    return uri_encode(path, True)


def canonical_query(raw_query):
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        k, _, v = part.partition("=")
        k, v = urllib.parse.unquote(k), urllib.parse.unquote(v)
        if k == "X-Amz-Signature":
            continue
        pairs.append((uri_encode(k), uri_encode(v)))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def hmac256(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class Deny(Exception):
    def __init__(self, code, msg, extra=None):
        super().__init__(msg)
        self.code, self.msg, self.extra = code, msg, extra or {}


def verify(method, target, headers, body):
    """Returns the service of a correctly signed request; raises Deny otherwise."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        raise Deny("AccessDenied", "missing or non-SigV4 Authorization header")
    try:
        comps = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
        akid, date, region, service, term = comps["Credential"].split("/")
        signed = comps["SignedHeaders"].split(";")
        given = comps["Signature"]
    except (KeyError, ValueError):
        raise Deny("AuthorizationHeaderMalformed", "cannot parse Authorization header")
    with LOCK:
        cred = CREDS.get(akid)
    if cred is None:
        raise Deny("InvalidAccessKeyId", f"The AWS Access Key Id you provided does not exist: {akid}")
    secret, token = cred
    if term != "aws4_request" or (ARGS.region and region != ARGS.region and service != "iam"):
        raise Deny("AuthorizationHeaderMalformed", f"bad credential scope region={region} term={term}")
    amzdate = headers.get("x-amz-date", "")
    if not amzdate.startswith(date):
        raise Deny("AuthorizationHeaderMalformed", "x-amz-date does not match credential scope date")
    if ARGS.max_skew:
        try:
            t = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
        except ValueError:
            raise Deny("AccessDenied", "x-amz-date is not in ISO 8601 basic format")
        if abs(time.time() - t) > ARGS.max_skew:
            raise Deny("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
    for must in ("host", "x-amz-date"):
        if must not in signed:
            raise Deny("AccessDenied", f"{must} must be signed")
    if signed != sorted(signed):
        raise Deny("AuthorizationHeaderMalformed", "SignedHeaders not sorted")
    if token is not None:
        if headers.get("x-amz-security-token") != token:
            raise Deny("InvalidToken", "The provided token is malformed or otherwise invalid.")
        if "x-amz-security-token" not in signed:
            raise Deny("AccessDenied", "x-amz-security-token must be signed")
    body_hash = hashlib.sha256(body).hexdigest()
    payload = headers.get("x-amz-content-sha256")
    if service == "s3":
        if payload is None:
            raise Deny("InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        if payload != "UNSIGNED-PAYLOAD" and payload != body_hash:
            raise Deny("XAmzContentSHA256Mismatch",
                       "The provided 'x-amz-content-sha256' header does not match what was computed.")
    else:
        payload = body_hash
    path, _, query = target.partition("?")
    canon_headers = "".join(f"{h}:{' '.join(headers.get(h, '').split())}\n" for h in signed)
    creq = "\n".join([method, canonical_uri(path, service), canonical_query(query), canon_headers,
                      ";".join(signed), payload])
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, f"{date}/{region}/{service}/aws4_request",
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = hmac256(hmac256(hmac256(hmac256(("AWS4" + secret).encode(), date), region), service),
                  "aws4_request")
    want = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, given):
        raise Deny("SignatureDoesNotMatch",
                   "The request signature we calculated does not match the signature you provided. "
                   "Check your key and signing method.",
                   {"CanonicalRequest": creq, "StringToSign": sts})
    return service


def learn_sts_credentials(data):
    """Adds the temporary credentials of an STS answer (XML) to CREDS."""
    text = data.decode("utf-8", "replace")
    for block in re.findall(r"<Credentials>(.*?)</Credentials>", text, re.S):
        fields = {}
        for name in ("AccessKeyId", "SecretAccessKey", "SessionToken"):
            m = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
            if m:
                fields[name] = m.group(1).strip()
        if "AccessKeyId" in fields and "SecretAccessKey" in fields:
            with LOCK:
                CREDS[fields["AccessKeyId"]] = (fields["SecretAccessKey"], fields.get("SessionToken"))


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _reply(self, status, data, ctype="application/xml", extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in extra_headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _control(self, body):
        what = self.path.split("?")[0][len("/_sigv4proxy/"):]
        if what == "stats":
            with LOCK:
                data = json.dumps(STATS).encode()
            return self._reply(200, data, "application/json")
        if what == "creds" and self.command == "POST":
            c = json.loads(body or b"{}")
            with LOCK:
                CREDS[c["access_key"]] = (c["secret_key"], c.get("session_token"))
            return self._reply(200, b"{}", "application/json")
        if what == "reset" and self.command == "POST":
            with LOCK:
                STATS.update({"ok": 0, "denied": [], "services": {}})
            return self._reply(200, b"{}", "application/json")
        return self._reply(404, b'{"error":"unknown control endpoint"}', "application/json")

    def _log(self, line):
        if ARGS.log:
            with LOCK, open(ARGS.log, "a") as f:
                f.write(line)

    def _handle(self):
        body = self._read_body()
        if self.path.startswith("/_sigv4proxy/"):
            return self._control(body)
        lower = {k.lower(): v for k, v in self.headers.items()}
        try:
            service = verify(self.command, self.path, lower, body)
        except Deny as d:
            with LOCK:
                STATS["denied"].append({"method": self.command, "path": self.path, "code": d.code,
                                        "message": d.msg})
            self._log(f"{self.command} {self.path} -> DENY {d.code}: {d.msg}\n"
                      f"{d.extra.get('CanonicalRequest', '')}\n---\n")
            x = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in d.extra.items())
            data = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message>'
                    '%s<RequestId>sigv4proxy</RequestId></Error>' % (d.code, escape(d.msg), x)).encode()
            return self._reply(400 if d.code == "InvalidRequest" else 403, data)
        with LOCK:
            STATS["ok"] += 1
            STATS["services"][service] = STATS["services"].get(service, 0) + 1
        self._log(f"{self.command} {self.path} -> OK {service}\n")
        up = urllib.parse.urlsplit(ARGS.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length")}
        send_body = body if (body or self.command in ("POST", "PUT")) else None
        try:
            conn.request(self.command, self.path, body=send_body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
        except OSError as e:
            return self._reply(502, f"upstream error: {e}".encode(), "text/plain")
        finally:
            conn.close()
        if service == "sts" and r.status == 200:
            learn_sts_credentials(data)
        self.send_response(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "keep-alive", "content-length",
                                 "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--cred", action="append", default=[], help="AKID:SECRET[:TOKEN] (repeatable)")
    ap.add_argument("--region", default=None)
    ap.add_argument("--max-skew", type=int, default=900, help="seconds; 0 disables the clock check")
    ap.add_argument("--log", default=None)
    ARGS = ap.parse_args()
    for c in ARGS.cred:
        parts = c.split(":", 2)
        CREDS[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Proxy)
    print("LISTENING %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

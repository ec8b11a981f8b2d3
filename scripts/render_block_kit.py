#!/usr/bin/env python3
"""Render a Slack message (the JSON body trailwatch's `slack` sink posts) as a standalone HTML
page that looks like the message in a Slack channel, for the README's screenshot.

  scripts/render_block_kit.py BODY.json > message.html
  scripts/render_block_kit.py --capture OUT.json    # make BODY.json: run `watch` on a sample

--capture runs the real binary: `trailwatch watch` with a stdin source and a slack sink pointed
at tests/integration/standin/http_standin.py, feeds it one sample CloudTrail record
(samples/ndjson/cloudtrail-sample.ndjson, the first record that raises a critical or high alert)
and writes the request body the stand-in received. So the rendering shows exactly what the
project sends. Supported Block Kit: header, section (text and fields), actions (buttons),
context, divider; mrkdwn: *bold*, _italic_, `code`, <url|label>, and Slack's &amp; &lt; &gt;
escapes (which stay text, as in Slack). The attachment colour is the bar on the left.
HACKING.md says how to regenerate docs/images/slack-alert.png with headless chromium.
"""
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def mrkdwn(text):
    # Slack text arrives with &, <, > escaped; everything else is literal. Tokenise links first.
    out = []
    pos = 0
    for m in re.finditer(r"<([^<>|]+)(?:\|([^<>]*))?>", text):
        out.append(inline(text[pos:m.start()]))
        url, label = m.group(1), m.group(2) or m.group(1)
        out.append('<a href="%s">%s</a>' % (html.escape(url, quote=True), inline(label)))
        pos = m.end()
    out.append(inline(text[pos:]))
    return "".join(out)


def inline(text):
    # Slack's own escapes become the characters they stand for, shown as text.
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append("<code>%s</code>" % html.escape(p[1:-1]))
            continue
        e = html.escape(p)
        e = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", e)
        e = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<i>\1</i>", e)
        out.append(e.replace("\n", "<br>"))
    return "".join(out)


def text_obj(t):
    if t.get("type") == "mrkdwn":
        return mrkdwn(t["text"])
    return html.escape(t["text"])


def render_blocks(blocks):
    out = []
    for b in blocks:
        kind = b["type"]
        if kind == "header":
            out.append('<div class="header">%s</div>' % text_obj(b["text"]))
        elif kind == "section":
            if "text" in b:
                out.append('<div class="section">%s</div>' % text_obj(b["text"]))
            if "fields" in b:
                cells = "".join('<div class="field">%s</div>' % text_obj(f) for f in b["fields"])
                out.append('<div class="fields">%s</div>' % cells)
        elif kind == "actions":
            buttons = "".join('<a class="button" href="%s">%s</a>' % (
                html.escape(e.get("url", "#"), quote=True), text_obj(e["text"]))
                for e in b["elements"])
            out.append('<div class="actions">%s</div>' % buttons)
        elif kind == "context":
            items = " ".join(text_obj(e) for e in b["elements"] if "text" in e)
            out.append('<div class="context">%s</div>' % items)
        elif kind == "divider":
            out.append("<hr>")
    return "\n".join(out)


def render(body):
    msg = json.loads(body)
    att = (msg.get("attachments") or [{}])[0]
    blocks = msg.get("blocks", []) + att.get("blocks", [])
    color = att.get("color", "#dddddd")
    return """<!doctype html>
<html><head><meta charset="utf-8"><style>
body {{ font-family: "Lato", "DejaVu Sans", sans-serif; font-size: 15px; color: #1d1c1d;
       background: #fff; margin: 0; padding: 20px; width: 720px; }}
.msg {{ display: flex; }}
.avatar {{ width: 36px; height: 36px; border-radius: 4px; background: #2f3b52; color: #fff;
          font-weight: bold; text-align: center; line-height: 36px; margin-right: 8px; }}
.name {{ font-weight: 900; }} .app {{ font-size: 10px; background: #e8e8e8; color: #616061;
        padding: 1px 3px; border-radius: 2px; margin-left: 4px; }}
.time {{ color: #616061; font-size: 12px; margin-left: 6px; }}
.att {{ border-left: 4px solid {color}; padding: 2px 0 2px 12px; margin-top: 6px; }}
.header {{ font-size: 18px; font-weight: 900; margin: 4px 0 8px; }}
.section {{ margin: 6px 0; line-height: 1.45; }}
.fields {{ display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin: 6px 0; }}
.field {{ line-height: 1.4; }}
code {{ font-family: "DejaVu Sans Mono", monospace; font-size: 12px; color: #e01e5a;
        background: #f6f6f6; border: 1px solid #e0e0e0; border-radius: 3px; padding: 1px 3px; }}
.actions {{ margin: 8px 0; }}
.button {{ display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 5px 12px;
          font-weight: bold; color: #1d1c1d; text-decoration: none; font-size: 13px; }}
.context {{ color: #616061; font-size: 12px; margin-top: 6px; }}
a {{ color: #1264a3; }}
</style></head><body>
<div class="msg"><div class="avatar">tw</div><div>
<div><span class="name">trailwatch</span><span class="app">APP</span><span class="time">12:00</span></div>
<div class="att">
{blocks}
</div></div></div>
</body></html>
""".format(color=html.escape(color, quote=True), blocks=render_blocks(blocks))


def capture(out_path):
    trailwatch = os.environ.get("TRAILWATCH", os.path.join(REPO, "build", "src", "cli", "trailwatch"))
    standin = subprocess.Popen(["/usr/bin/python3",
                                os.path.join(REPO, "tests", "integration", "standin", "http_standin.py"),
                                "--port", "0"], stdout=subprocess.PIPE, text=True)
    port = int(re.match(r"LISTENING (\d+)", standin.stdout.readline()).group(1))
    tmp = tempfile.mkdtemp(prefix="tw-render-")
    config = os.path.join(tmp, "trailwatch.yml")
    with open(config, "w") as f:
        f.write("timezone: Asia/Seoul\nstate: {path: state.db}\nsources: [{type: stdin}]\n"
                "sinks:\n  - type: slack\n    webhook_url: \"http://127.0.0.1:%d/services/T/B/X\"\n"
                "    min_severity: high\n" % port)
    sample = os.path.join(REPO, "samples", "ndjson", "cloudtrail-sample.ndjson")
    with open(sample, "rb") as f:
        data = f.read()
    try:
        subprocess.run([trailwatch, "watch", "--config", config], input=data, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        with urllib.request.urlopen("http://127.0.0.1:%d/_requests" % port) as r:
            reqs = [q for q in json.loads(r.read()) if q["path"].startswith("/services/")]
    finally:
        standin.terminate()
        standin.wait()
    if not reqs:
        sys.exit("no Slack request was made")
    # Prefer a security-group alert (it shows the decoded rules), else the first.
    pick = next((q for q in reqs if "security-group" in q["body"]), reqs[0])
    with open(out_path, "w") as f:
        f.write(pick["body"])
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--capture":
        return capture(argv[2])
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        sys.stdout.write(render(f.read()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""What a browser makes of a page, for tests: headless Chromium over the DevTools protocol.

  browse.py render PAGE.html SHOT.png   loads the page (no network), writes a PNG screenshot
                                        of the first 1280x1600 pixels, prints the text the
                                        browser extracted (document.body.innerText)
  browse.py stats SHOT.png              prints "WIDTH HEIGHT COLOURS NONWHITE": the number of
                                        distinct colours and the fraction of pixels not white

Speaks CDP over --remote-debugging-pipe (fds 3 and 4, NUL-separated JSON), stdlib only.
Exits 1 with a message on stderr when Chromium fails or takes longer than 60 s.
"""
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

DEADLINE = 60.0


class Browser:
    def __init__(self, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise RuntimeError("chromium is not installed (scripts/deps)")
        args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--remote-debugging-pipe",
                "--hide-scrollbars", "--window-size=1280,1600",
                "--user-data-dir=" + profile, "about:blank"]

        def fds():  # the pipe's ends become the child's fds 3 (commands) and 4 (replies)
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(args, preexec_fn=fds, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + DEADLINE

    def _read_message(self):
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise RuntimeError("chromium did not answer within %d s" % DEADLINE)
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        message, self.buf = self.buf.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method):
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read_message())

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def render(page, shot):
    import base64
    with tempfile.TemporaryDirectory(prefix="browse-") as profile:
        browser = Browser(profile)
        try:
            targets = browser.call("Target.getTargets")["targetInfos"]
            target = next(t["targetId"] for t in targets if t["type"] == "page")
            session = browser.call("Target.attachToTarget",
                                   {"targetId": target, "flatten": True})["sessionId"]
            browser.call("Page.enable", session=session)
            browser.call("Page.navigate", {"url": "file://" + os.path.abspath(page)},
                         session=session)
            browser.wait_event("Page.loadEventFired")
            text = browser.call("Runtime.evaluate",
                                {"expression": "document.body.innerText", "returnByValue": True},
                                session=session)["result"]["value"]
            png = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
            with open(shot, "wb") as f:
                f.write(base64.b64decode(png["data"]))
        finally:
            browser.close()
    sys.stdout.write(text)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def unfilter(kind, line, previous, channels):
    """One PNG row with its filter undone (RFC 2083 §6)."""
    if kind == 0:
        return line
    if kind == 2:  # Up, nearly every row of a page: bytewise sums without carries, at once
        n, high = len(line), int.from_bytes(b"\x80" * len(line), "big")
        a, b = int.from_bytes(line, "big"), int.from_bytes(previous, "big")
        return (((a & ~high) + (b & ~high)) ^ ((a ^ b) & high)).to_bytes(n, "big")
    out = bytearray(line)
    for x in range(len(out)):
        left = out[x - channels] if x >= channels else 0
        up, corner = previous[x], previous[x - channels] if x >= channels else 0
        out[x] = (out[x] + (0, left, up, (left + up) // 2, paeth(left, up, corner))[kind]) & 255
    return bytes(out)


def stats(shot):
    data = open(shot, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise RuntimeError("%s is not a PNG" % shot)
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(colour_type)
    if depth != 8 or channels is None or interlace:
        raise RuntimeError("unexpected PNG format: depth %d colour type %d" % (depth, colour_type))
    raw, stride = zlib.decompress(idat), width * channels
    previous, colours, nonwhite, counted = bytes(stride), set(), 0, 0
    for y in range(height):
        row = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        previous = unfilter(row[0], row[1:], previous, channels)
        if y % 4:
            continue  # every row is decoded, every fourth one counted
        for x in range(0, stride, channels):
            pixel = previous[x:x + 3]
            colours.add(pixel)
            nonwhite += pixel != b"\xff\xff\xff"
        counted += width
    print(width, height, len(colours), "%.4f" % (nonwhite / counted))


def main():
    try:
        if len(sys.argv) == 4 and sys.argv[1] == "render":
            render(sys.argv[2], sys.argv[3])
        elif len(sys.argv) == 3 and sys.argv[1] == "stats":
            stats(sys.argv[2])
        else:
            sys.stderr.write(__doc__)
            return 2
    except (RuntimeError, OSError, StopIteration, KeyError, zlib.error, struct.error) as e:
        sys.stderr.write("browse.py: %s\n" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

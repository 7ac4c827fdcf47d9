#!/usr/bin/python3
"""tgstream run as a user runs it: the built gateway against mtproto-testdc (both child processes),
driven by curl, a real HTTP client nobody here wrote. Every download is checked against the
SHA-256 the emulator published in its ready file.

Usage: /usr/bin/python3 tests/tgstream/tgstream_test.py --tgstream BUILD/tgstream --testdc BUILD/mtproto-testdc

Cases: usage errors exit 2 (or CLI11's code) before anything listens; the ready file appears with the
URL; /api/resolve gives the card's fields and a signed URL; curl downloads the whole file (and a
file with a hostile name, saved under the header's name with -J), ranges at the start, middle and
end, HEAD, a 416; the per-client stream limit (slow downloads side by side, one more refused); /metrics counts the bytes; the access log is JSON
lines; SIGTERM drains and exits 0.
"""
import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

READY_WAIT_S = 60
CURL_TIMEOUT_S = 120
FILES = ["video.mp4:5M:2", "../evil name.bin:100K:1"]
SECRET = "an example secret of enough bytes"
STREAMS = 6  # --max-streams-per-client

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def wait_for(path, proc, what):
    deadline = time.monotonic() + READY_WAIT_S
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.05)
    with open(path) as f:
        return json.load(f)


def curl(*args, timeout=CURL_TIMEOUT_S):
    return subprocess.run(["curl", "-sS", "--max-time", str(timeout), *args], capture_output=True, timeout=timeout + 10)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tgstream", required=True)
    p.add_argument("--testdc", required=True)
    a = p.parse_args()
    work = tempfile.mkdtemp(prefix="tgstream-test-")

    # Usage errors: nothing listens, a clear message.
    r = subprocess.run([a.tgstream, "--part-kib", "3"], capture_output=True, timeout=30)
    check(r.returncode != 0 and b"part-kib" in r.stderr, "a bad --part-kib is refused")
    r = subprocess.run([a.tgstream, "--listen", "127.0.0.1:0"], capture_output=True, timeout=30,
                       env={"PATH": os.environ.get("PATH", "")})
    check(r.returncode == 2 and b"no account" in r.stderr, "no account: exit 2 naming what is missing")
    short = os.path.join(work, "short-secret")
    with open(short, "w") as f:
        f.write("tooshort\n")
    r = subprocess.run([a.tgstream, "--bot-token", "1:x", "--secret-file", short], capture_output=True, timeout=30)
    check(r.returncode == 2 and b"16 bytes" in r.stderr, "a short secret is refused")

    dc_ready = os.path.join(work, "dc.json")
    dc_args = [a.testdc, "--ready-file", dc_ready, "--max-seconds", "600"]
    for spec in FILES:
        dc_args += ["--file", spec]
    dc_log = open(os.path.join(work, "dc.log"), "wb")
    dc = subprocess.Popen(dc_args, stdout=dc_log, stderr=subprocess.STDOUT)
    gw = None
    try:
        ready = wait_for(dc_ready, dc, "mtproto-testdc")
        secret = os.path.join(work, "secret")
        with open(secret, "w") as f:
            f.write(SECRET + "\n")
        gw_ready = os.path.join(work, "gw.json")
        gw_log = open(os.path.join(work, "gw.log"), "wb")
        gw_out = open(os.path.join(work, "access.log"), "wb")
        gw = subprocess.Popen([a.tgstream, "--listen", "127.0.0.1:0", "--dc-config", dc_ready, "--bot-token",
                               ready["bot_token"], "--secret-file", secret, "--ready-file", gw_ready,
                               "--max-streams-per-client", str(STREAMS)],
                              stdout=gw_out, stderr=gw_log)
        base = wait_for(gw_ready, gw, "tgstream")["url"]
        check(base.startswith("http://127.0.0.1:"), f"the ready file names the URL ({base})")

        video = next(f for f in ready["files"] if f["name"] == "video.mp4")
        r = curl(f"{base}/api/resolve?link=" + urllib.parse.quote(video["link"], safe=""))
        card = json.loads(r.stdout)
        check(card.get("name") == "video.mp4" and card.get("size") == video["size"] and card.get("dc") == 2,
              f"resolve: name, size and DC ({card.get('name')}, {card.get('size')})")
        url = base + card["download_url"]

        out = os.path.join(work, "video.mp4")
        r = curl("-o", out, "-w", "%{http_code}", url)
        with open(out, "rb") as f:
            whole = f.read()
        check(r.stdout == b"200" and hashlib.sha256(whole).hexdigest() == video["sha256"],
              "curl downloads the whole file, SHA-256 as published")

        size = video["size"]
        for rng, first, last in [("0-99", 0, 99), ("2000000-3000000", 2000000, 3000000), ("-10", size - 10, size - 1)]:
            r = curl("-r", rng, "-w", "\n%{http_code}", url)
            body, _, code = r.stdout.rpartition(b"\n")
            check(code == b"206" and body == whole[first:last + 1], f"range {rng}: 206 and the right bytes")

        r = curl("-I", url)
        head = r.stdout.decode(errors="replace").lower()
        check(" 200 " in head.splitlines()[0] and f"content-length: {size}" in head and "accept-ranges: bytes" in head,
              "HEAD: 200 with the length and Accept-Ranges")
        r = curl("-r", f"{size}-", "-w", "\n%{http_code}", url)
        body, _, code = r.stdout.rpartition(b"\n")
        check(code == b"416" and json.loads(body)["error"]["code"] == "range_not_satisfiable", "past the end: 416")
        r = curl("-w", "\n%{http_code}", url[:-8] + "x" + url[-7:])
        check(r.stdout.rpartition(b"\n")[2] == b"200", "the name part of the URL is only a name")
        tampered = base + "/dl/" + card["download_url"].split("/")[2][:-2] + "AA"
        r = curl("-w", "\n%{http_code}", tampered)
        check(r.stdout.rpartition(b"\n")[2] == b"403", "a tampered signature: 403")

        # A hostile file name: curl -J saves under the name the header gives, inside the directory.
        evil = next(f for f in ready["files"] if f["name"] == "../evil name.bin")
        card2 = json.loads(curl(f"{base}/api/resolve?link=" + urllib.parse.quote(evil["link"], safe="")).stdout)
        saves = os.path.join(work, "saves")
        os.mkdir(saves)
        r = subprocess.run(["curl", "-sS", "-O", "-J", base + card2["download_url"]], cwd=saves, capture_output=True,
                           timeout=CURL_TIMEOUT_S)
        names = os.listdir(saves)
        saved = os.path.join(saves, names[0]) if names else None
        check(names == ["evil name.bin"] and hashlib.sha256(open(saved, "rb").read()).hexdigest() == evil["sha256"],
              f"a hostile name stays in the directory ({names})")

        # As many at once as one client may run, read slowly; one more is refused meanwhile.
        procs = [subprocess.Popen(["curl", "-sS", "--max-time", str(CURL_TIMEOUT_S), "--limit-rate", "2M", url],
                                  stdout=subprocess.PIPE) for _ in range(STREAMS)]
        time.sleep(1)
        r = curl("-w", "\n%{http_code}", url)
        body, _, code = r.stdout.rpartition(b"\n")
        check(code == b"429" and json.loads(body)["error"]["code"] == "too_many_streams",
              f"stream {STREAMS + 1} from one client: 429")
        bodies = [pr.communicate(timeout=CURL_TIMEOUT_S + 10)[0] for pr in procs]
        check(all(hashlib.sha256(b).hexdigest() == video["sha256"] for b in bodies),
              f"{STREAMS} slow downloads side by side, every byte right")

        metrics = curl(f"{base}/metrics").stdout.decode()
        sent = next((int(l.split()[1]) for l in metrics.splitlines() if l.startswith("tgstream_bytes_out_total ")), 0)
        check(sent >= (STREAMS + 1) * size, f"/metrics counts the bytes sent ({sent})")
        check("tgstream_active_streams 0" in metrics, "/metrics: no stream left running")

        gw.send_signal(signal.SIGTERM)
        code = gw.wait(timeout=30)
        check(code == 0, f"SIGTERM: drained and exited 0 (exit {code})")
        gw_out.close()
        with open(os.path.join(work, "access.log")) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        check(len(lines) >= 19 and all({"peer", "method", "target", "status", "ms"} <= set(l) for l in lines),
              f"the access log is JSON lines ({len(lines)})")
        check(not any(card["download_url"].split("/")[2] in l["target"] for l in lines), "tokens are not logged whole")
    finally:
        for proc in (gw, dc):
            if proc and proc.poll() is None:
                proc.kill()
                proc.wait()
        dc_log.close()

    if failures:
        print("".join(f"FAILED: {f[:300]}\n" for f in failures) + f"{len(failures)} check(s) failed; logs in {work}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""tgdl end to end, run as a user runs it: the built tgdl against mtproto-testdc started as a child
process, every download checked against the SHA-256 the emulator published in its ready file.

Usage: /usr/bin/python3 tests/examples/tgdl_test.py --tgdl BUILD/tgdl --testdc BUILD/mtproto-testdc

Cases: usage errors (bad flags, bad links naming the wrong part, one session file for two accounts,
-o FILE with several links) exit 2 before anything connects; one link, several links, --from FILE, a file on the
other DC, --json keys, --quiet silence, skip and numbering on a second run, --range bytes, an album,
hostile file names; not found / no media exit 3; an unwritable -o and RLIMIT_FSIZE exit 6 with the
.part kept; a flood storm, dropped connections and file references that expire after one request
all still give the right bytes; a pool of three bots (one flooded) shares a file and the JSON names
them; --verify catches corrupted parts; a message range NAME/A-B downloads each message's file and
skips missing ones; several files download side by side; a download killed with SIGKILL resumes with --resume, SIGINT exits
130 keeping the journal; `tgdl login` with a 2FA password, then a download with that session.
"""
import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

EXIT_OK, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_NETWORK, EXIT_LOCAL = 0, 2, 3, 4, 6
JSON_KEYS = {"link", "path", "bytes", "seconds", "mb_per_s", "sha256", "requests", "flood_waits", "retries",
             "ttfb_ms", "connections"}
READY_WAIT_S = 60
TGDL_TIMEOUT_S = 180
EMULATOR_MAX_SECONDS = 600  # backstop: a failed run never leaves an emulator behind
UNICODE_NAME = "my file ünï 東京.bin"
ESCAPING_NAME = "../../escape me.bin"
MAIN_FILES = ["a.bin:3M:1", "b.bin:1300K:2", f"{UNICODE_NAME}:200K:1", f"{ESCAPING_NAME}:100K:2"]
PASSWORD = "hunter2"
TEST_USER_PHONE, TEST_USER_CODE = "9996621234", "22222"
# The slow emulator: seconds to serve a file over one connection, so tgdl can be stopped half-way.
SLOW_FILE, SLOW_SIZE = "slow.bin", 8 * 1024 * 1024
SLOW_RATE = 1024 * 1024  # bytes per second per connection
FSIZE_LIMIT = 1024 * 1024

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


class Emulator:
    def __init__(self, binary, workdir, name, extra):
        self.ready_path = os.path.join(workdir, name + "-ready.json")
        self.log = open(os.path.join(workdir, name + ".log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "--ready-file", self.ready_path, "--max-seconds", str(EMULATOR_MAX_SECONDS)] + extra,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + READY_WAIT_S
        while not os.path.exists(self.ready_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mtproto-testdc ({name}) did not start; see {self.log.name}")
            time.sleep(0.05)
        with open(self.ready_path) as f:
            self.ready = json.load(f)
        self.base = ["--dc-config", self.ready_path, "--bot-token", self.ready["bot_token"]]

    def file(self, name):
        return next(f for f in self.ready["files"] if f["name"] == name)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()


class Tgdl:
    def __init__(self, binary):
        self.binary = binary

    def __call__(self, args, **kw):
        return subprocess.run([self.binary] + args, capture_output=True, text=True, timeout=TGDL_TIMEOUT_S, **kw)

    def start(self, args):
        return subprocess.Popen([self.binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def objects(stdout):
    out = []
    for line in stdout.strip().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"unparsed": line})
    return out


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tail(r):
    return r.stderr.strip()[-400:]


def fresh_dir(work, name):
    d = os.path.join(work, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def check_download(r, files, out_dir, what):
    """tgdl exited 0 and printed one object per file, each with the emulator's SHA-256 on disk too."""
    if not check(r.returncode == EXIT_OK, f"{what}: exit 0 (stderr: {tail(r)})"):
        return []
    got = objects(r.stdout)
    check(len(got) == len(files), f"{what}: one JSON object per file ({len(got)} for {len(files)})")
    # Files download side by side and report as they end: put the objects in the files' order.
    order = {f["link"]: i for i, f in enumerate(files)}
    got.sort(key=lambda j: order.get(j.get("link"), len(files)))
    for j, f in zip(got, files):
        path = j.get("path", "")
        check(j.get("sha256") == f["sha256"], f"{what}: {f['name']}: tgdl's SHA-256 is the emulator's")
        check(os.path.isfile(path) and sha256_of(path) == f["sha256"] and j.get("bytes") == f["size"],
              f"{what}: {f['name']}: the file on disk has the right bytes ({path})")
        check(os.path.dirname(os.path.abspath(path)) == os.path.abspath(out_dir), f"{what}: {path} is inside -o")
        check(not os.path.exists(path + ".part") and not os.path.exists(path + ".part.resume"),
              f"{what}: no .part or journal left")
    return got


def usage_errors(run, work):
    for args, what in [(["--nope", "https://t.me/x_chan/1"], "an unknown flag"),
                       ([], "no links"),
                       (["--parallel", "0", "https://t.me/x_chan/1"], "--parallel 0"),
                       (["--connections", "1000", "https://t.me/x_chan/1"], "--connections 1000"),
                       (["--part-size", "3", "https://t.me/x_chan/1"], "--part-size 3"),
                       (["--transport", "pigeon", "https://t.me/x_chan/1"], "an unknown transport"),
                       (["--range", "10-5", "https://t.me/x_chan/1"], "a backwards --range"),
                       (["--range", "abc", "https://t.me/x_chan/1"], "a --range that is no range"),
                       (["--from", os.path.join(work, "missing.txt")], "an unreadable --from"),
                       (["--dc-config", os.path.join(work, "missing.json"), "https://t.me/x_chan/1"],
                        "an unreadable --dc-config"),
                       (["login"], "login without --session")]:
        r = run(args)
        check(r.returncode == EXIT_USAGE and r.stderr.strip(),
              f"usage error ({what}) exits {EXIT_USAGE} with a message, got {r.returncode}: {tail(r)[-120:]}")
    same = os.path.join(work, "same.session")
    r = run(["--session", same, "--session", same, "https://t.me/x_chan/1"])
    check(r.returncode == EXIT_USAGE and "twice" in r.stderr,
          f"one --session file for two accounts exits 2: {tail(r)[-160:]}")
    r = run(["login", "--session", same, "--session", same + "2"])
    check(r.returncode == EXIT_USAGE and "one user" in r.stderr, f"login into two sessions exits 2: {tail(r)[-160:]}")
    not_a_dir = os.path.join(work, "not-a-dir.bin")
    r = run(["-o", not_a_dir, "https://t.me/x_chan/1", "https://t.me/x_chan/2"])
    check(r.returncode == EXIT_USAGE and "directory" in r.stderr, f"-o FILE with two links exits 2: {tail(r)[-160:]}")
    for link, part in [("https://t.me/testdc_files/12a", "message id"), ("https://example.com/testdc_files/1", "host"),
                       ("https://t.me/testdc_files", "message id"), ("t.me/c/0/5", "channel id")]:
        r = run(["https://t.me/x_chan/1", link])
        check(r.returncode == EXIT_USAGE and part in r.stderr and link in r.stderr,
              f"bad link {link} exits 2 naming the {part}: {tail(r)[-160:]}")
    r = run(["--help"])
    defaults = all(re.search(rf"{flag}\b[^\n]*=\d+", r.stdout) for flag in ("--parallel", "--connections", "--part-size",
                                                                        "--retries", "--timeout"))
    check(r.returncode == EXIT_OK and "exit codes" in r.stdout and defaults,
          "--help exits 0 and shows the defaults and exit codes")


def main_cases(run, dc, work):
    a, b = dc.file("a.bin"), dc.file("b.bin")
    base = dc.base

    out = fresh_dir(work, "one")
    r = run(base + ["--json", a["link"], "-o", out])
    got = check_download(r, [a], out, "one link")
    if got:
        check(JSON_KEYS <= set(got[0]), f"--json keys {sorted(JSON_KEYS - set(got[0]))} missing")
        check(got[0]["dc"] == 1 and got[0]["requests"] >= 1 and got[0]["connections"] >= 1,
              "a.bin came from DC 1 (an exported login) with at least one request")
        check(os.path.basename(got[0]["path"]) == "a.bin", "named after the document's file name")

    # Again into the same directory: complete files are skipped; a different file of that name numbered.
    r = run(base + ["--json", a["link"], "-o", out])
    got = objects(r.stdout)
    check(r.returncode == EXIT_OK and len(got) == 1 and got[0].get("skipped") is True,
          f"a complete file is skipped on a second run: {r.stdout.strip()[-200:]}")
    with open(os.path.join(out, "b.bin"), "wb") as f:
        f.write(b"something else")
    r = run(base + ["--json", b["link"], "-o", out + "/"])
    got = objects(r.stdout)
    check(r.returncode == EXIT_OK and got and got[0].get("path", "").endswith("b (1).bin")
          and got[0].get("sha256") == b["sha256"], f"a taken name becomes 'b (1).bin': {r.stdout.strip()[-200:]}")

    out = fresh_dir(work, "several")
    r = run(base + ["--json", "--part-size", "128", "--parallel", "8", "--connections", "2", a["link"], b["link"],
                    "-o", out])
    got = check_download(r, [a, b], out, "several links")
    if len(got) == 2:
        check(got[1]["dc"] == 2, "b.bin came from DC 2")

    out = fresh_dir(work, "from")
    links = os.path.join(work, "links.txt")
    with open(links, "w") as f:
        f.write(f"# fixtures\n\n  {b['link']}  \n{a['link']}\n")
    token = os.path.join(work, "token")
    with open(token, "w") as f:
        f.write(dc.ready["bot_token"] + "\n")
    r = run(["--dc-config", dc.ready_path, "--bot-token-file", token, "--json", "--from", links, "-o", out])
    check_download(r, [b, a], out, "--from FILE with --bot-token-file")

    out = fresh_dir(work, "names")
    uni, esc = dc.file(UNICODE_NAME), dc.file(ESCAPING_NAME)
    r = run(base + ["--json", uni["link"], esc["link"], "-o", out])
    got = check_download(r, [uni, esc], out, "hostile names")
    if len(got) == 2:
        check(os.path.basename(got[0]["path"]) == UNICODE_NAME, f"a unicode name with spaces is kept: {got[0]['path']}")
        check(os.path.basename(got[1]["path"]) == "_.._escape me.bin", f"'../../' is defused: {got[1]['path']}")
    check(not os.path.exists(os.path.join(work, "escape me.bin")) and not os.path.exists("/escape me.bin"),
          "nothing was written outside -o")

    # A message range: every file of consecutive fixture messages, and missing messages skipped.
    by_id = {f["message_id"]: f for f in dc.ready["files"]}
    first = min(by_id)
    last = first
    while last + 1 in by_id:
        last += 1
    channel = a["link"].rsplit("/", 1)[0]
    out = fresh_dir(work, "msg-range")
    r = run(base + ["--json", f"{channel}/{first}-{last}", "-o", out])
    check_download(r, [by_id[i] for i in range(first, last + 1)], out, f"the message range {first}-{last}")
    r = run(base + ["--json", f"{channel}/{last + 5000}-{last + 5002}", "-o", fresh_dir(work, "msg-missing")])
    check(r.returncode == EXIT_OK and r.stdout.strip() == "" and r.stderr.count("skipped") == 3,
          f"a range of missing messages skips each and exits 0: {tail(r)[-200:]}")
    r = run(base + [f"{channel}/9-3"])
    check(r.returncode == EXIT_USAGE and "before it starts" in r.stderr, f"a backwards message range exits 2: {tail(r)[-160:]}")

    # --range: bytes compared with the whole file downloaded above.
    whole = open(os.path.join(work, "one", "a.bin"), "rb").read()
    for spec, first, end in [("1000-200999", 1000, 201000), ("3000000-", 3000000, len(whole)), ("-5000", len(whole) - 5000, len(whole))]:
        target = os.path.join(work, f"range-{first}.bin")
        r = run(base + ["--json", "--range", spec, a["link"], "-o", target])
        data = open(target, "rb").read() if os.path.exists(target) else b""
        check(r.returncode == EXIT_OK and data == whole[first:end],
              f"--range {spec}: exactly bytes [{first}, {end}) ({len(data)} bytes; {tail(r)[-160:]})")
    r = run(base + ["--range", f"{len(whole)}-", a["link"], "-o", os.path.join(work, "past.bin")])
    check(r.returncode == EXIT_USAGE, f"a --range past the end exits 2, got {r.returncode}")

    # An album: every item, documents and the photo's largest size.
    album = [m for m in dc.ready["messages"] if m["kind"] == "album"]
    out = fresh_dir(work, "album")
    r = run(base + ["--json", album[0]["link"], "-o", out])
    got = objects(r.stdout)
    check(r.returncode == EXIT_OK and len(got) == len(album), f"an album link downloads {len(album)} items: {tail(r)}")
    got.sort(key=lambda j: j.get("message_id", 0))  # items download side by side and report as they end
    for j, m in zip(got, sorted(album, key=lambda m: m["message_id"])):
        want = m["sha256"] if m["media"] == "document" else max(m["sizes"], key=lambda s: s["size"])["sha256"]
        check(j.get("sha256") == want and sha256_of(j["path"]) == want, f"album item {m['message_id']}: SHA-256")
    r = run(base + [album[0]["link"], "-o", os.path.join(work, "album.bin")])
    check(r.returncode == EXIT_USAGE and "album" in r.stderr, f"-o FILE with an album exits 2: {tail(r)[-160:]}")

    # Not found, no media.
    channel = dc.ready["channel"]
    text = next(m for m in dc.ready["messages"] if m["kind"] == "text")
    deleted = next(m for m in dc.ready["messages"] if m["kind"] == "deleted")
    for link, what in [(f"https://t.me/{channel}/999999", "an unknown message"), (deleted["link"], "a deleted message"),
                       (text["link"], "a message without media"), ("https://t.me/nobody_has_this/5", "an unknown channel")]:
        r = run(base + [link, "-o", fresh_dir(work, "missing")])
        check(r.returncode == EXIT_NOT_FOUND and link in r.stderr, f"{what} exits {EXIT_NOT_FOUND}, got {r.returncode}: {tail(r)[-160:]}")
        check(not os.listdir(os.path.join(work, "missing")), f"{what}: nothing written")

    # --quiet: nothing at all on success.
    r = run(base + ["--quiet", b["link"], "-o", fresh_dir(work, "quiet")])
    check(r.returncode == EXIT_OK and r.stdout == "" and r.stderr == "", f"--quiet prints nothing: {r.stderr[-200:]!r}")
    # Without --json and not on a terminal: plain lines, the summary names the SHA-256.
    r = run(base + [b["link"], "-o", fresh_dir(work, "plain")])
    check(r.returncode == EXIT_OK and r.stdout == "" and b["sha256"] in r.stderr and "\r" not in r.stderr,
          f"progress off a terminal: plain lines on stderr, the SHA-256 in the summary: {r.stderr[-200:]!r}")

    # Local I/O: an -o under a regular file; a read-only directory (unless root, who may write anyway).
    regular = os.path.join(work, "regular")
    open(regular, "w").close()
    for target in [os.path.join(regular, "sub") + "/", os.path.join(regular, "x.bin")]:
        r = run(base + [b["link"], "-o", target])
        check(r.returncode == EXIT_LOCAL, f"-o {target} (under a file) exits {EXIT_LOCAL}, got {r.returncode}: {tail(r)[-160:]}")
    if os.geteuid() != 0:
        ro = fresh_dir(work, "read-only")
        os.chmod(ro, 0o555)
        r = run(base + [b["link"], "-o", ro])
        check(r.returncode == EXIT_LOCAL, f"a read-only -o exits {EXIT_LOCAL}, got {r.returncode}")
        os.chmod(ro, 0o755)

    # A file-size limit: EFBIG is a local I/O error (not SIGXFSZ), no file reported, the .part kept.
    out = fresh_dir(work, "fsize")
    limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))
    r = run(base + ["--json", a["link"], "-o", out], preexec_fn=limit)
    check(r.returncode == EXIT_LOCAL, f"RLIMIT_FSIZE exits {EXIT_LOCAL}, got {r.returncode}: {tail(r)[-200:]}")
    check(r.stdout.strip() == "" and not os.path.exists(os.path.join(out, "a.bin")), "no complete file reported or written")
    check(os.path.exists(os.path.join(out, "a.bin.part")), "the .part is kept")
    check("too large" in r.stderr.lower(), f"the message names the cause: {tail(r)[-160:]}")

    # A user login with a 2FA password through stdin (not a terminal: nothing to hide), then a download.
    session = os.path.join(work, "user.session")
    r = run(["login", "--session", session, "--dc-config", dc.ready_path],
            input=f"{TEST_USER_PHONE}\n{TEST_USER_CODE}\n{PASSWORD}\n")
    check(r.returncode == EXIT_OK and os.path.exists(session), f"tgdl login with 2FA: exit 0 ({tail(r)})")
    out = fresh_dir(work, "user")
    r = run(["--dc-config", dc.ready_path, "--session", session, "--json", b["link"], "-o", out])
    check_download(r, [b], out, "a download with the user's session")
    r = run(["--dc-config", dc.ready_path, b["link"], "-o", out])
    check(r.returncode == EXIT_USAGE and "not logged in" in r.stderr, f"no account at all exits 2: {tail(r)[-160:]}")


def fault_case(run, testdc, work, name, faults, files, check_result=None, extra=(), base=True):
    dc = Emulator(testdc, work, name, sum((["--file", f] for f in files), []) + faults)
    try:
        fixtures = dc.ready["files"]
        out = fresh_dir(work, name)
        who = dc.base if base else ["--dc-config", dc.ready_path]
        r = run(who + ["--json"] + list(extra) + [f["link"] for f in fixtures] + ["-o", out])
        got = check_download(r, fixtures, out, name)
        if check_result and got:
            check_result(got)
    finally:
        dc.kill()


def interrupted_cases(tgdl, testdc, work):
    dc = Emulator(testdc, work, "slow", ["--file", f"{SLOW_FILE}:{SLOW_SIZE}:1", "--rate-per-connection", str(SLOW_RATE)])
    try:
        f = dc.file(SLOW_FILE)
        out = fresh_dir(work, "slow")
        final = os.path.join(out, SLOW_FILE)
        part, journal = final + ".part", final + ".part.resume"
        args = dc.base + ["--json", "--connections", "1", f["link"], "-o", out]

        def run_until_journal(extra):
            proc = tgdl.start(args + extra)
            deadline = time.monotonic() + TGDL_TIMEOUT_S
            while time.monotonic() < deadline and proc.poll() is None and not os.path.exists(journal):
                time.sleep(0.05)
            time.sleep(0.5)
            return proc

        proc = run_until_journal([])
        check(proc.poll() is None, "the slow download was still running when its journal appeared")
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        check(os.path.exists(part) and os.path.exists(journal) and not os.path.exists(final),
              "after SIGKILL: NAME.part and NAME.part.resume exist, NAME does not")

        proc = run_until_journal(["--resume"])
        # The journal is already there: wait until the resumed run writes, so the signal meets a
        # running download (under load, starting can take longer than the sleep above).
        killed_at = os.path.getsize(part)
        deadline = time.monotonic() + TGDL_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None and os.path.getsize(part) <= killed_at:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        try:
            stdout, stderr = proc.communicate(timeout=TGDL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        check(proc.returncode == 130, f"SIGINT exits 130, got {proc.returncode} ({stderr.strip()[-200:]})")
        check(stdout.strip() == "" and os.path.exists(part) and os.path.exists(journal) and not os.path.exists(final),
              "after SIGINT: nothing reported, the .part and journal kept")

        r = tgdl(args + ["--resume"])
        got = objects(r.stdout)
        check(r.returncode == EXIT_OK and len(got) == 1, f"--resume completes: {tail(r)}")
        if got:
            check(got[0].get("sha256") == f["sha256"] and sha256_of(final) == f["sha256"],
                  "the resumed file has the emulator's SHA-256")
            check(0 < got[0].get("resumed_bytes", 0) < f["size"], f"and resumed ({got[0].get('resumed_bytes')} bytes)")
        check(not os.path.exists(part) and not os.path.exists(journal), "no .part or journal left after the resumed run")
    finally:
        dc.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tgdl", required=True)
    ap.add_argument("--testdc", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tgdl-test-")
    run = Tgdl(a.tgdl)

    usage_errors(run, work)

    dc = Emulator(a.testdc, work, "main", sum((["--file", f] for f in MAIN_FILES), []) +
                  ["--ready-messages", "--password", PASSWORD])
    try:
        main_cases(run, dc, work)
    finally:
        dc.kill()

    # Nothing listening: a network failure, in bounded time.
    ready_copy = os.path.join(work, "gone-ready.json")
    with open(ready_copy, "w") as f:
        json.dump(dc.ready, f)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    r = run(["--dc-config", ready_copy, "--dc", f"2=127.0.0.1:{port}", "--bot-token", dc.ready["bot_token"],
             dc.file("b.bin")["link"], "-o", fresh_dir(work, "gone")])
    check(r.returncode == EXIT_NETWORK, f"nothing listening exits {EXIT_NETWORK}, got {r.returncode}: {tail(r)[-160:]}")
    check(time.monotonic() - started < TGDL_TIMEOUT_S / 2, "and gives up in bounded time")

    # Small parts, so there are requests enough for every fault to strike many times.
    fault_case(run, a.testdc, work, "flood", ["--flood-every", "4", "--flood-seconds", "1"], ["f.bin:3M:1"],
               lambda got: check(got[0]["flood_waits"] > 0, f"the storm was felt: {got[0]['flood_waits']} flood waits"),
               extra=["--part-size", "128"])
    fault_case(run, a.testdc, work, "drops", ["--drop-every", "7"], ["d1.bin:4M:1", "d2.bin:2M:2"],
               lambda got: print(f"     (drops: {sum(g['retries'] for g in got)} retries, "
                                 f"{sum(g['requests'] for g in got)} requests)"),
               extra=["--part-size", "128"])
    fault_case(run, a.testdc, work, "refs", ["--file-ref-ttl", "1"], ["big.bin:8M:1"],
               lambda got: check(got[0]["reference_refreshes"] > 0,
                                 f"references were refreshed: {got[0]['reference_refreshes']} times"),
               extra=["--part-size", "256"])
    # An account pool: three bots share one file, one of them flooded; every account carries bytes.
    pool = ["--bot-token", "7001:poolA", "--bot-token", "7002:poolB", "--bot-token", "7003:poolC"]

    def pool_result(got):
        used = got[0].get("accounts", [])
        check([u.get("account") for u in used] == ["bot7001", "bot7002", "bot7003"],
              f"the JSON names the pool's accounts: {[u.get('account') for u in used]}")
        check(all(u.get("bytes", 0) > 0 for u in used), f"every account carried bytes: {used}")
        check(sum(u.get("bytes", 0) for u in used) == got[0]["bytes"], "the accounts' bytes add up to the file")
        flooded = [u for u in used if u.get("flood_waits", 0) > 0]
        check([u.get("account") for u in flooded] == ["bot7002"], f"only the flooded account was told to wait: {used}")

    fault_case(run, a.testdc, work, "pool", ["--flood-account", "7002", "--flood-every", "3", "--flood-seconds", "1"],
               ["p.bin:6M:1"], pool_result, extra=pool + ["--part-size", "256"], base=False)
    # --verify: corrupted parts are caught by the server's hashes and fetched again.
    fault_case(run, a.testdc, work, "verify", ["--corrupt-every", "5"], ["v.bin:3M:1"],
               lambda got: check(got[0].get("verified") is True and got[0].get("hash_mismatches", 0) > 0,
                                 f"--verify caught the corrupt parts: {got[0].get('hash_mismatches')} mismatches"),
               extra=["--verify", "--part-size", "128"])
    # Several files side by side: one request in flight per file and 512 KiB/s per connection make
    # each file take ~4 s; one after the other that is ~12 s, side by side (on their own
    # connections) ~4. The bound sits between, leaving ~4 s for a loaded host's startup and handshakes.
    rate = 512 * 1024
    dc = Emulator(a.testdc, work, "side-by-side", ["--file", "q1.bin:2M:1", "--file", "q2.bin:2M:1", "--file", "q3.bin:2M:1",
                                                   "--rate-per-connection", str(rate)])
    try:
        out = fresh_dir(work, "side-by-side")
        started = time.monotonic()
        r = run(dc.base + ["--json", "--parallel", "1", "--connections", "3", "--part-size", "128"] +
                [f["link"] for f in dc.ready["files"]] + ["-o", out])
        elapsed = time.monotonic() - started
        check_download(r, dc.ready["files"], out, "three files side by side")
        one_after_another = 3 * 2 * 1024 * 1024 / rate
        check(elapsed < one_after_another * 2 / 3,
              f"three files at one request each took {elapsed:.1f} s (one after the other: ~{one_after_another:.0f} s)")
    finally:
        dc.kill()
    interrupted_cases(run, a.testdc, work)

    # The failed checks again, last: a log cut in the middle still shows them.
    print("".join(f"FAILED: {f[:300]}\n" for f in failures) + (f"{len(failures)} failed" if failures else "all passed"), flush=True)
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""tgcall's exit codes and error paths, run as a user runs them: the built tgcall against
mtproto-testdc started as a child process.

Usage: /usr/bin/python3 tests/examples/tgcall_test.py --tgcall BUILD/tgcall --testdc BUILD/mtproto-testdc

Checks: usage errors exit 2; an RPC error (unknown username, a message that does not exist)
exits 3; nothing listening exits 4; a download that fails mid-way (the emulator killed) exits 4
and leaves neither the output file nor its .part; get-file --json prints exactly the keys
path, bytes, seconds, sha256, requests, flood_waits, and the SHA-256 matches the emulator's.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

EXIT_OK, EXIT_USAGE, EXIT_RPC, EXIT_NETWORK = 0, 2, 3, 4
GET_FILE_KEYS = {"path", "bytes", "seconds", "sha256", "requests", "flood_waits"}
READY_WAIT_S = 60
TGCALL_TIMEOUT_S = 120
# Backstop so a failed run never leaves an emulator behind.
EMULATOR_MAX_SECONDS = 300
# The slow emulator: a file that takes seconds to serve, so it can be killed half-way.
SLOW_FILE = "slow.bin:6M:2"
SLOW_RATE = 1024 * 1024  # bytes per second per connection

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


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

    def file(self, name):
        return next(f for f in self.ready["files"] if f["name"] == name)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()


def tgcall(args, binary, **kw):
    return subprocess.run([binary] + args, capture_output=True, text=True, timeout=TGCALL_TIMEOUT_S, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tgcall", required=True)
    ap.add_argument("--testdc", required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tgcall-test-")
    run = lambda args, **kw: tgcall(args, a.tgcall, **kw)

    # ---- usage errors: no emulator needed ----
    for args, what in [([], "no command"), (["frobnicate"], "unknown command"),
                       (["get-file", "https://t.me/x/1"], "get-file without -o"),
                       (["--transport", "carrier-pigeon", "config"], "unknown transport"),
                       (["--timeout", "zero", "config"], "bad --timeout"),
                       (["--dc-config", os.path.join(work, "missing.json"), "config"], "unreadable --dc-config")]:
        r = run(args)
        check(r.returncode == EXIT_USAGE, f"usage error ({what}) exits {EXIT_USAGE}, got {r.returncode}")
    r = run(["--help"])
    check(r.returncode == EXIT_OK and "exit codes" in r.stdout, "--help exits 0 and prints the usage")

    dc = Emulator(a.testdc, work, "plain", ["--file", "home.bin:1300K:2", "--file", "far.bin:700K:1"])
    try:
        base = ["--dc-config", dc.ready_path, "--bot-token", dc.ready["bot_token"]]

        # ---- success, --json keys exactly, SHA-256 matches; FILE_MIGRATE followed for far.bin ----
        for name in ("home.bin", "far.bin"):
            f = dc.file(name)
            out = os.path.join(work, name)
            r = run(base + ["--json", "get-file", f["link"], "-o", out])
            check(r.returncode == EXIT_OK, f"get-file {name} exits 0 (stderr: {r.stderr.strip()[-300:]})")
            lines = r.stdout.strip().splitlines()
            check(len(lines) == 1, f"get-file --json prints one line, got {len(lines)}")
            try:
                j = json.loads(lines[-1])
            except (ValueError, IndexError):
                j = {}
            check(set(j) == GET_FILE_KEYS, f"get-file --json keys are exactly {sorted(GET_FILE_KEYS)}: {sorted(j)}")
            check(j.get("sha256") == f["sha256"], f"{name}: tgcall's SHA-256 matches the emulator's")
            check(j.get("bytes") == f["size"] and os.path.getsize(out) == f["size"], f"{name}: size {f['size']}")
            check(j.get("path") == out and not os.path.exists(out + ".part"), f"{name}: final name, no .part left")
            check(isinstance(j.get("seconds"), (int, float)) and j.get("requests", 0) >= 1
                  and j.get("flood_waits") == 0, f"{name}: seconds/requests/flood_waits are numbers")

        # ---- RPC errors ----
        channel = dc.ready["channel"]
        missing_message = f"https://t.me/{channel}/999999"
        out = os.path.join(work, "missing.bin")
        r = run(base + ["get-file", missing_message, "-o", out])
        check(r.returncode == EXIT_RPC, f"a message that does not exist exits {EXIT_RPC}, got {r.returncode}")
        check(not os.path.exists(out) and not os.path.exists(out + ".part"), "no file left for a missing message")
        r = run(base + ["--json", "resolve", "nobody_has_this_name"])
        check(r.returncode == EXIT_RPC, f"an unknown username exits {EXIT_RPC}, got {r.returncode}")
        try:
            err = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            err = {}
        check("USERNAME_NOT_OCCUPIED" in err.get("error", "") and err.get("exit_code") == EXIT_RPC,
              f"--json error object names the RPC error: {r.stdout.strip()}")
        r = run(base + ["get-file", "https://example.com/nope", "-o", out])
        check(r.returncode == EXIT_USAGE, f"a link that is not t.me/NAME/ID exits {EXIT_USAGE}, got {r.returncode}")

        # ---- secrets from a file or the environment; an encrypted session file ----
        token_file = os.path.join(work, "token")
        with open(token_file, "w") as f:
            f.write(dc.ready["bot_token"] + "\n")
        pass_file = os.path.join(work, "passphrase")
        with open(pass_file, "w") as f:
            f.write("a long session passphrase\n")
        session = os.path.join(work, "enc.session")
        r = run(["--dc-config", dc.ready_path, "--bot-token-file", token_file, "--session", session,
                 "--session-passphrase-file", pass_file, "config"])
        check(r.returncode == EXIT_OK, f"--bot-token-file + encrypted --session: exit 0 (stderr: {r.stderr.strip()[-300:]})")
        with open(session, "rb") as f:
            check(f.read(8) == b"MTPCSENC", "the session file is encrypted at rest")
        env = dict(os.environ, TG_SESSION_PASSPHRASE="a long session passphrase")
        r = run(["--dc-config", dc.ready_path, "--session", session, "config"], env=env)
        check(r.returncode == EXIT_OK, f"the encrypted session reopens with $TG_SESSION_PASSPHRASE (stderr: {r.stderr.strip()[-200:]})")
        env = dict(os.environ, TG_SESSION_PASSPHRASE="not it")
        r = run(["--dc-config", dc.ready_path, "--session", session, "config"], env=env)
        check(r.returncode != EXIT_OK and "passphrase" in r.stderr, f"a wrong passphrase is refused with a clear error: {r.stderr.strip()[-200:]}")
        env = dict(os.environ, TG_BOT_TOKEN=dc.ready["bot_token"])
        r = run(["--dc-config", dc.ready_path, "config"], env=env)
        check(r.returncode == EXIT_OK, "$TG_BOT_TOKEN logs in")
        secret = "c0ffee" * 5 + "zz"  # 32 characters, not hex
        r = run(["--dc-config", dc.ready_path, "--proxy", "127.0.0.1:1:" + secret, "config"])
        check(r.returncode == EXIT_USAGE and secret not in r.stderr + r.stdout,
              f"a bad --proxy secret exits {EXIT_USAGE} without echoing it")
    finally:
        dc.kill()

    # ---- network failure: nothing listening ----
    port = free_port()
    started = time.monotonic()
    r = run(["--dc-config", dc.ready_path, "--dc", f"2=127.0.0.1:{port}", "--bot-token", dc.ready["bot_token"],
             "config"])
    check(r.returncode == EXIT_NETWORK, f"nothing listening exits {EXIT_NETWORK}, got {r.returncode} "
                                        f"(stderr: {r.stderr.strip()[-200:]})")
    check(time.monotonic() - started < TGCALL_TIMEOUT_S / 2, "and gives up in bounded time")

    # ---- a download that fails mid-way: the emulator is killed ----
    slow = Emulator(a.testdc, work, "slow", ["--file", SLOW_FILE, "--rate-per-connection", str(SLOW_RATE)])
    try:
        f = slow.file("slow.bin")
        out = os.path.join(work, "slow.bin")
        proc = subprocess.Popen([a.tgcall, "--dc-config", slow.ready_path, "--bot-token", slow.ready["bot_token"],
                                 "get-file", f["link"], "-o", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        deadline = time.monotonic() + TGCALL_TIMEOUT_S
        part = out + ".part"
        while time.monotonic() < deadline and proc.poll() is None:
            if os.path.exists(part) and os.path.getsize(part) > 0:
                break
            time.sleep(0.02)
        got_partial = os.path.exists(part) and os.path.getsize(part) < f["size"]
        check(got_partial, "the download was under way (a partial .part) when the emulator was killed")
        slow.kill()
        try:
            _, err = proc.communicate(timeout=TGCALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            check(False, "tgcall hung after the emulator disappeared")
        check(proc.returncode == EXIT_NETWORK, f"a download cut mid-way exits {EXIT_NETWORK}, got {proc.returncode} "
                                               f"(stderr: {err.strip()[-200:]})")
        check(not os.path.exists(out), "no file under the final name after a failed download")
        check(not os.path.exists(part), "and no .part left behind")
    finally:
        slow.kill() if slow.proc.poll() is None else None

    # The failed checks again, last: a log cut in the middle still shows them.
    print("".join(f"FAILED: {f[:300]}\n" for f in failures) + (f"{len(failures)} failed" if failures else "all passed"), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

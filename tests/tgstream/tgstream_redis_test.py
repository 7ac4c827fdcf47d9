#!/usr/bin/python3
"""Two tgstream nodes share their metadata cache and flood waits through Redis (a redis-server
this test starts), so they never both hit an account one of them saw flooded; a third node
without Redis is the control.

A link node A resolved is found in Redis by node B, which then downloads it without resolving.

mtproto-testdc answers FLOOD_PREMIUM_WAIT_4 once the bot has been served 3 MiB (--premium-wait-after,
per account, as Telegram does for accounts without premium). Node A downloads a 4 MiB file and
meets the wait; as soon as its key is in Redis, node B (with Redis) and node C (without) each
download a small file with the same bot. B must not ask Telegram during the wait (no flood wait
reported to it) yet wait it out; C, knowing nothing, is told by the server. All bytes are checked
against the emulator's SHA-256.

Usage: /usr/bin/python3 tests/tgstream/tgstream_redis_test.py --tgstream BIN --testdc BIN
Exit 77 (skipped) without redis-server (scripts/test.sh installs it).
"""
import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tgstream_test import check, curl, failures, wait_for  # noqa: E402

SKIP = 77
WAIT_S = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metric(base, name):
    text = curl(f"{base}/metrics").stdout.decode()
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tgstream", required=True)
    p.add_argument("--testdc", required=True)
    a = p.parse_args()
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        print("skipped: redis-server is not installed (apt-get install redis-server)")
        return SKIP
    work = tempfile.mkdtemp(prefix="tgstream-redis-")
    procs = []

    def start(args, name):
        log = open(os.path.join(work, name + ".log"), "wb")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        procs.append((proc, name))
        return proc

    try:
        port = free_port()
        start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", work], "redis")
        cli = ["redis-cli", "-p", str(port)]
        deadline = time.monotonic() + 30
        while subprocess.run(cli + ["ping"], capture_output=True).stdout.strip() != b"PONG":
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

        dc_ready = os.path.join(work, "dc.json")
        dc = start([a.testdc, "--ready-file", dc_ready, "--max-seconds", "300", "--file", "big.bin:4M:1",
                    "--file", "small-b.bin:256K:1", "--file", "small-c.bin:256K:1", "--file", "cache.bin:300K:1",
                    "--premium-wait-after", f"3M:{WAIT_S}"], "testdc")
        ready = wait_for(dc_ready, dc, "mtproto-testdc")
        secret = os.path.join(work, "secret")
        with open(secret, "w") as f:
            f.write("a secret shared by the three nodes\n")

        def node_args(name, redis, token=ready["bot_token"], extra=()):
            args = [a.tgstream, "--listen", "127.0.0.1:0", "--dc-config", dc_ready, "--bot-token", token,
                    "--secret-file", secret, "--ready-file", os.path.join(work, name + ".json"), "--quiet",
                    "--rate-limit", "0", *extra]
            if redis:
                args += ["--redis", f"redis://127.0.0.1:{port}"]
            return args

        def node(name, redis):
            return wait_for(os.path.join(work, name + ".json"), start(node_args(name, redis), name), name)["url"]

        node_a, node_b, node_c = node("a", True), node("b", True), node("c", False)
        files = {f["name"]: f for f in ready["files"]}

        def url_of(base, name):
            card = json.loads(curl(f"{base}/api/resolve?link=" + urllib.parse.quote(files[name]["link"], safe="")).stdout)
            return base + card["download_url"]

        # The metadata cache: what A resolved, B finds in Redis (and downloads with it).
        url_of(node_a, "cache.bin")
        misses_before = metric(node_b, "tgstream_shared_cache_misses_total")
        cached_url = url_of(node_b, "cache.bin")
        check(metric(node_b, "tgstream_shared_cache_hits_total") == 1 and
              metric(node_b, "tgstream_shared_cache_misses_total") == misses_before,
              "B found the link A resolved in Redis")
        r = curl("-o", os.path.join(work, "cache.bin"), "-w", "%{http_code}", cached_url)
        with open(os.path.join(work, "cache.bin"), "rb") as f:
            check(r.stdout == b"200" and hashlib.sha256(f.read()).hexdigest() == files["cache.bin"]["sha256"],
                  "B downloads it from the shared entry, SHA-256 as published")
        check(metric(node_c, "tgstream_shared_cache_hits_total") is None, "C, without Redis, has no shared cache")

        big_url, b_url, c_url = url_of(node_a, "big.bin"), url_of(node_b, "small-b.bin"), url_of(node_c, "small-c.bin")

        outputs = {n: os.path.join(work, n) for n in ("big.bin", "small-b.bin", "small-c.bin")}
        fmt = ["-w", "%{http_code} %{time_starttransfer}"]
        big = subprocess.Popen(["curl", "-sS", "-o", outputs["big.bin"], *fmt, big_url], stdout=subprocess.PIPE)
        # The wait A meets, as A wrote it for the others.
        key = None
        deadline = time.monotonic() + 60
        while key is None:
            keys = subprocess.run(cli + ["--raw", "keys", "tgstream:flood:*"], capture_output=True).stdout.split()
            if keys:
                key = keys[0].decode()
            elif time.monotonic() > deadline or big.poll() is not None:
                raise RuntimeError("node A never published a flood wait")
            else:
                time.sleep(0.02)
        ttl = int(subprocess.run(cli + ["pttl", key], capture_output=True).stdout)
        check(key.startswith("tgstream:flood:bot") and key.endswith(":1") and 0 < ttl <= (WAIT_S + 1) * 1000,
              f"node A published its wait ({key}, {ttl} ms left)")

        b = subprocess.Popen(["curl", "-sS", "-o", outputs["small-b.bin"], *fmt, b_url], stdout=subprocess.PIPE)
        c = subprocess.Popen(["curl", "-sS", "-o", outputs["small-c.bin"], *fmt, c_url], stdout=subprocess.PIPE)
        results = {}
        for name, proc in (("big.bin", big), ("small-b.bin", b), ("small-c.bin", c)):
            out, _ = proc.communicate(timeout=120)
            code, ttfb = out.decode().split()
            with open(outputs[name], "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            check(code == "200" and digest == files[name]["sha256"], f"{name}: 200 and the published SHA-256")
            results[name] = float(ttfb)

        flood_metric = 'tgstream_flood_waits_total'
        check(metric(node_a, "tgstream_shared_floods_published_total") >= 1, "A wrote its wait to Redis")
        check(metric(node_b, "tgstream_shared_floods_imported_total") >= 1, "B learned the wait from Redis")
        check(metric(node_b, flood_metric) == 0, "B was never told to wait by the server: it did not ask")
        check(results["small-b.bin"] >= 1.5, f"B waited the wait out before its first byte ({results['small-b.bin']:.2f} s)")
        check(metric(node_c, flood_metric) >= 1, "C, without Redis, asked during the wait and was told (the control)")
        check(metric(node_a, "tgstream_redis_failures_total") == 0 and metric(node_b, "tgstream_redis_failures_total") == 0,
              "no Redis call failed")

        # Shared sessions: two nodes started at once with one bot; one creates the keys and logs in
        # (under the login lease), the other loads its record; the record is sealed; both serve.
        passphrase = os.path.join(work, "passphrase")
        with open(passphrase, "w") as f:
            f.write("the pool's session passphrase\n")
        shared = ["--shared-sessions", "--session-passphrase-file", passphrase]
        shared_token = "7100:shared"
        procs_de = [start(node_args(n, True, shared_token, shared), n) for n in ("d", "e")]
        node_d, node_e = (wait_for(os.path.join(work, n + ".json"), p, n)["url"] for n, p in zip("de", procs_de))
        logs = [open(os.path.join(work, n + ".log"), errors="replace").read() for n in ("d", "e")]
        logged_in = [l.count("bot7100: logged in (session kept in Redis)") for l in logs]
        loaded = [l.count("bot7100: session from Redis") for l in logs]
        check(sorted(logged_in) == [0, 1] and sorted(loaded) == [0, 1] and logged_in != loaded,
              f"one node logged in, the other loaded its session from Redis: {logs}")
        check(subprocess.run(cli + ["exists", "tgstream:login:bot7100"], capture_output=True).stdout.strip() == b"0",
              "the login lease was released")
        for base, name in ((node_d, "d"), (node_e, "e")):
            out = os.path.join(work, f"shared-{name}.bin")
            r = curl("-o", out, "-w", "%{http_code}", url_of(base, "small-c.bin"))
            with open(out, "rb") as f:
                check(r.stdout == b"200" and hashlib.sha256(f.read()).hexdigest() == files["small-c.bin"]["sha256"],
                      f"node {name} serves with the shared session")
        for p in procs_de:  # they save what they hold as they end; the record is read after
            p.terminate()
            p.wait(timeout=30)
        record = subprocess.run(cli + ["--raw", "get", "tgstream:session:bot7100"], capture_output=True).stdout
        check(record.startswith(b"MTPCSENC") and len(record) > 300, f"the record is sealed ({record[:8]!r}, {len(record)} bytes)")
        with open(os.path.join(work, "wrong"), "w") as f:
            f.write("not the passphrase\n")
        r = subprocess.run(node_args("f", True, shared_token, ["--shared-sessions", "--session-passphrase-file",
                                                               os.path.join(work, "wrong")]),
                           capture_output=True, text=True, timeout=60)
        check(r.returncode == 1 and "does not open with this passphrase" in r.stderr,
              f"a wrong passphrase is refused, the record untouched: {r.returncode} {r.stderr[-200:]!r}")
        check(subprocess.run(cli + ["--raw", "get", "tgstream:session:bot7100"], capture_output=True).stdout == record,
              "the record is as it was")
        r = subprocess.run(node_args("g", True, shared_token, ["--shared-sessions"]), capture_output=True, text=True,
                           timeout=60, env={k: v for k, v in os.environ.items() if k != "TG_SESSION_PASSPHRASE"})
        check(r.returncode == 2 and "passphrase" in r.stderr, f"--shared-sessions without a passphrase exits 2: {r.stderr[-160:]!r}")

        # Redis gone: a node goes on alone (counted), downloads still work.
        subprocess.run(cli + ["shutdown", "nosave"], capture_output=True)
        r = curl("-o", os.path.join(work, "after.bin"), "-w", "%{http_code}", url_of(node_b, "small-b.bin"))
        check(r.stdout == b"200", "with Redis gone, B still serves downloads")
        check(metric(node_b, "tgstream_redis_failures_total") >= 1, "and counts the Redis failure")
    except Exception as e:  # noqa: BLE001
        check(False, f"the run: {e!r}")
        for proc, name in procs:
            log = os.path.join(work, name + ".log")
            if os.path.exists(log):
                print(f"--- {name}.log ---\n" + open(log, errors="replace").read()[-3000:])
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("".join(f"FAILED: {f[:300]}\n" for f in failures) + f"{len(failures)} failed")  # last: survives a cut log
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

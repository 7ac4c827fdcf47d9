#!/usr/bin/python3
"""Checks the interop scripts without an emulator: what can be proven before mtproto-testdc exists.

Nothing here imitates a server. It checks that both scripts parse, read and validate a ready file
the same way, register an RSA key in their client's key table with the fingerprint the shared test
vectors give, serialise upload.getFile byte-identically to an independent encoder, and fail
(non-zero, one JSON line) when there is no server or a server that never answers.

Usage: /usr/bin/python3 tests/interop/selfcheck.py [--no-install]
Ends with 'N passed, N failed' and exits non-zero if anything failed.
"""
import argparse
import copy
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TELETHON = os.path.join(HERE, "telethon_client.py")
GRAMJS_DIR = os.path.join(HERE, "gramjs")
GRAMJS = os.path.join(GRAMJS_DIR, "client.js")
EXAMPLE = os.path.join(HERE, "fixtures", "ready.example.json")
SYSTEM_PYTHON = "/usr/bin/python3"   # Debian's Telethon lives in the system interpreter only
NO_SERVER_TIMEOUT_S = 6
SLACK_S = 10


def shared_dir():
    candidates = [os.environ.get("MTPROTO_SHARED_DIR"),
                  os.path.join(HERE, "..", "..", "..", "shared")]
    for candidate in candidates:
        if candidate and os.path.isdir(os.path.join(candidate, "vectors", "rsa-test-key")):
            return os.path.abspath(candidate)
    return None


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}: {detail}")

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP {name}: {why}")


def client_commands():
    return {"telethon": [SYSTEM_PYTHON, TELETHON], "gramjs": ["node", GRAMJS]}


def run_client(client, args, timeout=60):
    started = time.monotonic()
    proc = subprocess.run(client_commands()[client] + args, capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - started
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if len(lines) == 1 else None
    except ValueError:
        result = None
    return proc.returncode, result, elapsed, proc


def write_ready(directory, name, ready):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(ready, handle)
    return path


def tl_bytes(data):
    header = bytes([len(data)]) if len(data) < 254 else b"\xfe" + len(data).to_bytes(3, "little")
    body = header + data
    return body + b"\0" * (-len(body) % 4)


def expected_get_file(entry, limit):
    """upload.getFile#be5335be flags:# precise:flags.0?true cdn_supported:flags.1?true
    location:InputFileLocation offset:long limit:int, location = inputDocumentFileLocation#bad07584
    id:long access_hash:long file_reference:bytes thumb_size:string. Encoded here from the schema."""
    def int64(value):
        value = int(value)
        return struct.pack("<q", value - (1 << 64) if value >= (1 << 63) else value)
    location = (struct.pack("<I", 0xBAD07584) + int64(entry["document_id"]) + int64(entry["access_hash"])
                + tl_bytes(bytes.fromhex(entry["file_reference_hex"])) + tl_bytes(b""))
    return (struct.pack("<I", 0xBE5335BE) + struct.pack("<I", 0) + location
            + struct.pack("<q", 0) + struct.pack("<i", limit)).hex()


def free_low_port(listen):
    """A loopback port below 32768 (gram.js's limit); with listen=True the socket is kept open."""
    for port in range(23000, 32760, 13):
        sock = socket.socket()
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        if listen:
            sock.listen(16)
            return sock, port
        sock.close()
        return None, port
    raise RuntimeError("no free loopback port below 32768")


def check_static(checks):
    compiled = subprocess.run([SYSTEM_PYTHON, "-m", "py_compile", TELETHON], capture_output=True, text=True)
    checks.check("telethon_client.py compiles", compiled.returncode == 0, compiled.stderr)
    syntax = subprocess.run(["node", "--check", GRAMJS], capture_output=True, text=True)
    checks.check("gramjs/client.js passes node --check", syntax.returncode == 0, syntax.stderr)
    for client, command in client_commands().items():
        proc = subprocess.run(command + ["--help"], capture_output=True, text=True, timeout=60)
        checks.check(f"{client} --help", proc.returncode == 0 and "--transport" in proc.stdout
                     and "--scenario" in proc.stdout, proc.stderr[-500:])


def check_example(checks):
    with open(EXAMPLE, encoding="utf-8") as handle:
        ready = json.load(handle)
    by_name = {entry["name"]: entry for entry in ready["files"]}
    for client in client_commands():
        for entry in ready["files"]:
            if entry["cdn"]:
                code, result, _, proc = run_client(client, [EXAMPLE, "--dry-run", "--file", entry["name"]])
                checks.check(f"{client} refuses CDN file {entry['name']}",
                             code != 0 and result is not None and not result["ok"] and "CDN" in result["error"],
                             proc.stdout[-500:] + proc.stderr[-500:])
                continue
            code, result, _, proc = run_client(client, [EXAMPLE, "--dry-run", "--file", entry["name"]])
            ok = code == 0 and result is not None and result["ok"]
            checks.check(f"{client} dry run on {entry['name']}", ok, proc.stdout[-500:] + proc.stderr[-500:])
            if ok:
                want = expected_get_file(by_name[result["file"]], 64 * 1024)
                checks.check(f"{client} serialises upload.getFile for {entry['name']} like the schema says",
                             result["dry_run"]["getFile_tl_hex"] == want,
                             f"{result['dry_run']['getFile_tl_hex']} != {want}")
                checks.check(f"{client} reports the example's fingerprint",
                             result["rsa_fingerprint"] == ready["rsa_fingerprint"], result["rsa_fingerprint"])
        code, result, _, _ = run_client(client, [EXAMPLE, "--dry-run", "--scenario", "migrate"])
        checks.check(f"{client} picks a file on another DC for migrate",
                     code == 0 and result["file_dc"] != result["home_dc"], json.dumps(result))
        code, result, _, _ = run_client(client, [EXAMPLE, "--dry-run", "--scenario", "migrate", "--file",
                                                  "three-mib.bin"])
        checks.check(f"{client} refuses migrate with a home-DC file", code != 0 and not result["ok"],
                     json.dumps(result))


def check_contract(checks, workdir):
    """A ready file that breaks the issue's contract must fail the run, in both clients."""
    with open(EXAMPLE, encoding="utf-8") as handle:
        base = json.load(handle)
    broken = {}
    extra = copy.deepcopy(base)
    extra["unexpected"] = 1
    broken["extra top-level key"] = extra
    missing = copy.deepcopy(base)
    del missing["bot_token"]
    broken["missing bot_token"] = missing
    bad_link = copy.deepcopy(base)
    bad_link["files"][0]["link"] = "https://t.me/other_channel/10"
    broken["link naming another channel"] = bad_link
    bad_fp = copy.deepcopy(base)
    bad_fp["rsa_fingerprint"] = "0x%016x" % (int(base["rsa_fingerprint"], 16) ^ 1)
    broken["fingerprint off by one bit"] = bad_fp
    big_id = copy.deepcopy(base)
    big_id["files"][0]["document_id"] = 1 << 64
    broken["document_id beyond 64 bits"] = big_id
    for index, (what, ready) in enumerate(broken.items()):
        path = write_ready(workdir, f"broken{index}.json", ready)
        for client in client_commands():
            code, result, _, proc = run_client(client, [path, "--dry-run"])
            checks.check(f"{client} rejects a ready file with {what}",
                         code != 0 and result is not None and result["ok"] is False and result.get("error"),
                         proc.stdout[-400:] + proc.stderr[-400:])
    unsigned = copy.deepcopy(base)
    unsigned["files"][0]["access_hash"] = int(base["files"][0]["access_hash"]) + (1 << 64)
    path = write_ready(workdir, "unsigned.json", unsigned)
    for client in client_commands():
        code, result, _, _ = run_client(client, [path, "--dry-run"])
        checks.check(f"{client} folds an unsigned access_hash into the signed TL long",
                     code == 0 and result["dry_run"]["getFile_tl_hex"] == expected_get_file(base["files"][0], 65536),
                     json.dumps(result))


def check_shared_test_key(checks, workdir):
    """The fingerprint each client computes must equal the one the shared vectors publish."""
    shared = shared_dir()
    if shared is None:
        checks.skip("fingerprint of the shared TEST key", "../shared/vectors/rsa-test-key not found")
        return
    key_dir = os.path.join(shared, "vectors", "rsa-test-key")
    with open(os.path.join(key_dir, "TEST-ONLY-rsa2048.fingerprint.json"), encoding="utf-8") as handle:
        vector = json.load(handle)
    with open(EXAMPLE, encoding="utf-8") as handle:
        ready = json.load(handle)
    ready["rsa_fingerprint"] = "0x" + vector["fingerprint_hex"]
    for pem_name in ("TEST-ONLY-rsa2048.public.pkcs1.pem", "TEST-ONLY-rsa2048.public.spki.pem"):
        with open(os.path.join(key_dir, pem_name), encoding="ascii") as handle:
            ready["rsa_public_key_pem"] = handle.read()
        path = write_ready(workdir, pem_name + ".ready.json", ready)
        for client in client_commands():
            code, result, _, proc = run_client(client, [path, "--dry-run"])
            checks.check(f"{client} takes {pem_name} with fingerprint 0x{vector['fingerprint_hex']}",
                         code == 0 and result["rsa_fingerprint"] == ready["rsa_fingerprint"],
                         proc.stdout[-400:] + proc.stderr[-400:])


def check_no_server(checks, workdir):
    with open(EXAMPLE, encoding="utf-8") as handle:
        ready = json.load(handle)
    _, closed_port = free_low_port(listen=False)
    listener, silent_port = free_low_port(listen=True)
    try:
        for label, port in (("nothing listening", closed_port), ("a listener that never answers", silent_port)):
            for dc in ready["dcs"]:
                dc["port"] = port
            path = write_ready(workdir, f"port{port}.json", ready)
            for client, transports in (("telethon", ("full", "obfuscated")), ("gramjs", ("full", "obfuscated"))):
                for transport in transports:
                    code, result, elapsed, proc = run_client(
                        client, [path, "--transport", transport, "--timeout", str(NO_SERVER_TIMEOUT_S)],
                        timeout=NO_SERVER_TIMEOUT_S + SLACK_S + 30)
                    checks.check(
                        f"{client}/{transport} fails with {label}",
                        code == 1 and result is not None and result["ok"] is False
                        and elapsed < NO_SERVER_TIMEOUT_S + SLACK_S,
                        f"exit {code} after {elapsed:.1f} s: {proc.stdout[-400:]} {proc.stderr[-400:]}")
    finally:
        listener.close()


def ensure_gramjs(install):
    if os.path.isdir(os.path.join(GRAMJS_DIR, "node_modules", "telegram")):
        return True
    if not install or shutil.which("npm") is None:
        return False
    proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=GRAMJS_DIR)
    return proc.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-install", action="store_true", help="do not run npm ci for gram.js")
    args = parser.parse_args()
    checks = Checks()
    if not ensure_gramjs(not args.no_install):
        print("FAIL gram.js is not installed (cd tests/interop/gramjs && npm ci)")
        print("0 passed, 1 failed")
        return 1
    check_static(checks)
    with tempfile.TemporaryDirectory(prefix="interop-selfcheck-") as workdir:
        check_example(checks)
        check_contract(checks, workdir)
        check_shared_test_key(checks, workdir)
        check_no_server(checks, workdir)
    summary = f"{checks.passed} passed, {checks.failed} failed"
    if checks.skipped:
        summary += f", {checks.skipped} skipped"
    print(summary)
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

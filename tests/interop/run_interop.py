#!/usr/bin/python3
"""Starts mtproto-testdc, runs Telethon and gram.js against it, stops it. The proof of issue 4.

Usage: /usr/bin/python3 tests/interop/run_interop.py --testdc BUILD/mtproto-testdc [--clients ...]
       [--transports ...] [--scenarios ...]

Each emulator configuration below is started once (fresh ports, fresh RSA key, --max-seconds as a
backstop) and every client/transport/scenario that needs it runs against it. Ends with
'N passed, N failed' and exits non-zero if any run failed. Exit 77 (skip) if the emulator binary
or a client is missing, so a build without the emulator does not report a false pass.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PYTHON = "/usr/bin/python3"
CLIENTS = {
    "telethon": {"command": [SYSTEM_PYTHON, os.path.join(HERE, "telethon_client.py")],
                 "transports": ["full", "intermediate", "abridged", "obfuscated"]},
    # gram.js's plain abridged codec reads with a partial read (socket.read(n) may return fewer than
    # n bytes), so large responses can be cut short; it is offered but not in the default matrix.
    "gramjs": {"command": ["node", os.path.join(HERE, "gramjs", "client.js")],
               "transports": ["full", "obfuscated"]},
    # gram.js's fork teleproto announces layer 214, a layer the emulator answers from the schemas
    # of testing/compat/layer_history.tl (before it, layer 198's bytes went to such clients).
    "teleproto": {"command": ["node", os.path.join(HERE, "gramjs", "client.js")],
                  "env": {"GRAMJS_PACKAGE": "teleproto"}, "transports": ["full"]},
    # mtcute 0.30.3 announces layer 227: the TypeScript client issue 12 found unable to log in.
    "mtcute": {"command": ["node", os.path.join(HERE, "mtcute", "client.mjs")],
               "transports": ["intermediate", "obfuscated"]},
}
SKIP_EXIT = 77
READY_WAIT_S = 60
STOP_WAIT_S = 10
EMULATOR_MAX_SECONDS = 1800
CLIENT_TIMEOUT_S = 240

# Fixtures: a few MB each. main-3mib.bin ends in a short part; exact-2mib.bin is a multiple of every part size, which makes the
# clients that do not know the size ask for one more part at offset == size (empty answer).
FILES = ["main-3mib.bin:3158073:1", "exact-2mib.bin:2097152:1", "far-1500k.bin:1536000:2"]
CONFIGS = {
    "plain": {"args": [], "scenarios": {
        "direct": ["--file", "main-3mib.bin"],
        "direct-exact": ["--scenario", "direct", "--file", "exact-2mib.bin"],
        "link": ["--file", "main-3mib.bin"],
        "migrate": ["--file", "far-1500k.bin"],
        "migrate-link": ["--scenario", "migrate", "--via", "link", "--file", "far-1500k.bin"],
    }},
    "flood": {"args": ["--flood-every", "6", "--flood-seconds", "1"], "scenarios": {
        "flood": ["--file", "main-3mib.bin"],
        "flood-link": ["--scenario", "flood", "--via", "link", "--file", "main-3mib.bin"],
    }},
}


def scenario_args(name, extra):
    return extra if "--scenario" in extra else ["--scenario", name] + extra


def start_emulator(binary, config_args, workdir, seed, log):
    ready_path = os.path.join(workdir, "ready.json")
    if os.path.exists(ready_path):
        os.unlink(ready_path)
    command = [binary, "--host", "127.0.0.1", "--port-base", "0", "--dcs", "2", "--seed", str(seed),
               "--ready-file", ready_path, "--max-seconds", str(EMULATOR_MAX_SECONDS)]
    for spec in FILES:
        command += ["--file", spec]
    command += config_args
    print("$ " + " ".join(command), flush=True)
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + READY_WAIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mtproto-testdc exited with {proc.returncode} before writing the ready file")
        if os.path.exists(ready_path):
            return proc, ready_path
        time.sleep(0.1)
    stop_emulator(proc)
    raise RuntimeError(f"no ready file after {READY_WAIT_S} s")


def stop_emulator(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return "needed SIGKILL"
    return None if proc.returncode in (0, -signal.SIGTERM) else f"exit {proc.returncode}"


def run_client(client, ready_path, transport, scenario, extra):
    command = CLIENTS[client]["command"] + [ready_path, "--transport", transport,
                                             "--timeout", str(CLIENT_TIMEOUT_S)] + scenario_args(scenario, extra)
    started = time.monotonic()
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=CLIENT_TIMEOUT_S + 30,
                              env={**os.environ, **CLIENTS[client].get("env", {})})
    except subprocess.TimeoutExpired:
        return False, {"error": "client did not exit"}, time.monotonic() - started, ""
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if len(lines) == 1 else {"error": f"stdout had {len(lines)} lines"}
    except ValueError:
        result = {"error": "stdout was not JSON"}
    return proc.returncode == 0 and result.get("ok") is True, result, time.monotonic() - started, proc.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--testdc", default=os.environ.get("MTPROTO_TESTDC"), help="path of mtproto-testdc")
    parser.add_argument("--clients", nargs="+", choices=sorted(CLIENTS), default=sorted(CLIENTS))
    parser.add_argument("--transports", nargs="+", help="restrict transports (default: each client's list)")
    parser.add_argument("--scenarios", nargs="+", help="restrict scenarios, e.g. direct link migrate flood")
    parser.add_argument("--results", help="write every result line to this JSON-lines file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--all-pairs", action="store_true",
                        help="every scenario on every transport (default: all scenarios on the first, 'direct' on the rest)")
    args = parser.parse_args()

    if not args.testdc or not os.access(args.testdc, os.X_OK):
        print(f"SKIP: mtproto-testdc not found (--testdc or MTPROTO_TESTDC): {args.testdc}")
        return SKIP_EXIT
    for client, directory, package in (("gramjs", "gramjs", "telegram"), ("teleproto", "gramjs", "teleproto"),
                                       ("mtcute", "mtcute", "@mtcute/node")):
        if client in args.clients and not os.path.isdir(os.path.join(HERE, directory, "node_modules", package)):
            print(f"SKIP: {client} not installed (cd tests/interop/{directory} && npm ci)")
            return SKIP_EXIT
    if {"gramjs", "teleproto", "mtcute"} & set(args.clients) and subprocess.run(["node", "--version"], capture_output=True).returncode != 0:
        print("SKIP: node not found")
        return SKIP_EXIT
    if "telethon" in args.clients and subprocess.run([SYSTEM_PYTHON, "-c", "import telethon"],
                                                     capture_output=True).returncode != 0:
        print("SKIP: Telethon not installed for /usr/bin/python3 (apt-get install python3-telethon)")
        return SKIP_EXIT

    passed = failed = 0
    results_file = open(args.results, "w", encoding="utf-8") if args.results else None
    with tempfile.TemporaryDirectory(prefix="interop-") as workdir:
        for config_name, config in CONFIGS.items():
            scenarios = {name: extra for name, extra in config["scenarios"].items()
                         if not args.scenarios or name in args.scenarios or name.split("-")[0] in args.scenarios}
            if not scenarios:
                continue
            log_path = os.path.join(workdir, f"testdc-{config_name}.log")
            with open(log_path, "wb") as log:
                try:
                    proc, ready_path = start_emulator(args.testdc, config["args"], workdir, args.seed, log)
                except RuntimeError as error:
                    failed += 1
                    print(f"FAIL start mtproto-testdc ({config_name}): {error}")
                    continue
                try:
                    for client in args.clients:
                        for t_index, transport in enumerate(CLIENTS[client]["transports"]):
                            if args.transports and transport not in args.transports:
                                continue
                            for scenario, extra in scenarios.items():
                                # Every scenario on the client's first transport; each other transport
                                # downloads once (framing is per transport, the scenarios are not),
                                # unless --all-pairs asks for the whole matrix.
                                if t_index > 0 and not args.all_pairs and not args.transports and scenario != "direct":
                                    continue
                                ok, result, elapsed, stderr = run_client(client, ready_path, transport, scenario, extra)
                                label = f"{client}/{transport}/{scenario}"
                                if results_file:
                                    results_file.write(json.dumps({"run": label, **result}) + "\n")
                                if ok:
                                    passed += 1
                                    print(f"PASS {label} ({elapsed:.1f} s, {result.get('flood_waits', 0)} flood waits, "
                                          f"{result.get('file_migrates', 0)} migrations)")
                                else:
                                    failed += 1
                                    print(f"FAIL {label}: {result.get('error')}")
                                    for entry in result.get("rpcs", [])[-12:]:
                                        print(f"    {entry}")
                                    if stderr:
                                        print("    stderr: " + stderr[-800:].replace("\n", "\n    "))
                finally:
                    problem = stop_emulator(proc)
                    if problem:
                        failed += 1
                        print(f"FAIL mtproto-testdc ({config_name}) did not stop cleanly on SIGTERM: {problem}")
            if failed:
                with open(log_path, "rb") as log:
                    tail = log.read()[-2000:].decode("utf-8", "replace")
                print(f"--- mtproto-testdc ({config_name}) log tail ---\n{tail}")
    if results_file:
        results_file.close()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

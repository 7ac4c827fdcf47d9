#!/usr/bin/env python3
"""tgdl (ours), gram.js, mtcute and Telethon downloading the same fixture from the same mtproto-testdc.

Usage: python3 benchmarks/peers_bench.py [--quick] [--size 1G] [--throttled-size 256M] [--repeat 3]
       [--clients tgdl gramjs mtcute telethon] [--scenarios unthrottled rate-flood ...]
       [--tgdl PATH] [--testdc PATH] [--timeout S] [--out-dir DIR]

Each scenario starts its own emulator (one fixture on DC 1, the clients' home DC), runs every
client configuration --repeat times, one run after the other, and stops it. A run gives MB/s
(10^6 bytes per second), CPU seconds per GiB (user + sys of the client process alone, from wait4)
and peak RSS; the table shows the medians, and on the peers' rows tgdl's default row of the same
scenario divided by theirs (MB/s) and theirs divided by tgdl's (CPU): above 1, tgdl is ahead.
A configuration with a failed run (non-zero exit, a timeout, a SHA-256 other than the
emulator's) is shown as FAIL, with the reason below the table.

What is timed differs: tgdl's `seconds` counts from the download's start (after login and
resolving the link), the peers' from connect (handshake, help.getConfig and bot login included),
some ten round trips: about 1 s under --latency-ms 100, so small throttled fixtures flatter tgdl
(the CSV's wall_seconds, the whole process, helps weigh it). tgdl writes the file to disk (under
$TMPDIR); the peers hash it in memory. The peers download with 512 KiB parts, the most both accept
and what they pick themselves for large files; without a size (the direct path) they would fall
back to 64 KiB, which measures round trips rather than the client. Telethon without cryptg (not in
Debian) is bound by its AES-IGE at ~5 MB/s; the table says which it was.

The table goes to stdout, progress to stderr, a CSV of the table and a JSON file with every run
to --out-dir.
"""
import argparse
import csv
import datetime
import glob
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GRAMJS_DIR = os.path.join(ROOT, "tests", "interop", "gramjs")
MTCUTE_DIR = os.path.join(ROOT, "tests", "interop", "mtcute")
TELETHON_CLIENT = os.path.join(ROOT, "tests", "interop", "telethon_client.py")
# Debian's python3-telethon is installed for the system interpreter only (not for a pyenv or venv).
PYTHON_CANDIDATES = [sys.executable, "/usr/bin/python3"]

FIXTURE = "bench.bin"
MB = 1e6
GIB = 1 << 30
KIB_PER_MIB = 1024  # ru_maxrss is in KiB on Linux
READY_WAIT_S = 60
STOP_WAIT_S = 10
POLL_S = 0.01
# A peer gets this long past its own --timeout to print its JSON before it is killed.
KILL_GRACE_S = 30

SCENARIOS = {
    "unthrottled": [],
    "rate-flood": ["--rate-per-connection", "5000000", "--flood-rps", "30"],
    "latency-account": ["--latency-ms", "100", "--account-rate", "20000000"],
    "profile-user": ["--profile", "user"],
    "profile-premium": ["--profile", "premium"],
    "profile-bot": ["--profile", "bot"],
}
OURS = "tgdl"
OURS_REFERENCE = "default"
# (label, client flags) per client; tgdl's variants take one knob at a time from its defaults.
SETTINGS = {
    "tgdl": [("default", []), ("1 connection", ["--connections", "1"]),
             ("512 KiB parts", ["--part-size", "512"])],
    "gramjs": [("512 KiB parts", ["--part-size-kb", "512"])],
    "mtcute": [("512 KiB parts", ["--part-size-kb", "512"])],
    "telethon": [("512 KiB parts", ["--part-size-kb", "512"])],
}
COLUMNS = ["scenario", "client", "settings", "MB/s", "CPU s/GiB", "peak RSS MiB",
           "ours/theirs MB/s", "theirs/ours CPU"]


def log(message):
    print("peers_bench: " + message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The host and the binaries

def cpu_model():
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def find_binary(explicit, relative):
    """The Release build in build/bench first; else whichever other build has the program."""
    if explicit:
        return explicit
    candidates = [os.path.join(ROOT, "build", "bench", relative)]
    candidates += sorted(glob.glob(os.path.join(ROOT, "build", "*", relative)))
    return next((c for c in candidates if os.access(c, os.X_OK)), candidates[0])


def known_testdc_flags(testdc):
    """The flags this emulator binary accepts: an older build may lack the newer throttles."""
    text = subprocess.run([testdc, "--help"], capture_output=True, text=True).stdout
    return {word.strip("[]") for word in text.split() if word.strip("[]").startswith("--")}


def has_module(python, module):
    return bool(python) and subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0


def telethon_python():
    return next((p for p in PYTHON_CANDIDATES if os.access(p, os.X_OK) and has_module(p, "telethon")), None)


def node_package_missing(directory, package, name, install="npm ci"):
    if not os.path.isdir(os.path.join(directory, "node_modules", package)):
        return f"{name} is not installed (cd {os.path.relpath(directory, ROOT)} && {install})"
    if shutil.which("node") is None:
        return "node is not on PATH"
    return None


def gramjs_missing():
    return node_package_missing(GRAMJS_DIR, "telegram", "gram.js")


def mtcute_missing():
    return node_package_missing(MTCUTE_DIR, "@mtcute/node", "mtcute", "npm ci --ignore-scripts")


# ---------------------------------------------------------------------------------------------
# The emulator

class Emulator:
    """mtproto-testdc as a child with one fixture; stopped with SIGTERM as run_interop.py does."""

    def __init__(self, testdc, size, flags, workdir, max_seconds):
        self.ready_path = os.path.join(workdir, "ready.json")
        self.log_path = os.path.join(workdir, "testdc.log")
        command = [testdc, "--host", "127.0.0.1", "--port-base", "0", "--dcs", "2",
                   "--file", f"{FIXTURE}:{size}:1", "--ready-file", self.ready_path,
                   "--max-seconds", str(max_seconds)] + flags
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        self.ready = self._wait_ready()
        self.fixture = next(f for f in self.ready["files"] if f["name"] == FIXTURE)

    def _wait_ready(self):
        deadline = time.monotonic() + READY_WAIT_S
        while not os.path.exists(self.ready_path):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mtproto-testdc did not start: {self.log_tail()}")
            time.sleep(0.05)
        with open(self.ready_path, encoding="utf-8") as f:
            return json.load(f)

    def log_tail(self):
        with open(self.log_path, "rb") as f:
            return f.read()[-600:].decode("utf-8", "replace").strip()

    def stop(self):
        """None if it stopped cleanly, else what went wrong."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "needed SIGKILL"
        return None if self.proc.returncode in (0, -signal.SIGTERM) else f"exit {self.proc.returncode}"


# ---------------------------------------------------------------------------------------------
# The clients: each builds a command line that prints one JSON object with `seconds` and `sha256`

def tgdl_command(args, emulator, flags, out_dir):
    return [args.tgdl, "--dc-config", emulator.ready_path, "--bot-token", emulator.ready["bot_token"],
            "--json", "--quiet", emulator.fixture["link"], "-o", out_dir + "/"] + flags


def gramjs_command(args, emulator, flags, _out_dir):
    return ["node", os.path.join(GRAMJS_DIR, "client.js"), emulator.ready_path, "--scenario", "direct",
            "--file", FIXTURE, "--timeout", str(args.timeout)] + flags


def mtcute_command(args, emulator, flags, _out_dir):
    return ["node", os.path.join(MTCUTE_DIR, "client.mjs"), emulator.ready_path, "--scenario", "direct",
            "--file", FIXTURE, "--timeout", str(args.timeout)] + flags


def telethon_command(args, emulator, flags, _out_dir):
    return [args.python, TELETHON_CLIENT, emulator.ready_path, "--scenario", "direct",
            "--file", FIXTURE, "--timeout", str(args.timeout)] + flags


COMMANDS = {"tgdl": tgdl_command, "gramjs": gramjs_command, "mtcute": mtcute_command, "telethon": telethon_command}


def reap(proc, deadline):
    """wait4 rather than Popen.wait: its rusage is this child's alone. Kills the child at deadline."""
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage, timed_out
        if time.monotonic() >= deadline:
            proc.kill()
            timed_out = True
            deadline = float("inf")
        time.sleep(POLL_S)


def last_json(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [line for line in f if line.strip()]
    try:
        return json.loads(lines[-1]) if lines else {}
    except ValueError:
        return {}


def failure(proc, timed_out, result, fixture, stderr_path):
    """Why the run does not count, or None."""
    if timed_out:
        return "timed out"
    if proc.returncode != 0:
        with open(stderr_path, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-300:].strip()
        return f"exit {proc.returncode}: {result.get('error') or tail or 'no output'}"
    if result.get("sha256") != fixture["sha256"]:
        return f"SHA-256 {result.get('sha256')} is not the emulator's {fixture['sha256']}"
    return None


def run_once(args, emulator, client, flags, workdir):
    """One download: the client's seconds (else wall time), CPU and peak RSS from its rusage."""
    out_dir = tempfile.mkdtemp(dir=workdir)
    stdout_path, stderr_path = os.path.join(workdir, "stdout"), os.path.join(workdir, "stderr")
    command = COMMANDS[client](args, emulator, flags, out_dir)
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.monotonic()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    usage, timed_out = reap(proc, started + args.timeout + KILL_GRACE_S)
    wall = time.monotonic() - started
    shutil.rmtree(out_dir)
    result = last_json(stdout_path)
    size = emulator.fixture["size"]
    seconds = result.get("seconds") or wall
    cpu = usage.ru_utime + usage.ru_stime
    return {"error": failure(proc, timed_out, result, emulator.fixture, stderr_path),
            "bytes": size, "seconds": seconds, "wall_seconds": wall, "cpu_seconds": cpu,
            "mb_per_s": size / seconds / MB, "cpu_s_per_gib": cpu / (size / GIB),
            "peak_rss_mib": usage.ru_maxrss / KIB_PER_MIB, "flood_waits": result.get("flood_waits"),
            "version": result.get("version"), "layer": result.get("layer")}


# ---------------------------------------------------------------------------------------------
# Scenarios, repetitions, medians

def measure(args, emulator, scenario, client, label, flags, workdir):
    """Repeats one configuration; stops at the first failure (a broken client only burns timeouts)."""
    runs = []
    for i in range(args.repeat):
        run = run_once(args, emulator, client, flags, workdir)
        run.update(scenario=scenario, client=client, settings=label, run=i + 1)
        runs.append(run)
        log(f"{scenario} {client} {label} run {i + 1}/{args.repeat}: "
            + (f"FAIL {run['error']}" if run["error"] else f"{run['mb_per_s']:.1f} MB/s"))
        if run["error"]:
            break
    row = {"scenario": scenario, "client": client, "settings": label, "runs": len(runs),
           "bytes": emulator.fixture["size"], "error": next((r["error"] for r in runs if r["error"]), None)}
    if not row["error"]:
        for key in ("mb_per_s", "cpu_s_per_gib", "peak_rss_mib", "seconds", "wall_seconds"):
            row[key] = statistics.median(r[key] for r in runs)
    return row, runs


def add_ratios(rows):
    """On each peer's row: tgdl's default row of the same scenario against it."""
    ours = {r["scenario"]: r for r in rows
            if r["client"] == OURS and r["settings"] == OURS_REFERENCE and not r["error"]}
    for row in rows:
        reference = ours.get(row["scenario"])
        if row["client"] != OURS and reference and not row["error"]:
            row["ours_over_theirs_mb_per_s"] = reference["mb_per_s"] / row["mb_per_s"]
            row["theirs_over_ours_cpu"] = row["cpu_s_per_gib"] / reference["cpu_s_per_gib"]


def run_scenario(args, scenario, flags, clients, workdir):
    """Rows and raw runs of every configuration against one emulator; a notes list for what went wrong."""
    size = args.throttled_size if flags else args.size
    configurations = [(c, label, f) for c in clients for label, f in SETTINGS[c]]
    max_seconds = READY_WAIT_S + len(configurations) * args.repeat * (args.timeout + KILL_GRACE_S)
    workdir = os.path.join(workdir, scenario)  # its own ready file: never a stale one of the last emulator
    os.mkdir(workdir)
    try:
        emulator = Emulator(args.testdc, size, flags, workdir, max_seconds)
    except RuntimeError as error:
        # Every configuration is still a row of the table: FAIL, not missing.
        rows = [{"scenario": scenario, "client": c, "settings": label, "runs": 0, "error": str(error)}
                for c, label, _ in configurations]
        return rows, [], []
    rows, runs = [], []
    try:
        for client, label, client_flags in configurations:
            row, row_runs = measure(args, emulator, scenario, client, label, client_flags, workdir)
            rows.append(row)
            runs += row_runs
    finally:
        problem = emulator.stop()
    notes = [f"{scenario}: mtproto-testdc did not stop cleanly on SIGTERM: {problem}"] if problem else []
    return rows, runs, notes


# ---------------------------------------------------------------------------------------------
# Output

def cells(row):
    def number(key, digits):
        return f"{row[key]:.{digits}f}" if key in row else ""

    if row["error"]:
        return [row["scenario"], row["client"], row["settings"], "FAIL", "", "", "", ""]
    return [row["scenario"], row["client"], row["settings"], number("mb_per_s", 1),
            number("cpu_s_per_gib", 2), number("peak_rss_mib", 0),
            number("ours_over_theirs_mb_per_s", 2), number("theirs_over_ours_cpu", 2)]


def table(rows):
    """A Markdown table like the C++ benchmarks print, padded so it also reads as plain text."""
    body = [cells(r) for r in rows]
    widths = [max(len(line[i]) for line in [COLUMNS] + body) for i in range(len(COLUMNS))]
    numeric = [False, False, False] + [True] * (len(COLUMNS) - 3)

    def line(values):
        return "| " + " | ".join(v.rjust(w) if n else v.ljust(w)
                                 for v, w, n in zip(values, widths, numeric)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2))
                          for w, n in zip(widths, numeric)) + "|"
    return "\n".join([line(COLUMNS), rule] + [line(values) for values in body])


def client_versions(runs, telethon_cryptg):
    versions = {}
    for run in runs:
        if run["version"] and run["client"] not in versions:
            versions[run["client"]] = f"{run['client']} {run['version']} (API layer {run['layer']})"
    # Without cryptg Telethon calls OpenSSL through ctypes one 16-byte block at a time (~5 MB/s).
    if "telethon" in versions and not telethon_cryptg:
        versions["telethon"] += " without cryptg"
    return sorted(versions.values())


def preamble(header, skips):
    lines = [f"peers_bench {header['date']}", f"CPU: {header['cpu']}",
             f"tgdl: {header['tgdl']}", f"mtproto-testdc: {header['testdc']}",
             f"fixture: {header['size']} unthrottled, {header['throttled_size']} throttled; "
             f"medians of {header['repeat']} run(s); MB = 10^6 bytes", ""]
    lines += [f"{name}: {' '.join(flags) or '(no throttle)'}" for name, flags in header["scenarios"].items()]
    return "\n".join(lines + ([""] + skips if skips else []))


def results(rows, runs, notes, telethon_cryptg):
    lines = [table(rows), "",
             "ratios: tgdl's default row of the same scenario against this row; above 1, tgdl is ahead.",
             "seconds: tgdl's count from the download's start, the peers' from connect (login included)."]
    versions = client_versions(runs, telethon_cryptg)
    if versions:
        lines.append("peers: " + ", ".join(versions))
    failures = [f"FAIL {r['scenario']} {r['client']} {r['settings']}: {r['error']}" for r in rows if r["error"]]
    if failures or notes:
        lines += [""] + failures + notes
    return "\n".join(lines)


def write_outputs(out_dir, header, rows, runs):
    os.makedirs(out_dir, exist_ok=True)
    fields = ["scenario", "client", "settings", "runs", "bytes", "mb_per_s", "cpu_s_per_gib", "peak_rss_mib",
              "ours_over_theirs_mb_per_s", "theirs_over_ours_cpu", "seconds", "wall_seconds", "error"]
    with open(os.path.join(out_dir, "peers_bench.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows({k: row.get(k) for k in fields} for row in rows)
    with open(os.path.join(out_dir, "peers_bench.json"), "w", encoding="utf-8") as f:
        json.dump({**header, "rows": rows, "runs": runs}, f, indent=1)
        f.write("\n")


# ---------------------------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", help="fixture size unthrottled, as mtproto-testdc reads it "
                                        "(default 256M; --quick 8M)")
    parser.add_argument("--throttled-size", help="fixture size in throttled scenarios (default 64M; --quick 2M)")
    parser.add_argument("--repeat", type=int, help="runs per configuration (default 3; --quick 1)")
    parser.add_argument("--clients", nargs="+", choices=list(SETTINGS), default=list(SETTINGS))
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--quick", action="store_true", help="tiny fixtures, one run each: a smoke test")
    parser.add_argument("--tgdl", help="tgdl binary (default: build/bench's, else another build's)")
    parser.add_argument("--testdc", help="mtproto-testdc binary (default: build/bench's, else another build's)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds one client run may take (default 300)")
    parser.add_argument("--out-dir", default=os.path.join(HERE, "results"),
                        help="where the table, CSV and JSON go (default benchmarks/results)")
    args = parser.parse_args()
    args.size = args.size or ("8M" if args.quick else "256M")
    args.throttled_size = args.throttled_size or ("2M" if args.quick else "64M")
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.tgdl = os.path.abspath(find_binary(args.tgdl, "examples/tgdl/tgdl"))
    args.testdc = os.path.abspath(find_binary(args.testdc, "testing/mtproto-testdc"))
    args.python = telethon_python()
    return args


def available_clients(args, skips):
    missing = {"tgdl": lambda: None if os.access(args.tgdl, os.X_OK) else f"no tgdl at {args.tgdl}",
               "gramjs": gramjs_missing,
               "mtcute": mtcute_missing,
               "telethon": lambda: None if args.python else "Telethon is not installed for "
                                                             f"{' or '.join(PYTHON_CANDIDATES)} "
                                                             "(apt-get install python3-telethon)"}
    clients = []
    for client in args.clients:
        why = missing[client]()
        if why:
            skips.append(f"SKIP {client}: {why}")
        else:
            clients.append(client)
    return clients


def runnable_scenarios(args, skips):
    known = known_testdc_flags(args.testdc)
    scenarios = {}
    for name in args.scenarios:
        unknown = [flag for flag in SCENARIOS[name] if flag.startswith("--") and flag not in known]
        if unknown:
            skips.append(f"SKIP {name}: this mtproto-testdc does not know {' '.join(unknown)}")
        else:
            scenarios[name] = SCENARIOS[name]
    return scenarios


def main():
    args = parse_args()
    if not os.access(args.testdc, os.X_OK):
        sys.exit(f"peers_bench: no mtproto-testdc at {args.testdc} (build it, or pass --testdc)")
    skips = []
    clients = available_clients(args, skips)
    scenarios = runnable_scenarios(args, skips)
    header = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "cpu": cpu_model(),
              "tgdl": args.tgdl, "testdc": args.testdc, "size": args.size, "throttled_size": args.throttled_size,
              "repeat": args.repeat, "scenarios": scenarios, "skipped": skips}
    print(preamble(header, skips) + "\n", flush=True)
    if not clients:
        sys.exit("peers_bench: no client to run")
    rows, runs, notes = [], [], []
    with tempfile.TemporaryDirectory(prefix="peers-bench-") as workdir:
        for name, flags in scenarios.items():
            scenario_rows, scenario_runs, scenario_notes = run_scenario(args, name, flags, clients, workdir)
            rows += scenario_rows
            runs += scenario_runs
            notes += scenario_notes
    add_ratios(rows)
    print(results(rows, runs, notes, has_module(args.python, "cryptg")), flush=True)
    write_outputs(args.out_dir, header, rows, runs)
    return 1 if any(r["error"] for r in rows) or notes else 0


if __name__ == "__main__":
    sys.exit(main())

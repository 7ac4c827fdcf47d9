#!/usr/bin/env python3
"""Replays the vcpkg port (ports/mtproto/) and the Conan recipe (conanfile.py, test_package/)
without vcpkg or Conan, neither of which can be installed here, and builds test_package against
each result. Offline; nothing is downloaded.

  vcpkg: ports/mtproto/portfile.cmake itself runs under `cmake -P` with stand-ins for the vcpkg
         functions (tests/packaging/vcpkg_shim.cmake): configure with the port's OPTIONS (x64-linux:
         static, release only), build, install, vcpkg_copy_tools (tlgen to tools/mtproto/),
         vcpkg_cmake_config_fixup, vcpkg_fixup_pkgconfig, copyright, a few post-build checks, then
         the copy into installed/x64-linux/. test_package is built against that with
         CMAKE_PREFIX_PATH=installed/x64-linux and must run tlgen from tools/mtproto/.
  Conan: conanfile.py itself runs with stand-ins for Conan's classes (tests/packaging/conan_shim.py),
         as `conan create . -s compiler.cppstd=20` would (shared=False, fPIC=True, Release): the
         exports_sources copy, generate() (its cache_variables), build(), package(),
         package_info(); then test_package/conanfile.py against the package folder, finding our
         config through the package's builddirs as CMakeToolchain would.
Both tools' options are read from their files by running them, so the replay cannot drift from
them; they must also agree with each other. Dependencies come from the system (Debian) in both.

  scripts/replay-packaging.py [--work-dir DIR] [--jobs N] [--cxx CXX] [--only vcpkg|conan]
"""
import argparse
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # the recipes and shims are imported from the source tree
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIMS = os.path.join(REPO, "tests", "packaging")


def fail(msg):
    sys.exit(f"replay-packaging: FAILED: {msg}")


def run(cmd, log=None, cwd=None):
    """Runs cmd; with log, its output goes there (the end is shown on failure). Returns the output."""
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    if log is None:
        rc = subprocess.run(cmd, cwd=cwd).returncode
        if rc != 0:
            fail(f"{cmd[0]} exited with {rc}")
        return ""
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(log, "w") as f:
        f.write(proc.stdout)
    if proc.returncode != 0:
        fail(f"{cmd[0]} exited with {proc.returncode}; log {log}\n...{proc.stdout[-6000:]}")
    return proc.stdout


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt")) as f:
        m = re.search(r"project\(mtproto\s+VERSION\s+([0-9.]+)", f.read())
    if not m:
        fail("no project(mtproto VERSION ...) in CMakeLists.txt")
    return m.group(1)


def normalise(options):
    """NAME -> value with CMake's booleans spelled ON/OFF."""
    out = {}
    for name, value in options.items():
        v = str(value).upper()
        out[name] = "ON" if v in ("ON", "TRUE", "YES", "1") else "OFF" if v in ("OFF", "FALSE", "NO", "0") else str(value)
    return out


def replay_vcpkg(work, jobs, cxx, version, timings):
    port_dir = os.path.join(REPO, "ports", "mtproto")
    with open(os.path.join(port_dir, "vcpkg.json")) as f:
        manifest = json.load(f)
    if manifest.get("version") != version:
        fail(f"ports/mtproto/vcpkg.json has version {manifest.get('version')}, the project {version}")
    root = os.path.join(work, "vcpkg")
    t = time.monotonic()
    cmd = ["cmake", f"-DPORT_DIR={port_dir}", f"-DREPLAY_ROOT={root}", f"-DREPLAY_JOBS={jobs}"]
    if cxx:
        cmd.append(f"-DREPLAY_CXX={cxx}")
    run(cmd + ["-P", os.path.join(SHIMS, "vcpkg_shim.cmake")])
    timings["vcpkg: portfile (configure, build, install, fixups)"] = time.monotonic() - t

    installed = os.path.join(root, "installed", "x64-linux")
    tlgen = os.path.join(installed, "tools", "mtproto", "tlgen")
    for path, what in ((tlgen, "tools/mtproto/tlgen"), (os.path.join(installed, "share", "mtproto", "mtprotoConfig.cmake"),
                       "share/mtproto/mtprotoConfig.cmake")):
        if not os.path.exists(path):
            fail(f"vcpkg: no {what} in the installed tree")
    if os.path.exists(os.path.join(installed, "bin")) or os.path.exists(os.path.join(installed, "lib", "cmake")):
        fail("vcpkg: bin/ or lib/cmake/ left in the installed tree")
    with open(os.path.join(root, "port-options.txt")) as f:
        port_options = {}
        for line in filter(None, f.read().splitlines()):
            m = re.match(r"-D([^:=]+)(?::[A-Z]+)?=(.*)", line)
            if not m:
                fail(f"vcpkg: cannot read port option {line!r}")
            port_options[m.group(1)] = m.group(2)

    t = time.monotonic()
    test_build = os.path.join(root, "test_package")
    shutil.rmtree(test_build, ignore_errors=True)
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    out = run(["cmake", "-S", os.path.join(REPO, "test_package"), "-B", test_build] + generator
              + ["-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={installed}"]
              + ([f"-DCMAKE_CXX_COMPILER={cxx}"] if cxx else []),
              log=os.path.join(root, "test_package-configure.log"))
    if f"tlgen {tlgen}" not in out:
        fail(f"vcpkg: test_package's mtproto::tlgen is not {tlgen}:\n{out}")
    run(["cmake", "--build", test_build, "--parallel", str(jobs)], log=os.path.join(root, "test_package-build.log"))
    run([os.path.join(test_build, "test_package")])
    timings["vcpkg: test_package"] = time.monotonic() - t
    return port_options


def replay_conan(work, jobs, cxx, version, timings):
    spec = importlib.util.spec_from_file_location("conan_shim", os.path.join(SHIMS, "conan_shim.py"))
    shim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shim)
    shim.JOBS, shim.CXX = jobs, cxx
    t = time.monotonic()
    try:
        pkg = shim.create(REPO, os.path.join(work, "conan"))
    except shim.ReplayError as e:
        fail(f"conan: {e}")
    timings["conan: create (export, build, package) + test_package"] = time.monotonic() - t

    if pkg["ref"] != f"mtproto/{version}":
        fail(f"conan: the recipe says {pkg['ref']}, the project mtproto/{version}")
    info, folder = pkg["cpp_info"], pkg["folder"]
    if info.get_property("cmake_find_mode") != "none":
        fail("conan: package_info() must set cmake_find_mode none (our own config is the package's)")
    if not info.builddirs or not all(os.path.exists(os.path.join(folder, d, "mtprotoConfig.cmake")) for d in info.builddirs):
        fail(f"conan: builddirs {info.builddirs} do not hold mtprotoConfig.cmake")
    if not os.path.exists(os.path.join(folder, "licenses", "LICENSE")):
        fail("conan: no licenses/LICENSE in the package")
    if not os.path.exists(os.path.join(folder, "bin", "tlgen")):
        fail("conan: no bin/tlgen in the package")
    libs = sorted(f[3:-2] for f in os.listdir(os.path.join(folder, "lib")) if f.startswith("lib") and f.endswith(".a"))
    declared = sorted(lib for c in info._components.values() for lib in c.libs)
    if libs != declared:
        fail(f"conan: package_info() components declare {declared}, the package has {libs}")
    with open(os.path.join(pkg["test_build_folder"], "replay-configure.log")) as f:
        if f"tlgen {os.path.join(folder, 'bin', 'tlgen')}" not in f.read():
            fail("conan: test_package did not use the package's bin/tlgen")
    unresolved = ", ".join(ref for ref, _ in pkg["requires"])
    print(f"replay-packaging: conan: requirements not resolved (no ConanCenter here; system packages used): {unresolved}")
    return pkg["cache_variables"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work-dir", default="/tmp/mtproto-pkg-replay", help="scratch directory (emptied first)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cxx", default="", help="C++ compiler (CMAKE_CXX_COMPILER)")
    ap.add_argument("--only", choices=("vcpkg", "conan"))
    args = ap.parse_args()
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    version = project_version()
    timings = {}
    start = time.monotonic()

    port_options = conan_options = None
    if args.only in (None, "vcpkg"):
        port_options = replay_vcpkg(work, args.jobs, args.cxx, version, timings)
        print(f"replay-packaging: vcpkg port options (from portfile.cmake): {port_options}", flush=True)
    if args.only in (None, "conan"):
        conan_options = replay_conan(work, args.jobs, args.cxx, version, timings)
        print(f"replay-packaging: conan cache_variables (from conanfile.py generate()): {conan_options}", flush=True)
    if port_options is not None and conan_options is not None and normalise(port_options) != normalise(conan_options):
        fail(f"the port's options {port_options} and the recipe's cache_variables {conan_options} differ")

    for what, seconds in timings.items():
        print(f"replay-packaging: {what}: {seconds:.0f} s")
    print(f"replay-packaging: ok ({time.monotonic() - start:.0f} s wall, -j{args.jobs})")


if __name__ == "__main__":
    main()

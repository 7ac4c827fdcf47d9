#!/usr/bin/env python3
"""Builds tests/consumer against mtproto four ways and runs each build against mtproto-testdc:
find_package from an install prefix, find_package from the build tree, add_subdirectory of the
source tree (with BUILD_SHARED_LIBS=ON: the layers as shared libraries; generated from another
official layer when one is given, which the client must then announce), and a plain compiler line
from pkg-config. The shared layers of the add_subdirectory build must export only the public API
(check_exports.py: hidden visibility, nothing of fmt, no internals).

  run.py --build-dir B --source-dir S --work-dir W --testdc BIN --cxx CXX [--cxx-flags F]
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time


def run(cmd, **kw):
    print("+", " ".join(shlex.quote(c) for c in cmd), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--build-dir", "--source-dir", "--work-dir", "--testdc", "--cxx"):
        ap.add_argument(a, required=True)
    ap.add_argument("--cxx-flags", default="")
    ap.add_argument("--other-layer-schema", default="",
                    help="an official layer (e.g. api-layer-198.tl) the add_subdirectory build is generated from")
    ap.add_argument("--other-layer", type=int, default=0, help="the layer that schema declares")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = args.work_dir
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    ready = os.path.join(work, "ready.json")
    testdc = subprocess.Popen([args.testdc, "--ready-file", ready, "--max-seconds", "900"])
    try:
        deadline = time.time() + 60
        while not os.path.exists(ready):
            if testdc.poll() is not None or time.time() > deadline:
                sys.exit("consumer: mtproto-testdc did not start")
            time.sleep(0.05)
        with open(ready) as f:
            info = json.load(f)
        port = {d["id"]: d["port"] for d in info["dcs"]}
        pem = os.path.join(work, "server.pem")
        with open(pem, "w") as f:
            f.write(info["rsa_public_key_pem"])
        consumer_args = [info["dcs"][0]["host"], str(port[1]), str(port[2]), pem]

        prefix = os.path.join(work, "prefix")
        run(["cmake", "--install", args.build_dir, "--prefix", prefix], stdout=subprocess.DEVNULL)
        common = ["-DCMAKE_CXX_COMPILER=" + args.cxx, "-DCMAKE_CXX_FLAGS=" + args.cxx_flags]
        builds = {
            "install-tree find_package": ["-DCMAKE_PREFIX_PATH=" + prefix],
            "build-tree find_package": ["-Dmtproto_DIR=" + args.build_dir],
            # The library from source, as a subproject and as shared libraries; no sanitizers and
            # no optimisation (the point is the CMake shape, and this is the only full library
            # compile in the test).
            "add_subdirectory": ["-DMTPROTO_CONSUME=subdirectory", "-DMTPROTO_SOURCE_DIR=" + args.source_dir,
                                 "-DCMAKE_CXX_COMPILER=" + args.cxx, "-DBUILD_SHARED_LIBS=ON"]
                                + (["-DMTPROTO_API_SCHEMA=" + args.other_layer_schema] if args.other_layer_schema else []),
        }
        for name, extra in builds.items():
            out = os.path.join(work, name.replace(" ", "_"))
            flags = extra if name == "add_subdirectory" else common + extra
            run(["cmake", "-S", here, "-B", out] + flags, stdout=subprocess.DEVNULL)
            run(["cmake", "--build", out, "-j", str(os.cpu_count() or 2)], stdout=subprocess.DEVNULL)
            exe = os.path.join(out, "consumer")
            if name == "add_subdirectory":
                libs = subprocess.run(["ldd", exe], check=True, capture_output=True, text=True).stdout
                if "libmtproto_client.so" not in libs or "libmtproto_api.so" not in libs:
                    sys.exit("consumer: the BUILD_SHARED_LIBS build did not link the shared layers:\n" + libs)
                if subprocess.run([sys.executable, os.path.join(here, "check_exports.py"),
                                   os.path.join(out, "mtproto", "src")]).returncode != 0:
                    sys.exit("consumer: the shared layers export more than their public API")
            said = run([exe] + consumer_args, capture_output=True, text=True).stdout
            print(said, end="", flush=True)
            if name == "add_subdirectory" and args.other_layer and f"layer {args.other_layer}," not in said:
                # Built from another layer, the client must announce that layer: the emulator then
                # answers help.getConfig in it, and only then do that layer's types decode it.
                sys.exit(f"consumer: the build from layer {args.other_layer} did not announce it")
            print(f"consumer ({name}): ok", flush=True)

        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib", "pkgconfig"))
        pc = subprocess.run(["pkg-config", "--cflags", "--libs", "mtproto"], check=True, env=env,
                            capture_output=True, text=True).stdout.split()
        exe = os.path.join(work, "consumer_pc")
        run([args.cxx] + shlex.split(args.cxx_flags) + [os.path.join(here, "main.cpp"), "-o", exe] + pc)
        run([exe] + consumer_args)
        print("consumer (pkg-config): ok", flush=True)
    finally:
        testdc.terminate()
        testdc.wait(timeout=30)


if __name__ == "__main__":
    main()

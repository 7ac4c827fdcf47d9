#!/usr/bin/env python3
"""Checks what the shared layer libraries export (their dynamic symbol table, defined symbols only).

The layers are built with hidden visibility, and only what the public headers mark with the
layer's MTPROTO_<LAYER>_EXPORT macro is exported. Every exported symbol must therefore be:

  1. in namespace mtproto (its vtable, typeinfo, guard variable or thunk counts as the entity's
     own), or in std, or (libmtproto_client only) Asio's: namespace asio, the asio_*_fn namespaces
     of its customization points, its extern "C" asio_* functions. libstdc++ and Asio declare
     their namespaces with default visibility, so their templates instantiated over public types
     stay exported; they are vague-linkage copies that the dynamic linker merges with the
     program's, which keeps Asio's per-process state (error categories, the thread call stack)
     single. Nothing of fmt, of the global namespace or of any other library may be exported.
  2. not an internal: no entity in a `detail` or `ops_detail` namespace of mtproto (where everything
     of src/ lives: client_core, connection, the x86 kernels, ...), and no std or asio instantiation
     over one, except the few entities public headers use inline (ALLOWED_DETAIL), and the ctor_ops
     tables in `tlgen_detail` that generated headers take the address of.
  3. and a few must be there (REQUIRED): the typeinfo of the exceptions and of the polymorphic
     session_store that programs catch or derive from (catch and dynamic_cast need one typeinfo),
     and Asio's singletons in the client, which keep one value per process only while exported.

Before hidden visibility every layer broke rule 2 (libmtproto_client.so exported
mtproto::client::detail::connection, libmtproto_api.so every tl::ops_detail instantiation) and
libmtproto_tl.so broke rule 1 (fmt::v9::detail instantiations).

  check_exports.py LIBDIR              check LIBDIR/libmtproto_*.so (exit 1 on a violation)
  check_exports.py --self-test CXX     build a small library that breaks the rules; it must fail
"""
import os
import re
import subprocess
import sys
import tempfile

LAYERS = ["tl", "crypto", "mt", "core", "api", "client", "download"]
# Namespaces each layer may export besides mtproto (rule 1).
ALLOWED_NAMESPACES = {layer: {"std"} for layer in LAYERS}
ALLOWED_NAMESPACES["client"] = {"std", "asio"}
ALLOWED_NAMESPACES["download"] = {"std", "asio"}
# Internals that public headers reach inline, so they must be exported (rule 2).
ALLOWED_DETAIL = {
    ("mtproto", "client", "detail", "cancel_call"),         # client.h: detail::pending_cancel
    ("mtproto", "crypto", "detail", "evp_md_ctx_free"),     # sha.h: the hashers' implicit destructors
}
INTERNAL_NAMESPACES = {"detail", "ops_detail"}
# Must be exported (rule 3), by demangled name.
REQUIRED = {
    "tl": ["typeinfo for mtproto::tl::decode_error"],
    "crypto": ["typeinfo for mtproto::crypto::crypto_error"],
    "client": ["typeinfo for mtproto::client::call_exception",
               "typeinfo for mtproto::client::session_store",
               "asio::detail::call_stack<asio::detail::thread_context, asio::detail::thread_info_base>::top_",
               "asio::error::get_misc_category()::instance"],
}
ASIO_CPO_NAMESPACE = re.compile(r"^asio_\w+_fn$")  # asio_query_fn::static_instance<...>::instance
GENERATED_OPS_TABLE = re.compile(r"^[cf]_\w+$")  # tlgen_detail::c_<constructor>, f_<function>

_SPECIAL = re.compile(r"^(TV|TI|TS|TT|GV|GR|TH|TW|TC)")
_THUNK = re.compile(r"^(Th(n?\d+)_|Tv(n?\d+)_(n?\d+)_|Tc(?:h(n?\d+)_|v(n?\d+)_(n?\d+)_){2})")


def scope(mangled):
    """The leading names of the entity an Itanium-mangled symbol denotes, outermost first: its
    namespaces and class, up to the first template argument list. [] for the global namespace,
    None for a symbol that is not C++."""
    if not mangled.startswith("_Z"):
        return None
    s = mangled[2:]
    while True:  # vtable for, typeinfo for, guard variable for, thunks, local entities: the owner
        m = _SPECIAL.match(s) or _THUNK.match(s)
        if m:
            s = s[m.end():]
        elif s.startswith("Z"):
            s = s[1:]
        else:
            break
    names = []
    nested = s.startswith("N")
    if nested:
        s = re.sub(r"^[rVK]*[RO]?", "", s[1:])
    if s.startswith("St"):
        names.append("std")
        s = s[2:]
    elif re.match(r"^S[absiod]", s):
        return ["std"]
    elif not nested:
        return []  # an unqualified name: the global namespace
    while True:
        m = re.match(r"^(\d+)", s)
        if not m:
            break
        n = int(m.group(1))
        s = s[m.end():]
        names.append(s[:n])
        s = s[n:]
        while s.startswith("B"):  # ABI tag
            m = re.match(r"^B(\d+)", s)
            s = s[m.end() + int(m.group(1)):]
    return names


def mentions_internal(demangled):
    """An mtproto internal named anywhere in the symbol (template arguments too)."""
    for m in re.finditer(r"mtproto((?:::\w+)+)", demangled):
        names = ("mtproto",) + tuple(m.group(1).split("::")[1:])
        for i, n in enumerate(names):
            if n in INTERNAL_NAMESPACES and names[:i + 2] not in ALLOWED_DETAIL:
                return True
    return False


def violations(lib, layer):
    out = subprocess.run(["nm", "-D", "--defined-only", "-P", lib], check=True, capture_output=True,
                         text=True).stdout
    symbols = [line.split()[0] for line in out.splitlines() if line.strip()]
    demangled = subprocess.run(["c++filt"], input="\n".join(symbols), check=True, capture_output=True,
                               text=True).stdout.splitlines()
    bad = []
    for mangled, name in zip(symbols, demangled):
        names = scope(mangled)
        if names is None:
            if not ("asio" in ALLOWED_NAMESPACES[layer] and mangled.startswith("asio_")):
                bad.append(("not C++", name))  # asio_detail_posix_thread_function is Asio's
        elif not names:
            bad.append(("global namespace", name))
        elif names[0] == "mtproto":
            internal = [i for i, n in enumerate(names) if n in INTERNAL_NAMESPACES]
            if internal:
                if tuple(names[:internal[0] + 2]) not in ALLOWED_DETAIL:
                    bad.append(("mtproto internal", name))
            elif "tlgen_detail" in names and not GENERATED_OPS_TABLE.match(names[-1]):
                bad.append(("mtproto internal", name))
            elif mentions_internal(name):
                bad.append(("over an mtproto internal", name))
        elif names[0] not in ALLOWED_NAMESPACES[layer] and not (
                "asio" in ALLOWED_NAMESPACES[layer] and ASIO_CPO_NAMESPACE.match(names[0])):
            bad.append((f"namespace {names[0]}", name))
        elif mentions_internal(name):
            bad.append(("over an mtproto internal", name))
    present = set(demangled)
    bad += [("missing", name) for name in REQUIRED.get(layer, []) if name not in present]
    return len(symbols), bad


def check(libdir):
    failed = False
    for layer in LAYERS:
        lib = os.path.join(libdir, f"libmtproto_{layer}.so")
        if not os.path.exists(lib):
            print(f"check_exports: {lib} not found")
            failed = True
            continue
        total, bad = violations(lib, layer)
        print(f"check_exports: libmtproto_{layer}.so exports {total} symbols, {len(bad)} not allowed")
        for why, name in bad[:20]:
            print(f"  {why}: {name[:300]}")
        if len(bad) > 20:
            print(f"  ... and {len(bad) - 20} more")
        failed = failed or bool(bad)
    return 1 if failed else 0


FIXTURE = r"""
#include <vector>
namespace mtproto::client::detail { struct connection { void run(); }; void connection::run() {} }
namespace mtproto::client { void fine() {} }
namespace fmt { void leaked() {} }
std::vector<mtproto::client::detail::connection>* make() { return new std::vector<mtproto::client::detail::connection>(3); }
"""


def self_test(cxx):
    """Default visibility, as before: the check must reject the fmt and detail exports (and the
    missing typeinfo) of a small library, and accept its public function."""
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "fixture.cpp")
        with open(src, "w") as f:
            f.write(FIXTURE)
        lib = os.path.join(d, "libmtproto_tl.so")
        subprocess.run([cxx, "-std=c++20", "-shared", "-fPIC", src, "-o", lib], check=True)
        total, bad = violations(lib, "tl")
    reasons = {why for why, _ in bad}
    expected = {"namespace fmt", "mtproto internal", "over an mtproto internal", "missing"}
    wrongly = [name for _, name in bad if name.startswith("mtproto::client::fine")]
    print(f"check_exports: self-test library exports {total} symbols, rejected as: {sorted(reasons)}")
    if not expected <= reasons or wrongly:
        print(f"check_exports: self-test FAILED: expected {sorted(expected)}, wrongly rejected {wrongly}")
        return 1
    print("check_exports: self-test ok")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--self-test":
        sys.exit(self_test(sys.argv[2]))
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(check(sys.argv[1]))

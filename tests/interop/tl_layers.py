#!/usr/bin/python3
"""Prints, for the TL objects the interop clients send or expect, their ids at layers 144, 198 and 228.

The emulator must answer Telethon in layer 144 and gram.js in layer 198; this shows which
constructors differ from our layer 228 and which fields were added or removed.

Usage: tests/interop/tl_layers.py [--shared DIR] [--lines] [NAME ...]
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS = (144, 198, 228)
# What the two clients put on the wire (functions, input objects) and what they must read back.
DEFAULT_NAMES = [
    "invokeWithLayer", "initConnection", "help.getConfig", "config", "dcOption",
    "users.getUsers", "inputUserSelf", "user", "userProfilePhotoEmpty", "userStatusEmpty",
    "updates.getState", "updates.state",
    "auth.importBotAuthorization", "auth.authorization",
    "auth.exportAuthorization", "auth.exportedAuthorization", "auth.importAuthorization",
    "contacts.resolveUsername", "contacts.resolvedPeer", "peerChannel", "peerUser", "channel",
    "channels.getMessages", "inputChannel", "inputMessageID",
    "messages.channelMessages", "message", "messageMediaDocument", "document",
    "documentAttributeFilename",
    "upload.getFile", "inputDocumentFileLocation", "upload.file", "storage.filePartial",
    "upload.fileCdnRedirect",
]
DEFINITION = re.compile(r"^([A-Za-z0-9_.]+)#([0-9a-f]{1,8})\s+(.*?)\s*=\s*([^;]+);")


def default_shared():
    for candidate in (os.environ.get("MTPROTO_SHARED_DIR"), os.path.join(HERE, "..", "..", "..", "shared")):
        if candidate and os.path.isdir(os.path.join(candidate, "tl")):
            return candidate
    return None


def load(path):
    definitions = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = DEFINITION.match(line.strip())
            if match and match.group(1) not in definitions:
                name, cid, params, result = match.groups()
                fields = [p for p in params.split() if not p.startswith("{")]
                definitions[name] = {"id": cid.zfill(8), "fields": fields, "line": line.strip()}
    return definitions


def field_names(fields):
    return [f.split(":", 1)[0] for f in fields]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=default_shared(), help="the shared/ directory (holds tl/)")
    parser.add_argument("--lines", action="store_true", help="also print the full definitions that differ")
    parser.add_argument("names", nargs="*", default=DEFAULT_NAMES)
    args = parser.parse_args()
    if not args.shared:
        print("shared/tl not found; pass --shared", file=sys.stderr)
        return 2
    schemas = {layer: load(os.path.join(args.shared, "tl", f"api-layer-{layer}.tl")) for layer in LAYERS}
    print("| TL name | 144 (Telethon 1.25) | 198 (gram.js 2.26) | 228 (ours) | fields vs 228 |")
    print("|---|---|---|---|---|")
    differing = []
    for name in args.names:
        cells = []
        for layer in LAYERS:
            definition = schemas[layer].get(name)
            cells.append(f"`{definition['id']}`" if definition else "—")
        notes = []
        newest = schemas[228].get(name)
        for layer in (144, 198):
            old = schemas[layer].get(name)
            if old and newest and old["id"] != newest["id"]:
                old_names, new_names = field_names(old["fields"]), field_names(newest["fields"])
                missing = [f for f in new_names if f not in old_names]
                extra = [f for f in old_names if f not in new_names]
                changed = [f for f in old["fields"] if f.split(":", 1)[0] in new_names and f not in newest["fields"]]
                parts = []
                if missing:
                    parts.append("lacks " + ", ".join(missing))
                if extra:
                    parts.append("has " + ", ".join(extra))
                if changed:
                    parts.append("differs in " + ", ".join(changed))
                notes.append(f"{layer}: " + ("; ".join(parts) or "field order/flags differ"))
                differing.append((layer, old["line"]))
        print(f"| `{name}` | {cells[0]} | {cells[1]} | {cells[2]} | {' / '.join(notes) or 'same'} |")
    if args.lines:
        for layer, line in differing:
            print(f"\nlayer {layer}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

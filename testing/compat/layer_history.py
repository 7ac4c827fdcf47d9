#!/usr/bin/python3
"""Builds testing/compat/layer_history.tl: how the objects mtproto-testdc writes in a client's layer
were defined in every API layer we have a schema of, so the emulator can answer any layer between
the oldest and the newest in that layer's own constructors.

Sources (all offline): the official layers in ../shared/tl/ and the schemas other clients ship in
their npm packages, pinned in testing/compat/package.json (install them with `npm ci` there):
mtcute's @mtcute/tl (api-schema.json, one package version per layer) and gram.js forks
(tl/apiTl.js). Every definition taken from a package is checked against its constructor id
(the CRC32 of its normalised text), so a misread schema cannot slip in.

Usage:
  testing/compat/layer_history.py [--shared DIR] [--modules DIR] > testing/compat/layer_history.tl
  testing/compat/layer_history.py --check testing/compat/layer_history.tl   (exit 1 when it differs)
"""
import argparse
import json
import os
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77  # a source is not installed: ctest reports the check as skipped

# What the emulator builds per layer (testing/src/layer_objects.cpp): every constructor it may
# write, and the functions and input constructors it reads (their history shows where a request
# differs between layers).
WRITTEN = """
config dcOption
user userProfilePhotoEmpty userStatusEmpty
peerUser peerChannel
channel chatPhotoEmpty
message messageEmpty messageService messageActionEmpty messageActionTopicCreate
messageFwdHeader messageReplyHeader messageReplies
messageMediaDocument document documentAttributeFilename documentAttributeVideo documentAttributeAudio
messageMediaPhoto photo photoSize
auth.authorization contacts.resolvedPeer
messages.messages messages.channelMessages messages.chats messages.discussionMessage
account.password passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow
securePasswordKdfAlgoPBKDF2HMACSHA512iter100000
auth.sentCode auth.sentCodeTypeApp auth.exportedAuthorization
upload.file upload.fileCdnRedirect upload.cdnFile upload.cdnFileReuploadNeeded
storage.filePartial fileHash cdnConfig cdnPublicKey nearestDc updates.state
""".split()

READ = """
inputUser inputUserSelf inputChannel inputPeerChannel inputMessageID inputCheckPasswordSRP
inputDocumentFileLocation inputPhotoFileLocation
""".split()

READ_FUNCTIONS = """
invokeWithLayer initConnection invokeWithoutUpdates invokeAfterMsg
auth.sendCode auth.signIn auth.checkPassword auth.importBotAuthorization auth.exportAuthorization
auth.importAuthorization auth.bindTempAuthKey account.getPassword
help.getConfig help.getNearestDc help.getCdnConfig updates.getState users.getUsers
contacts.resolveUsername channels.getChannels channels.getMessages messages.getMessages
messages.getDiscussionMessage
upload.getFile upload.getCdnFile upload.reuploadCdnFile upload.getFileHashes upload.getCdnFileHashes
""".split()


WANTED = [("types", n) for n in WRITTEN + READ] + [("functions", n) for n in READ_FUNCTIONS]


def tl_id(line):
    """The constructor id TL derives from a definition's text."""
    name, rest = line.split("#", 1)
    tail = rest.partition(" ")[2]
    text = (name + " " + tail).rstrip(";").strip()
    text = text.replace(":bytes ", ":string ").replace("?bytes ", "?string ")
    text = text.replace("<", " ").replace(">", "").replace("{", "").replace("}", "")
    text = re.sub(r" \w+:flags\d*\.\d+\?true", "", text)
    return zlib.crc32(text.encode("ascii"))


def parse_tl(text):
    """{(section, name): line} of a .tl file's text."""
    out = {}
    section = "types"
    for line in text.splitlines():
        line = line.strip()
        if line == "---functions---":
            section = "functions"
        elif line == "---types---":
            section = "types"
        if not line or line.startswith("//") or "#" not in line.split(" ")[0]:
            continue
        out[(section, line.split("#")[0])] = line
    return out


def mtcute_line(entry):
    """A TL definition rebuilt from one entry of mtcute's api-schema.json."""
    parts = [f"{entry['name']}#{entry['id']:x}"]  # the official files' spelling
    for arg in entry.get("arguments", []):
        t = "long" if arg["type"] == "int53" else arg["type"]  # mtcute's name for ids that fit a double
        mods = arg.get("typeModifiers", {})
        if mods.get("isVector"):
            t = f"Vector<{t}>"
        if "predicate" in mods:
            t = f"{mods['predicate']}?{t}"
        parts.append(f"{arg['name']}:{t}")
    generics = [a["type"][1:] for a in entry.get("arguments", []) if a["type"].startswith("!")]
    for g in generics:  # mtcute drops the generic parameters of invokeWithLayer and the like
        parts.insert(1, f"{{{g}:Type}}")
    result = entry["type"]
    if entry.get("typeModifiers", {}).get("isVector"):
        result = f"Vector<{result}>"
    return " ".join(parts) + f" = {result};"


def load_mtcute(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    out = {}
    for entry in schema["e"]:
        section = "functions" if entry["kind"] == "method" else "types"
        line = mtcute_line(entry)
        out[(section, entry["name"])] = line
    return schema["l"], out


def load_gramjs(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    body = text[text.index("`") + 1:text.rindex("`")]
    return parse_tl(body)


def sources(shared, modules):
    """[(layer, origin, {(section, name): line})], oldest layer first."""
    found = []
    if not os.path.isdir(os.path.join(shared, "tl")):
        print(f"{shared}/tl: the official layers are not there", file=sys.stderr)
        sys.exit(SKIP)
    for name in sorted(os.listdir(os.path.join(shared, "tl"))):
        m = re.fullmatch(r"api-layer-(\d+)\.tl", name)
        if m:
            with open(os.path.join(shared, "tl", name), encoding="utf-8") as f:
                found.append((int(m.group(1)), f"{name} (official)", parse_tl(f.read())))
    with open(os.path.join(HERE, "package.json"), encoding="utf-8") as f:
        deps = json.load(f)["dependencies"]
    for alias, spec in sorted(deps.items()):
        root = os.path.join(modules, alias)
        package = spec.removeprefix("npm:")
        if os.path.exists(os.path.join(root, "api-schema.json")):
            layer, entries = load_mtcute(os.path.join(root, "api-schema.json"))
        elif os.path.exists(os.path.join(root, "tl", "api-schema.json")):  # @mtcute/core 0.29 and later
            layer, entries = load_mtcute(os.path.join(root, "tl", "api-schema.json"))
        elif os.path.exists(os.path.join(root, "tl", "apiTl.js")):
            entries = load_gramjs(os.path.join(root, "tl", "apiTl.js"))
            with open(os.path.join(root, "tl", "AllTLObjects.js"), encoding="utf-8") as f:
                layer = int(re.search(r"LAYER = (\d+)", f.read()).group(1))
        else:
            print(f"{root}: no schema found (run `npm ci` in {HERE})", file=sys.stderr)
            sys.exit(SKIP)
        for key in WANTED:
            line = entries.get(key)
            if line and tl_id(line) != int(line.split("#")[1].split(" ")[0], 16):
                sys.exit(f"{package}: {line!r} does not hash to its id")
        found.append((layer, f"npm {package}", entries))
    found.sort(key=lambda s: s[0])
    layers = [s[0] for s in found]
    if len(set(layers)) != len(layers):
        sys.exit(f"two sources for one layer: {layers}")
    return found


def history(found):
    lines = []
    for key in WANTED:
        runs = []  # [[line, [layers]]] in layer order; a definition seen again after another starts a new run
        for layer, origin, entries in found:
            line = entries.get(key)
            if line is None:
                continue
            if runs and runs[-1][0] == line:
                runs[-1][1].append(layer)
            else:
                runs.append([line, [layer]])
        if not runs:
            sys.exit(f"{key[1]} is in none of the schemas")
        for line, layers in runs:
            prefix = "fn " if key[0] == "functions" else ""
            lines.append(f"{prefix}{' '.join(map(str, layers))}: {line}")
    return lines


def render(found):
    out = ["// Generated by testing/compat/layer_history.py: do not edit.",
           "// Each line: [fn] the known layers a definition was seen in, then the definition as that",
           "// layer's schema has it. Known layers and where each comes from:"]
    for layer, origin, _ in found:
        out.append(f"//   {layer}: {origin}")
    out.append("")
    out += history(found)
    return "\n".join(out) + "\n"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=os.path.join(HERE, "..", "..", "..", "shared"))
    p.add_argument("--modules", default=os.path.join(HERE, "node_modules"))
    p.add_argument("--check", metavar="FILE")
    args = p.parse_args()
    text = render(sources(args.shared, args.modules))
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit(f"{args.check} is not what the schemas give: regenerate it with {sys.argv[0]}")
        return
    sys.stdout.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Telethon 1.25.1 (Debian python3-telethon, API layer 144) as an independent client of mtproto-testdc.

The emulator writes a ready file (see tests/interop/README.md); this script points Telethon at it,
performs a full handshake with the emulator's RSA key, calls help.getConfig, logs in as the bot,
downloads one fixture and checks its SHA-256. It prints exactly one JSON line on stdout and exits
0 only if every check held.

Run it with /usr/bin/python3: Debian installs Telethon for the system interpreter only, and a
pyenv or venv python3 earlier on PATH does not see it.
"""
import argparse
import asyncio
import hashlib
import json
import logging
import re
import sys
import time

import rsa as pyrsa
import telethon
from telethon import TelegramClient, types
from telethon.crypto import rsa as telethon_rsa
from telethon.network import connection as telethon_connection
from telethon.network.mtprotoplainsender import MTProtoPlainSender
from telethon.network.mtprotosender import MTProtoSender
from telethon.sessions import MemorySession
from telethon.tl import functions
from telethon.tl.alltlobjects import LAYER

CLIENT_NAME = "telethon"
API_ID = 1          # any server that is not Telegram must accept a placeholder app
API_HASH = "x"

TRANSPORTS = {
    "full": telethon_connection.ConnectionTcpFull,
    "intermediate": telethon_connection.ConnectionTcpIntermediate,
    "abridged": telethon_connection.ConnectionTcpAbridged,
    "obfuscated": telethon_connection.ConnectionTcpObfuscated,
}
SCENARIOS = ("direct", "link", "flood", "migrate")

READY_KEYS = {"dcs", "rsa_public_key_pem", "rsa_fingerprint", "bot_token", "channel", "files"}
FILE_KEYS = {"name", "link", "message_id", "document_id", "access_hash", "file_reference_hex",
             "size", "dc", "cdn", "sha256"}
DC_KEYS = {"id", "host", "port"}
UINT64_MASK = (1 << 64) - 1
LINK_RE = re.compile(r"^https://t\.me/([A-Za-z0-9_]+)/([0-9]+)$")
SHUTDOWN_GRACE_SECONDS = 5


class InteropError(Exception):
    """A check failed; the message says which and why."""


# ----------------------------------------------------------------------------------------------
# Ready file


def as_int(value, what):
    """Accept a JSON integer or a decimal string (64-bit ids do not survive every JSON reader)."""
    if isinstance(value, bool):
        raise InteropError(f"{what}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    raise InteropError(f"{what}: expected an integer, got {value!r}")


def as_int64(value, what):
    """TL longs are signed; an emulator may print the unsigned form, so fold it back."""
    number = as_int(value, what)
    if not -(1 << 63) <= number <= UINT64_MASK:
        raise InteropError(f"{what}: {number} does not fit in 64 bits")
    return number - (1 << 64) if number >= (1 << 63) else number


def require_keys(obj, expected, what):
    if not isinstance(obj, dict):
        raise InteropError(f"{what}: expected a JSON object")
    missing = sorted(expected - obj.keys())
    extra = sorted(obj.keys() - expected)
    if missing or extra:
        raise InteropError(f"{what}: missing keys {missing}, unexpected keys {extra}")


def load_ready_file(path):
    try:
        with open(path, encoding="utf-8") as handle:
            ready = json.load(handle)
    except (OSError, ValueError) as error:
        raise InteropError(f"cannot read ready file {path}: {error}") from error
    require_keys(ready, READY_KEYS, "ready file")
    if not isinstance(ready["dcs"], list) or not ready["dcs"]:
        raise InteropError("ready file: dcs must be a non-empty list")
    dcs = {}
    for index, dc in enumerate(ready["dcs"]):
        require_keys(dc, DC_KEYS, f"dcs[{index}]")
        dc_id = as_int(dc["id"], f"dcs[{index}].id")
        port = as_int(dc["port"], f"dcs[{index}].port")
        if not 0 < port < 65536:
            raise InteropError(f"dcs[{index}].port {port} is not a TCP port")
        dcs[dc_id] = {"id": dc_id, "host": str(dc["host"]), "port": port}
    channel = ready["channel"]
    if not isinstance(channel, str) or not re.fullmatch(r"[A-Za-z0-9_]+", channel):
        raise InteropError(f"ready file: channel {channel!r} is not a username")
    files = []
    for index, entry in enumerate(ready["files"]):
        what = f"files[{index}]"
        require_keys(entry, FILE_KEYS, what)
        match = LINK_RE.match(str(entry["link"]))
        if not match:
            raise InteropError(f"{what}.link {entry['link']!r} is not https://t.me/<channel>/<id>")
        message_id = as_int(entry["message_id"], f"{what}.message_id")
        if match.group(1) != channel or int(match.group(2)) != message_id:
            raise InteropError(f"{what}.link {entry['link']} disagrees with channel {channel!r} "
                               f"and message_id {message_id}")
        try:
            file_reference = bytes.fromhex(entry["file_reference_hex"])
        except (TypeError, ValueError) as error:
            raise InteropError(f"{what}.file_reference_hex is not hex") from error
        sha256 = str(entry["sha256"]).lower()
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise InteropError(f"{what}.sha256 is not 64 hex digits")
        files.append({
            "name": str(entry["name"]),
            "link": entry["link"],
            "message_id": message_id,
            "document_id": as_int64(entry["document_id"], f"{what}.document_id"),
            "access_hash": as_int64(entry["access_hash"], f"{what}.access_hash"),
            "file_reference": file_reference,
            "size": as_int(entry["size"], f"{what}.size"),
            "dc": as_int(entry["dc"], f"{what}.dc"),
            "cdn": bool(entry["cdn"]),
            "sha256": sha256,
        })
    if not files:
        raise InteropError("ready file: files is empty")
    fingerprint_text = str(ready["rsa_fingerprint"])
    try:
        fingerprint = int(fingerprint_text, 16) & UINT64_MASK
    except ValueError as error:
        raise InteropError(f"rsa_fingerprint {fingerprint_text!r} is not hex") from error
    return {
        "dcs": dcs,
        "pem": str(ready["rsa_public_key_pem"]),
        "fingerprint": fingerprint,
        "bot_token": str(ready["bot_token"]),
        "channel": channel,
        "files": files,
    }


def pick_file(ready, home_dc, scenario, name):
    if name is not None:
        chosen = [f for f in ready["files"] if f["name"] == name]
        if not chosen:
            raise InteropError(f"no file named {name!r} in the ready file")
        chosen = chosen[0]
    else:
        wants_other_dc = scenario == "migrate"
        candidates = [f for f in ready["files"]
                      if not f["cdn"] and (f["dc"] != home_dc) == wants_other_dc]
        if not candidates:
            where = "on a DC other than" if wants_other_dc else "on"
            raise InteropError(f"no non-CDN file {where} the home DC {home_dc} for scenario {scenario}")
        chosen = candidates[0]
    if chosen["cdn"]:
        # upload.getFile is sent without cdn_supported, and both 1.25 and 2.26 give up on
        # upload.fileCdnRedirect, so a CDN file cannot be proven with this client.
        raise InteropError(f"file {chosen['name']} is a CDN file; Telethon 1.25 cannot download those")
    if scenario == "migrate" and chosen["dc"] == home_dc:
        raise InteropError(f"file {chosen['name']} lives on the home DC {home_dc}: nothing would migrate")
    if chosen["dc"] not in ready["dcs"]:
        raise InteropError(f"file {chosen['name']} is on DC {chosen['dc']}, which the ready file does not list")
    return chosen


# ----------------------------------------------------------------------------------------------
# Pointing Telethon at the emulator


def register_emulator_key(pem, expected_fingerprint):
    """Make the emulator's key the only one Telethon will encrypt p_q_inner_data with.

    telethon.crypto.rsa.add_key takes a PKCS#1 PEM string and files the key under the
    fingerprint it computes itself (a signed int64); an SPKI PEM is converted first. The
    Telegram keys are removed so a server that advertised one of them could not succeed.
    """
    data = pem.encode("ascii")
    if b"BEGIN RSA PUBLIC KEY" in data:
        key = pyrsa.PublicKey.load_pkcs1(data)
    elif b"BEGIN PUBLIC KEY" in data:
        key = pyrsa.PublicKey.load_pkcs1_openssl_pem(data)
    else:
        raise InteropError("rsa_public_key_pem is neither a PKCS#1 nor an SPKI public key PEM")
    computed = telethon_rsa._compute_fingerprint(key)
    if computed & UINT64_MASK != expected_fingerprint:
        raise InteropError(
            f"rsa_fingerprint 0x{expected_fingerprint:016x} does not match the key: Telethon computes "
            f"0x{computed & UINT64_MASK:016x} (lower 64 bits of SHA1(tl(n)+tl(e)) read little-endian)")
    telethon_rsa._server_keys.clear()
    telethon_rsa.add_key(key.save_pkcs1().decode("ascii"), old=False)
    if list(telethon_rsa._server_keys) != [computed]:
        raise InteropError("Telethon's key table did not take the emulator key")
    return computed


def tl_name(obj):
    """'upload.getFile#be5335be' for telethon.tl.functions.upload.GetFileRequest."""
    cls = type(obj)
    name = cls.__name__
    if name.endswith("Request"):
        name = name[: -len("Request")]
    name = name[:1].lower() + name[1:]
    namespace = cls.__module__.rsplit(".", 1)[-1]
    if namespace not in ("functions", "types"):
        name = f"{namespace}.{name}"
    return f"{name}#{cls.CONSTRUCTOR_ID:08x}"


def describe(request):
    if isinstance(request, functions.InvokeWithLayerRequest):
        return f"{tl_name(request)}(layer={request.layer}, {describe(request.query)})"
    if isinstance(request, functions.InitConnectionRequest):
        return f"{tl_name(request)}(api_id={request.api_id}, {describe(request.query)})"
    if isinstance(request, functions.upload.GetFileRequest):
        return f"{tl_name(request)}(precise={bool(request.precise)}, limit={request.limit})"
    return tl_name(request)


class RpcTrace:
    """Records what Telethon hands to its senders, in order, so emulator authors see the real sequence.

    It wraps the senders' send methods and passes everything through unchanged.
    """

    def __init__(self):
        self.entries = []

    def add(self, dc_id, kind, request):
        for item in request if isinstance(request, list) else [request]:
            self.entries.append(f"dc{dc_id} {kind} {describe(item)}")

    def install(self):
        trace = self
        encrypted_send = MTProtoSender.send
        plain_send = MTProtoPlainSender.send

        def traced_send(sender, request, ordered=False):
            connection = sender._connection
            trace.add(getattr(connection, "_dc_id", "?"), "rpc", request)
            return encrypted_send(sender, request, ordered)

        async def traced_plain_send(sender, request):
            trace.add(getattr(sender._connection, "_dc_id", "?"), "plain", request)
            return await plain_send(sender, request)

        MTProtoSender.send = traced_send
        MTProtoPlainSender.send = traced_plain_send

    def compressed(self):
        """Runs of the same entry become 'entry x N' so a download does not flood the report."""
        out = []
        for entry in self.entries:
            if out and out[-1][0] == entry:
                out[-1][1] += 1
            else:
                out.append([entry, 1])
        return [entry if count == 1 else f"{entry} x{count}" for entry, count in out]


class ClientEvents(logging.Handler):
    """Counts what Telethon reports through its own log records (flood sleeps, migrations)."""

    def __init__(self, verbose):
        super().__init__(level=logging.DEBUG)
        self.flood_waits = 0
        self.file_migrates = 0
        self.exported_senders = 0
        self.verbose = verbose

    def emit(self, record):
        template = record.msg if isinstance(record.msg, str) else ""
        if template.startswith("Sleeping") and template.endswith("flood wait"):
            self.flood_waits += 1
        elif template == "File lives in another DC":
            self.file_migrates += 1
        elif template.startswith("Exporting auth for new borrowed sender"):
            self.exported_senders += 1
        if self.verbose:
            print(f"[{record.name}] {record.getMessage()}", file=sys.stderr)


class HashingSink:
    """A write()-only file object: Telethon streams the parts into it, nothing is kept in memory."""

    def __init__(self):
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk):
        self.digest.update(chunk)
        self.size += len(chunk)
        return len(chunk)


# ----------------------------------------------------------------------------------------------
# Scenarios


def check_config(config, ready):
    """Telethon dials the DCs it finds in help.getConfig (id, ipv6=false, cdn=false) on their port."""
    advertised = {}
    for option in config.dc_options:
        if not option.ipv6 and not option.cdn and option.id not in advertised:
            advertised[option.id] = (option.ip_address, option.port)
    for dc in ready["dcs"].values():
        if advertised.get(dc["id"]) != (dc["host"], dc["port"]):
            raise InteropError(f"help.getConfig lists DC {dc['id']} as {advertised.get(dc['id'])}, "
                               f"the ready file as {(dc['host'], dc['port'])}")
    return sorted(advertised)


async def download_direct(client, fixture, sink, part_size_kb):
    location = types.InputDocumentFileLocation(
        id=fixture["document_id"], access_hash=fixture["access_hash"],
        file_reference=fixture["file_reference"], thumb_size="")
    # No dc_id: the request goes to the home DC, which answers FILE_MIGRATE_X for other DCs.
    # No file_size: Telethon then uses 64 KiB parts and stops at the first short part.
    await client.download_file(location, sink, part_size_kb=part_size_kb)
    return {"path": "upload.getFile on InputDocumentFileLocation from the ready file"}


async def download_via_link(client, fixture, sink):
    match = LINK_RE.match(fixture["link"])
    username, message_id = match.group(1), int(match.group(2))
    message = await client.get_messages(username, ids=message_id)
    if message is None:
        raise InteropError(f"channels.getMessages returned no message {message_id} in @{username}")
    media = message.media
    if not isinstance(media, types.MessageMediaDocument) or not isinstance(media.document, types.Document):
        raise InteropError(f"message {message_id} has media {type(media).__name__}, expected a document")
    document = media.document
    if document.id != fixture["document_id"] or document.size != fixture["size"]:
        raise InteropError(f"message {message_id} carries document {document.id} of {document.size} bytes, "
                           f"the ready file says {fixture['document_id']} of {fixture['size']}")
    await client.download_media(message, file=sink)
    return {"path": f"contacts.resolveUsername @{username} -> channels.getMessages {message_id} -> download_media",
            "document_dc": document.dc_id}


async def run(args, result, trace, events):
    ready = load_ready_file(args.ready_file)
    home_dc = args.dc if args.dc is not None else min(ready["dcs"])
    if home_dc not in ready["dcs"]:
        raise InteropError(f"home DC {home_dc} is not in the ready file")
    fixture = pick_file(ready, home_dc, args.scenario, args.file)
    result.update({"file": fixture["name"], "file_dc": fixture["dc"], "size": fixture["size"],
                   "home_dc": home_dc})
    result["rsa_fingerprint"] = f"0x{register_emulator_key(ready['pem'], ready['fingerprint']) & UINT64_MASK:016x}"

    session = MemorySession()          # no auth key: every run does the full handshake
    home = ready["dcs"][home_dc]
    session.set_dc(home_dc, home["host"], home["port"])
    client = TelegramClient(
        session, API_ID, API_HASH,
        connection=TRANSPORTS[args.transport],
        timeout=10, request_retries=5, connection_retries=3, retry_delay=1,
        flood_sleep_threshold=args.flood_sleep_threshold,
        device_model="mtproto-cpp interop", system_version="1.0",
        app_version=f"telethon {telethon.__version__}")
    if args.dry_run:
        location = types.InputDocumentFileLocation(
            id=fixture["document_id"], access_hash=fixture["access_hash"],
            file_reference=fixture["file_reference"], thumb_size="")
        request = functions.upload.GetFileRequest(location, offset=0, limit=64 * 1024)
        result["dry_run"] = {"getFile_tl_hex": bytes(request).hex()}
        return
    try:
        started = time.monotonic()
        await client.connect()          # handshake + invokeWithLayer(initConnection(help.getConfig))
        if not client.is_connected():
            raise InteropError("Telethon did not connect")
        config = await client(functions.help.GetConfigRequest())
        result["config_dcs"] = check_config(config, ready)

        await client.start(bot_token=ready["bot_token"])
        me = await client.get_me()
        if me is None or not me.bot:
            raise InteropError(f"after auth.importBotAuthorization get_me() gave {me!r}, expected a bot")
        expected_bot_id = ready["bot_token"].split(":", 1)[0]
        if str(me.id) != expected_bot_id:
            raise InteropError(f"bot user id {me.id} does not match the token's {expected_bot_id}")
        result["bot_user_id"] = me.id

        sink = HashingSink()
        via_link = args.scenario == "link" or (args.scenario in ("flood", "migrate") and args.via == "link")
        if via_link:
            result.update(await download_via_link(client, fixture, sink))
        else:
            result.update(await download_direct(client, fixture, sink, args.part_size_kb))
        result["seconds"] = round(time.monotonic() - started, 3)
        result["downloaded"] = sink.size
        result["sha256"] = sink.digest.hexdigest()
        result["exported_dcs"] = sorted(client._borrowed_senders)

        if sink.size != fixture["size"]:
            raise InteropError(f"downloaded {sink.size} bytes, the ready file says {fixture['size']}")
        if result["sha256"] != fixture["sha256"]:
            raise InteropError(f"SHA-256 {result['sha256']} != ready file {fixture['sha256']}")
        if args.scenario == "flood" and events.flood_waits < args.min_flood_waits:
            raise InteropError(f"saw {events.flood_waits} FLOOD_WAIT sleeps, expected at least "
                               f"{args.min_flood_waits}: was the emulator started with --flood-every?")
        if args.scenario == "migrate":
            if events.file_migrates < 1:
                raise InteropError("the home DC never answered FILE_MIGRATE_X for a file on another DC")
            if fixture["dc"] not in client._borrowed_senders:
                raise InteropError(f"Telethon never opened an exported sender to DC {fixture['dc']}")
    finally:
        try:
            await asyncio.wait_for(client.disconnect(), SHUTDOWN_GRACE_SECONDS)
        except Exception as error:  # the verdict is already decided; a slow close must not hide it
            print(f"disconnect: {error!r}", file=sys.stderr)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Prove mtproto-testdc with Telethon %s (API layer %d)." % (telethon.__version__, LAYER))
    parser.add_argument("ready_file", help="the JSON ready file mtproto-testdc wrote")
    parser.add_argument("--transport", choices=sorted(TRANSPORTS), default="full")
    parser.add_argument("--scenario", choices=SCENARIOS, default="direct",
                        help="direct: getFile on the ready file's location; link: resolve the channel, "
                             "get the message, download its media; flood: like --via, and require "
                             "FLOOD_WAIT sleeps; migrate: a file on another DC, require FILE_MIGRATE")
    parser.add_argument("--via", choices=("direct", "link"), default="direct",
                        help="download path for the flood and migrate scenarios")
    parser.add_argument("--file", help="fixture name (default: first non-CDN file that fits the scenario)")
    parser.add_argument("--dc", type=int, help="home DC id (default: the lowest id in the ready file)")
    parser.add_argument("--part-size-kb", type=int, default=None,
                        help="upload.getFile limit in KiB for the direct path (Telethon's default: 64)")
    parser.add_argument("--min-flood-waits", type=int, default=1)
    parser.add_argument("--flood-sleep-threshold", type=int, default=60,
                        help="FLOOD_WAIT seconds Telethon sleeps through instead of raising")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds for the whole run")
    parser.add_argument("--dry-run", action="store_true",
                        help="read the ready file, register the key, build the requests; no network")
    parser.add_argument("--verbose", action="store_true", help="Telethon's log on stderr")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    result = {"client": CLIENT_NAME, "version": telethon.__version__, "layer": LAYER,
              "transport": args.transport, "scenario": args.scenario, "ok": False}
    events = ClientEvents(args.verbose)
    telethon_log = logging.getLogger("telethon")
    telethon_log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    telethon_log.addHandler(events)
    telethon_log.propagate = False
    trace = RpcTrace()
    trace.install()
    try:
        asyncio.run(asyncio.wait_for(run(args, result, trace, events), args.timeout))
        result["ok"] = True
    except asyncio.TimeoutError:
        result["error"] = f"timed out after {args.timeout} s"
    except InteropError as error:
        result["error"] = str(error)
    except Exception as error:  # a client exception is a failed proof, reported, not a traceback
        result["error"] = f"{type(error).__name__}: {error}"
    result["flood_waits"] = events.flood_waits
    result["file_migrates"] = events.file_migrates
    result["rpcs"] = trace.compressed()
    print(json.dumps(result, sort_keys=True), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env node
// gram.js (npm `telegram` 2.26.22, API layer 198), or its fork teleproto 214.1.7 (layer 214), as an
// independent client of mtproto-testdc.
//
// The emulator writes a ready file (see tests/interop/README.md); this script points gram.js at it,
// performs a full handshake with the emulator's RSA key, calls help.getConfig, logs in as the bot,
// downloads one fixture and checks its SHA-256. It prints exactly one JSON line on stdout and exits
// 0 only if every check held. Run `npm ci` in this directory first.
"use strict";

const crypto = require("crypto");
const fs = require("fs");

// GRAMJS_PACKAGE=teleproto runs gram.js's fork teleproto (layer 214) through the same script.
const PACKAGE = process.env.GRAMJS_PACKAGE || "telegram";
if (!["telegram", "teleproto"].includes(PACKAGE)) throw new Error(`GRAMJS_PACKAGE: telegram or teleproto, not ${PACKAGE}`);
const { TelegramClient, Api, Logger, sessions, helpers } = require(PACKAGE);
const connections = require(`${PACKAGE}/network/connection`);
const { MTProtoSender, MTProtoPlainSender } = require(`${PACKAGE}/network`);
const { _serverKeys: gramjsServerKeys } = require(`${PACKAGE}/crypto/RSA`);
const { LAYER } = require(`${PACKAGE}/tl/AllTLObjects`);
const GRAMJS_VERSION = require(`${PACKAGE}/package.json`).version;

const CLIENT_NAME = PACKAGE === "telegram" ? "gramjs" : PACKAGE;
const API_ID = 1; // any server that is not Telegram must accept a placeholder app
const API_HASH = "x";
const TRANSPORTS = {
    full: connections.ConnectionTCPFull,
    abridged: connections.ConnectionTCPAbridged,
    obfuscated: connections.ConnectionTCPObfuscated,
};
const SCENARIOS = ["direct", "link", "flood", "migrate"];
const READY_KEYS = ["dcs", "rsa_public_key_pem", "rsa_fingerprint", "bot_token", "channel", "files"];
const FILE_KEYS = ["name", "link", "message_id", "document_id", "access_hash", "file_reference_hex",
    "size", "dc", "cdn", "sha256"];
const DC_KEYS = ["id", "host", "port"];
const INT64_KEYS = ["document_id", "access_hash"];
const LINK_RE = /^https:\/\/t\.me\/([A-Za-z0-9_]+)\/([0-9]+)$/;
const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;
const SHUTDOWN_GRACE_MS = 5000;
// gram.js keeps ports in signed 16-bit fields when it serialises a StringSession.
const MAX_SAFE_PORT = 32767;

class InteropError extends Error {}

const USAGE = `usage: client.js READY_FILE [options]

Prove mtproto-testdc with gram.js ${GRAMJS_VERSION} (API layer ${LAYER}).

options:
  --transport {${Object.keys(TRANSPORTS).join(",")}}   (default full)
  --scenario {${SCENARIOS.join(",")}}   (default direct)
        direct: upload.getFile on the ready file's InputDocumentFileLocation
        link: resolve the channel, get the message, download its media
        flood: like --via, and require FLOOD_WAIT sleeps (emulator: --flood-every)
        migrate: a file on another DC, require FILE_MIGRATE and an exported sender
  --via {direct,link}          download path for flood and migrate (default direct)
  --file NAME                  fixture (default: first non-CDN file that fits the scenario)
  --dc ID                      home DC (default: the lowest id in the ready file)
  --part-size-kb N             upload.getFile limit in KiB for the direct path (gram.js default 64)
  --min-flood-waits N          (default 1)
  --flood-sleep-threshold S    FLOOD_WAIT seconds gram.js sleeps through (default 60)
  --timeout S                  seconds for the whole run (default 180)
  --dry-run                    read the ready file, register the key, build the requests; no network
  --verbose                    gram.js's log on stderr
  -h, --help`;

function parseArgs(argv) {
    const args = {
        transport: "full", scenario: "direct", via: "direct", file: undefined, dc: undefined,
        partSizeKb: undefined, minFloodWaits: 1, floodSleepThreshold: 60, timeout: 180,
        dryRun: false, verbose: false, readyFile: undefined,
    };
    const valued = {
        "--transport": (v) => { args.transport = oneOf(v, Object.keys(TRANSPORTS), "--transport"); },
        "--scenario": (v) => { args.scenario = oneOf(v, SCENARIOS, "--scenario"); },
        "--via": (v) => { args.via = oneOf(v, ["direct", "link"], "--via"); },
        "--file": (v) => { args.file = v; },
        "--dc": (v) => { args.dc = positiveInt(v, "--dc"); },
        "--part-size-kb": (v) => { args.partSizeKb = positiveInt(v, "--part-size-kb"); },
        "--min-flood-waits": (v) => { args.minFloodWaits = positiveInt(v, "--min-flood-waits", true); },
        "--flood-sleep-threshold": (v) => { args.floodSleepThreshold = positiveInt(v, "--flood-sleep-threshold", true); },
        "--timeout": (v) => { args.timeout = Number(v); if (!(args.timeout > 0)) usageError("--timeout must be > 0"); },
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") {
            process.stdout.write(USAGE + "\n");
            process.exit(0);
        } else if (arg === "--dry-run") {
            args.dryRun = true;
        } else if (arg === "--verbose") {
            args.verbose = true;
        } else if (arg.startsWith("--")) {
            const [name, inline] = arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
            if (!(name in valued)) usageError(`unknown option ${name}`);
            const value = inline !== undefined ? inline : argv[++i];
            if (value === undefined) usageError(`${name} needs a value`);
            valued[name](value);
        } else if (args.readyFile === undefined) {
            args.readyFile = arg;
        } else {
            usageError(`unexpected argument ${arg}`);
        }
    }
    if (args.readyFile === undefined) usageError("the ready file path is required");
    return args;
}

function usageError(message) {
    process.stderr.write(`${USAGE}\nclient.js: error: ${message}\n`);
    process.exit(2);
}

function oneOf(value, allowed, what) {
    if (!allowed.includes(value)) usageError(`${what} must be one of ${allowed.join(", ")}`);
    return value;
}

function positiveInt(value, what, zeroOk = false) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) usageError(`${what} must be an integer`);
    return n;
}

// ---------------------------------------------------------------------------------------------
// Ready file

function requireKeys(obj, expected, what) {
    if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
        throw new InteropError(`${what}: expected a JSON object`);
    }
    const keys = Object.keys(obj);
    const missing = expected.filter((k) => !keys.includes(k)).sort();
    const extra = keys.filter((k) => !expected.includes(k)).sort();
    if (missing.length || extra.length) {
        throw new InteropError(`${what}: missing keys [${missing}], unexpected keys [${extra}]`);
    }
}

function asInt(value, what) {
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "string" && /^-?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) {
        return Number(value);
    }
    throw new InteropError(`${what}: expected an integer, got ${JSON.stringify(value)}`);
}

// TL longs are signed; an emulator may print the unsigned form, so fold it back.
function asInt64(value, what) {
    if (typeof value !== "string" || !/^-?[0-9]+$/.test(value)) {
        throw new InteropError(`${what}: expected an integer, got ${JSON.stringify(value)}`);
    }
    let n = BigInt(value);
    if (n < -TWO_63 || n >= TWO_64) throw new InteropError(`${what}: ${value} does not fit in 64 bits`);
    if (n >= TWO_63) n -= TWO_64;
    return n;
}

function loadReadyFile(path) {
    let text;
    try {
        text = fs.readFileSync(path, "utf8");
    } catch (error) {
        throw new InteropError(`cannot read ready file ${path}: ${error.message}`);
    }
    // JSON.parse turns integers into doubles and 64-bit ids lose their low bits, so the digits of
    // the 64-bit fields are quoted before parsing (Node 20 has no JSON.parse source access).
    const keyAlternatives = INT64_KEYS.join("|");
    const quoted = text.replace(new RegExp(`("(?:${keyAlternatives})"\\s*:\\s*)(-?[0-9]+)`, "g"), '$1"$2"');
    let ready;
    try {
        ready = JSON.parse(quoted);
    } catch (error) {
        throw new InteropError(`ready file ${path} is not JSON: ${error.message}`);
    }
    requireKeys(ready, READY_KEYS, "ready file");
    if (!Array.isArray(ready.dcs) || ready.dcs.length === 0) {
        throw new InteropError("ready file: dcs must be a non-empty list");
    }
    const dcs = new Map();
    ready.dcs.forEach((dc, index) => {
        requireKeys(dc, DC_KEYS, `dcs[${index}]`);
        const id = asInt(dc.id, `dcs[${index}].id`);
        const port = asInt(dc.port, `dcs[${index}].port`);
        if (port <= 0 || port > MAX_SAFE_PORT) {
            throw new InteropError(`dcs[${index}].port ${port}: gram.js needs 0 < port < 32768 ` +
                "(StringSession stores ports as signed 16-bit); start the emulator with --port-base 0");
        }
        dcs.set(id, { id, host: String(dc.host), port });
    });
    const channel = ready.channel;
    if (typeof channel !== "string" || !/^[A-Za-z0-9_]+$/.test(channel)) {
        throw new InteropError(`ready file: channel ${JSON.stringify(channel)} is not a username`);
    }
    if (!Array.isArray(ready.files) || ready.files.length === 0) {
        throw new InteropError("ready file: files must be a non-empty list");
    }
    const files = ready.files.map((entry, index) => {
        const what = `files[${index}]`;
        requireKeys(entry, FILE_KEYS, what);
        const match = LINK_RE.exec(String(entry.link));
        if (!match) throw new InteropError(`${what}.link ${entry.link} is not https://t.me/<channel>/<id>`);
        const messageId = asInt(entry.message_id, `${what}.message_id`);
        if (match[1] !== channel || Number(match[2]) !== messageId) {
            throw new InteropError(`${what}.link ${entry.link} disagrees with channel ${channel} and message_id ${messageId}`);
        }
        if (typeof entry.file_reference_hex !== "string" || !/^([0-9a-fA-F]{2})*$/.test(entry.file_reference_hex)) {
            throw new InteropError(`${what}.file_reference_hex is not hex`);
        }
        const sha256 = String(entry.sha256).toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(sha256)) throw new InteropError(`${what}.sha256 is not 64 hex digits`);
        return {
            name: String(entry.name),
            link: entry.link,
            messageId,
            documentId: asInt64(entry.document_id, `${what}.document_id`),
            accessHash: asInt64(entry.access_hash, `${what}.access_hash`),
            fileReference: Buffer.from(entry.file_reference_hex, "hex"),
            size: asInt(entry.size, `${what}.size`),
            dc: asInt(entry.dc, `${what}.dc`),
            cdn: Boolean(entry.cdn),
            sha256,
        };
    });
    const fpText = String(ready.rsa_fingerprint);
    if (!/^-?0x[0-9a-fA-F]{1,16}$/.test(fpText)) {
        throw new InteropError(`rsa_fingerprint ${fpText} is not 0x followed by up to 16 hex digits`);
    }
    const fpValue = fpText.startsWith("-") ? -BigInt(fpText.slice(1)) : BigInt(fpText);
    return {
        dcs,
        pem: String(ready.rsa_public_key_pem),
        fingerprint: BigInt.asUintN(64, fpValue),
        botToken: String(ready.bot_token),
        channel,
        files,
    };
}

function pickFile(ready, homeDc, scenario, name) {
    let chosen;
    if (name !== undefined) {
        chosen = ready.files.find((f) => f.name === name);
        if (!chosen) throw new InteropError(`no file named ${name} in the ready file`);
    } else {
        const wantsOtherDc = scenario === "migrate";
        chosen = ready.files.find((f) => !f.cdn && (f.dc !== homeDc) === wantsOtherDc);
        if (!chosen) {
            throw new InteropError(`no non-CDN file ${wantsOtherDc ? "on a DC other than" : "on"} the home DC ${homeDc} for scenario ${scenario}`);
        }
    }
    if (chosen.cdn) {
        // upload.getFile goes out without cdn_supported and gram.js throws on upload.fileCdnRedirect.
        throw new InteropError(`file ${chosen.name} is a CDN file; gram.js 2.26 cannot download those`);
    }
    if (scenario === "migrate" && chosen.dc === homeDc) {
        throw new InteropError(`file ${chosen.name} lives on the home DC ${homeDc}: nothing would migrate`);
    }
    if (!ready.dcs.has(chosen.dc)) {
        throw new InteropError(`file ${chosen.name} is on DC ${chosen.dc}, which the ready file does not list`);
    }
    return chosen;
}

// ---------------------------------------------------------------------------------------------
// Pointing gram.js at the emulator

function tlBytes(buffer) {
    const header = buffer.length < 254
        ? Buffer.from([buffer.length])
        : Buffer.from([254, buffer.length & 0xff, (buffer.length >> 8) & 0xff, (buffer.length >> 16) & 0xff]);
    const body = Buffer.concat([header, buffer]);
    return Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
}

function stripLeadingZeros(buffer) {
    let i = 0;
    while (i < buffer.length - 1 && buffer[i] === 0) i++;
    return buffer.subarray(i);
}

// gram.js looks keys up in RSA._serverKeys, a Map from the fingerprint as a signed decimal string
// (how its BinaryReader prints the resPQ long) to {n: bigInt, e: number}. The Telegram keys are
// removed so a server that advertised one of them could not succeed.
function registerEmulatorKey(pem, expectedFingerprint) {
    let jwk;
    try {
        jwk = crypto.createPublicKey(pem).export({ format: "jwk" });
    } catch (error) {
        throw new InteropError(`rsa_public_key_pem is not an RSA public key PEM: ${error.message}`);
    }
    if (jwk.kty !== "RSA") throw new InteropError(`rsa_public_key_pem is a ${jwk.kty} key, not RSA`);
    const n = stripLeadingZeros(Buffer.from(jwk.n, "base64url"));
    const e = stripLeadingZeros(Buffer.from(jwk.e, "base64url"));
    const digest = crypto.createHash("sha1").update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
    const signed = digest.readBigInt64LE(12);
    const unsigned = BigInt.asUintN(64, signed);
    if (unsigned !== expectedFingerprint) {
        throw new InteropError(`rsa_fingerprint 0x${expectedFingerprint.toString(16).padStart(16, "0")} ` +
            `does not match the key: computed 0x${unsigned.toString(16).padStart(16, "0")} ` +
            "(lower 64 bits of SHA1(tl(n)+tl(e)) read little-endian)");
    }
    gramjsServerKeys.clear();
    gramjsServerKeys.set(signed.toString(), {
        n: helpers.returnBigInt(BigInt("0x" + n.toString("hex")).toString()),
        e: Number(BigInt("0x" + e.toString("hex"))),
    });
    return unsigned;
}

// gram.js dials session.serverAddress on port 80 (443 with useWSS) for the home DC, and for any
// other DC the ip from help.getConfig on port 443: it never uses a configured port. The only way in
// is the Connection class it instantiates, so this subclass swaps in the emulator's port per DC.
function pinnedConnection(Base, dcs, fatal) {
    return class PinnedToEmulator extends Base {
        constructor(options) {
            const dc = dcs.get(options.dcId);
            let problem;
            if (!dc) {
                problem = `gram.js asked to dial DC ${options.dcId}, which the ready file does not list`;
            } else if (options.ip !== dc.host) {
                problem = `gram.js would dial DC ${options.dcId} at ${options.ip} (from the session or the ` +
                    `emulator's help.getConfig dc_options), the ready file says ${dc.host}`;
            }
            if (problem) {
                // gram.js retries a failed exported connection forever, so report it to the main flow.
                fatal(new InteropError(problem));
                throw new InteropError(problem);
            }
            super({ ...options, port: dc.port });
        }
    };
}

function tlName(request) {
    const parts = String(request.className).split(".");
    const last = parts.pop();
    parts.push(last.charAt(0).toLowerCase() + last.slice(1));
    const id = (request.CONSTRUCTOR_ID >>> 0).toString(16).padStart(8, "0");
    return `${parts.join(".")}#${id}`;
}

function describe(request) {
    if (request instanceof Api.InvokeWithLayer) {
        return `${tlName(request)}(layer=${request.layer}, ${describe(request.query)})`;
    }
    if (request instanceof Api.InitConnection) {
        return `${tlName(request)}(api_id=${request.apiId}, ${describe(request.query)})`;
    }
    if (request instanceof Api.upload.GetFile) {
        return `${tlName(request)}(precise=${Boolean(request.precise)}, limit=${request.limit})`;
    }
    return tlName(request);
}

// Records what gram.js hands to its senders, in order, so emulator authors see the real sequence.
// It wraps the senders' entry points and passes everything through unchanged.
class RpcTrace {
    constructor() {
        this.entries = [];
    }

    install() {
        const trace = this;
        const send = MTProtoSender.prototype.send;
        const addStateToQueue = MTProtoSender.prototype.addStateToQueue;
        const plainSend = MTProtoPlainSender.prototype.send;
        MTProtoSender.prototype.send = function tracedSend(request) {
            trace.entries.push(`dc${this._dcId} rpc ${describe(request)}`);
            return send.call(this, request);
        };
        MTProtoSender.prototype.addStateToQueue = function tracedAdd(state) {
            trace.entries.push(`dc${this._dcId} rpc ${describe(state.request)}`);
            return addStateToQueue.call(this, state);
        };
        MTProtoPlainSender.prototype.send = function tracedPlainSend(request) {
            const dc = this._connection ? this._connection._dcId : "?";
            trace.entries.push(`dc${dc} plain ${describe(request)}`);
            return plainSend.call(this, request);
        };
    }

    compressed() {
        const out = [];
        for (const entry of this.entries) {
            if (out.length && out[out.length - 1][0] === entry) out[out.length - 1][1]++;
            else out.push([entry, 1]);
        }
        return out.map(([entry, count]) => (count === 1 ? entry : `${entry} x${count}`));
    }
}

// Counts what gram.js reports through its logger (flood sleeps, migrations); gram.js logs to
// stdout by default, which would spoil the one-JSON-line contract, so this logger uses stderr.
class CountingLogger extends Logger {
    constructor(verbose) {
        super(verbose ? "debug" : "info");
        this.verbose = verbose;
        this.floodWaits = 0;
        this.fileMigrates = 0;
        this.exportedAuthorizations = 0;
    }

    log(level, message) {
        const text = String(message);
        if (/^Sleeping for \d+s on flood wait/.test(text)) this.floodWaits++;
        else if (text === "File lives in another DC") this.fileMigrates++;
        else if (text.startsWith("Exporting authorization for data center")) this.exportedAuthorizations++;
        if (this.verbose) process.stderr.write(`[gramjs ${level}] ${text}\n`);
    }
}

class HashingSink {
    constructor() {
        this.hash = crypto.createHash("sha256");
        this.size = 0;
    }

    write(chunk) {
        this.hash.update(chunk);
        this.size += chunk.length;
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

// gram.js takes the first dc_options entry with the DC's id and ipv6=false, whatever its other flags.
function checkConfig(config, ready) {
    const advertised = new Map();
    for (const option of config.dcOptions) {
        if (!option.ipv6 && !advertised.has(option.id)) advertised.set(option.id, option);
    }
    for (const dc of ready.dcs.values()) {
        const option = advertised.get(dc.id);
        if (!option || option.ipAddress !== dc.host || option.port !== dc.port || option.cdn || option.mediaOnly) {
            const seen = option ? `${option.ipAddress}:${option.port} cdn=${Boolean(option.cdn)} media_only=${Boolean(option.mediaOnly)}` : "nothing";
            throw new InteropError(`help.getConfig: the first IPv4 option for DC ${dc.id} is ${seen}, ` +
                `the ready file says ${dc.host}:${dc.port} (and it must be a plain, non-CDN option)`);
        }
    }
    return [...advertised.keys()].sort((a, b) => a - b);
}

function documentLocation(fixture) {
    return new Api.InputDocumentFileLocation({
        id: helpers.returnBigInt(fixture.documentId.toString()),
        accessHash: helpers.returnBigInt(fixture.accessHash.toString()),
        fileReference: fixture.fileReference,
        thumbSize: "",
    });
}

async function downloadDirect(client, fixture, sink, partSizeKb) {
    // No dcId: the request goes to the home DC, which answers FILE_MIGRATE_X for other DCs.
    // No fileSize: gram.js then uses 64 KiB parts and stops at the first short part.
    await client.downloadFile(documentLocation(fixture), { outputFile: sink, partSizeKb });
    return { path: "upload.getFile on InputDocumentFileLocation from the ready file" };
}

async function downloadViaLink(client, fixture, sink) {
    const [, username, idText] = LINK_RE.exec(fixture.link);
    const messageId = Number(idText);
    const found = await client.getMessages(username, { ids: messageId });
    const message = Array.isArray(found) ? found[0] : found;
    if (!message) throw new InteropError(`channels.getMessages returned no message ${messageId} in @${username}`);
    const media = message.media;
    if (!(media instanceof Api.MessageMediaDocument) || !(media.document instanceof Api.Document)) {
        throw new InteropError(`message ${messageId} has media ${media && media.className}, expected a document`);
    }
    const document = media.document;
    if (document.id.toString() !== fixture.documentId.toString() || Number(document.size) !== fixture.size) {
        throw new InteropError(`message ${messageId} carries document ${document.id} of ${document.size} bytes, ` +
            `the ready file says ${fixture.documentId} of ${fixture.size}`);
    }
    await client.downloadMedia(message, { outputFile: sink });
    return {
        path: `contacts.resolveUsername @${username} -> channels.getMessages ${messageId} -> downloadMedia`,
        document_dc: document.dcId,
    };
}

async function run(args, result, logger, fatal) {
    const ready = loadReadyFile(args.readyFile);
    const homeDc = args.dc !== undefined ? args.dc : Math.min(...ready.dcs.keys());
    if (!ready.dcs.has(homeDc)) throw new InteropError(`home DC ${homeDc} is not in the ready file`);
    const fixture = pickFile(ready, homeDc, args.scenario, args.file);
    Object.assign(result, { file: fixture.name, file_dc: fixture.dc, size: fixture.size, home_dc: homeDc });
    const fingerprint = registerEmulatorKey(ready.pem, ready.fingerprint);
    result.rsa_fingerprint = `0x${fingerprint.toString(16).padStart(16, "0")}`;

    const session = new sessions.StringSession(""); // no auth key: every run does the full handshake
    const home = ready.dcs.get(homeDc);
    session.setDC(homeDc, home.host, home.port);
    const client = new TelegramClient(session, API_ID, API_HASH, {
        connection: pinnedConnection(TRANSPORTS[args.transport], ready.dcs, fatal),
        useWSS: false,
        connectionRetries: 3,
        retryDelay: 500,
        requestRetries: 5,
        timeout: 10,
        floodSleepThreshold: args.floodSleepThreshold,
        baseLogger: logger,
        deviceModel: "mtproto-cpp interop",
        systemVersion: "1.0",
        appVersion: `gramjs ${GRAMJS_VERSION}`,
        // gram.js's own default is spelled `_securityChecks` but read as `securityChecks`, so it is
        // off unless given like this (then it rejects duplicate server msg_ids).
        securityChecks: true,
    });
    if (args.dryRun) {
        const request = new Api.upload.GetFile({ location: documentLocation(fixture), offset: helpers.returnBigInt(0), limit: 64 * 1024 });
        result.dry_run = { getFile_tl_hex: request.getBytes().toString("hex") };
        return;
    }
    try {
        const started = process.hrtime.bigint();
        // handshake + invokeWithLayer(initConnection(help.getConfig)); gram.js returns false
        // (does not throw) when every connection attempt failed.
        if (!(await client.connect())) throw new InteropError("gram.js could not connect to the home DC");
        const config = await client.invoke(new Api.help.GetConfig());
        result.config_dcs = checkConfig(config, ready);

        await client.start({ botAuthToken: ready.botToken });
        const me = await client.getMe();
        if (!me || !me.bot) throw new InteropError(`after auth.importBotAuthorization getMe() gave ${me && me.className}, expected a bot`);
        const expectedBotId = ready.botToken.split(":", 1)[0];
        if (me.id.toString() !== expectedBotId) {
            throw new InteropError(`bot user id ${me.id} does not match the token's ${expectedBotId}`);
        }
        result.bot_user_id = me.id.toString();

        const sink = new HashingSink();
        const viaLink = args.scenario === "link" || (["flood", "migrate"].includes(args.scenario) && args.via === "link");
        Object.assign(result, viaLink
            ? await downloadViaLink(client, fixture, sink)
            : await downloadDirect(client, fixture, sink, args.partSizeKb));
        result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
        result.downloaded = sink.size;
        result.sha256 = sink.hash.digest("hex");
        result.exported_dcs = [...client._exportedSenderPromises.keys()].sort((a, b) => a - b);

        if (sink.size !== fixture.size) {
            throw new InteropError(`downloaded ${sink.size} bytes, the ready file says ${fixture.size}`);
        }
        if (result.sha256 !== fixture.sha256) {
            throw new InteropError(`SHA-256 ${result.sha256} != ready file ${fixture.sha256}`);
        }
        if (args.scenario === "flood" && logger.floodWaits < args.minFloodWaits) {
            throw new InteropError(`saw ${logger.floodWaits} FLOOD_WAIT sleeps, expected at least ` +
                `${args.minFloodWaits}: was the emulator started with --flood-every?`);
        }
        if (args.scenario === "migrate") {
            if (logger.fileMigrates < 1) {
                throw new InteropError("the home DC never answered FILE_MIGRATE_X for a file on another DC");
            }
            if (!client._exportedSenderPromises.has(fixture.dc)) {
                throw new InteropError(`gram.js never opened an exported sender to DC ${fixture.dc}`);
            }
        }
    } finally {
        await Promise.race([
            client.destroy().catch((error) => process.stderr.write(`destroy: ${error}\n`)),
            new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
        ]);
    }
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    // gram.js and its dependencies print with console.log; stdout carries only the result line.
    console.log = (...items) => console.error(...items);
    const result = {
        client: CLIENT_NAME, version: GRAMJS_VERSION, layer: LAYER,
        transport: args.transport, scenario: args.scenario, ok: false,
    };
    const logger = new CountingLogger(args.verbose);
    const trace = new RpcTrace();
    trace.install();
    let backgroundErrors = 0;
    process.on("unhandledRejection", (error) => {
        backgroundErrors++;
        process.stderr.write(`unhandled rejection inside gram.js: ${error && error.stack ? error.stack : error}\n`);
    });

    let failFatal;
    const fatalError = new Promise((_, reject) => { failFatal = reject; });
    fatalError.catch(() => {});
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new InteropError(`timed out after ${args.timeout} s`)), args.timeout * 1000);
    });
    try {
        await Promise.race([run(args, result, logger, failFatal), fatalError, timeout]);
        result.ok = true;
    } catch (error) {
        result.error = error instanceof InteropError ? error.message : `${error && error.constructor ? error.constructor.name : "Error"}: ${error && error.message ? error.message : error}`;
    } finally {
        clearTimeout(timer);
    }
    result.flood_waits = logger.floodWaits;
    result.file_migrates = logger.fileMigrates;
    result.background_errors = backgroundErrors;
    result.rpcs = trace.compressed();
    const ordered = Object.fromEntries(Object.keys(result).sort().map((k) => [k, result[k]]));
    process.stdout.write(JSON.stringify(ordered) + "\n", () => process.exit(result.ok ? 0 : 1));
}

main();

#!/usr/bin/env node
// mtcute (npm @mtcute/node 0.30.3, API layer 227) as an independent client of mtproto-testdc: the
// TypeScript library issue 12 found unable to log in (the emulator answered layer 198's bytes).
//
// Same contract as gramjs/client.js: reads the emulator's ready file, registers its RSA key, logs
// in as the bot (auth.importBotAuthorization), downloads one fixture (directly by its location, or
// through the t.me link), checks size and SHA-256, prints exactly one JSON line on stdout and exits
// 0 only if every check held. Run `npm ci --ignore-scripts` in this directory first (the SQLite
// storage's native module is not needed: sessions here live in memory).
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { Long, MemoryStorage, ObfuscatedPacketCodec, IntermediatePacketCodec, networkMiddlewares, tl } from "@mtcute/core";
import { addPublicKey, LogManager } from "@mtcute/core/utils.js";
import { TelegramClient, TcpTransport } from "@mtcute/node";

const require = createRequire(import.meta.url);
const CORE_DIR = path.dirname(require.resolve("@mtcute/core"));
const MTCUTE_VERSION = JSON.parse(fs.readFileSync(path.join(CORE_DIR, "package.json"), "utf8")).version;
const API_ID = 1; // any server that is not Telegram must accept a placeholder app
const API_HASH = "x";
const SCENARIOS = ["direct", "link", "flood", "migrate"];
const LINK_RE = /^https:\/\/t\.me\/([A-Za-z0-9_]+)\/([0-9]+)$/;
const INT64_KEYS = ["document_id", "access_hash"];
const SHUTDOWN_GRACE_MS = 5000;

class InteropError extends Error {}

// Obfuscated (random-looking) intermediate framing over mtcute's own TCP transport.
class ObfuscatedTcpTransport extends TcpTransport {
    packetCodec() {
        return new ObfuscatedPacketCodec(new IntermediatePacketCodec());
    }
}
const TRANSPORTS = { intermediate: TcpTransport, obfuscated: ObfuscatedTcpTransport };

const USAGE = `usage: client.mjs READY_FILE [options]

Prove mtproto-testdc with mtcute ${MTCUTE_VERSION} (API layer ${tl.LAYER}).

options:
  --transport {${Object.keys(TRANSPORTS).join(",")}}   (default intermediate)
  --scenario {${SCENARIOS.join(",")}}   (default direct)
  --via {direct,link}          download path for flood and migrate (default direct)
  --file NAME                  fixture (default: first non-CDN file that fits the scenario)
  --part-size-kb N             upload.getFile limit in KiB on the direct path (default: mtcute's
                               choice for the size, 512 for large files)
  --min-flood-waits N          (default 1)
  --timeout S                  seconds for the whole run (default 180)
  --verbose                    mtcute's log on stderr
  -h, --help`;

function usageError(message) {
    process.stderr.write(`${USAGE}\nclient.mjs: error: ${message}\n`);
    process.exit(2);
}

function parseArgs(argv) {
    const args = { transport: "intermediate", scenario: "direct", via: "direct", file: undefined,
        partSizeKb: undefined, minFloodWaits: 1, timeout: 180, verbose: false, readyFile: undefined };
    const oneOf = (v, allowed, what) => (allowed.includes(v) ? v : usageError(`${what} must be one of ${allowed.join(", ")}`));
    const count = (v, what) => (Number.isInteger(Number(v)) && Number(v) >= 0 ? Number(v) : usageError(`${what} must be an integer`));
    const valued = {
        "--transport": (v) => { args.transport = oneOf(v, Object.keys(TRANSPORTS), "--transport"); },
        "--scenario": (v) => { args.scenario = oneOf(v, SCENARIOS, "--scenario"); },
        "--via": (v) => { args.via = oneOf(v, ["direct", "link"], "--via"); },
        "--file": (v) => { args.file = v; },
        "--min-flood-waits": (v) => { args.minFloodWaits = count(v, "--min-flood-waits"); },
        "--part-size-kb": (v) => {
            args.partSizeKb = count(v, "--part-size-kb");
            if (!args.partSizeKb || args.partSizeKb % 4 || 1024 % args.partSizeKb) usageError("--part-size-kb must divide 1024 and be a multiple of 4");
        },
        "--timeout": (v) => { args.timeout = Number(v); if (!(args.timeout > 0)) usageError("--timeout must be > 0"); },
    };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") {
            process.stdout.write(USAGE + "\n");
            process.exit(0);
        } else if (arg === "--verbose") {
            args.verbose = true;
        } else if (arg.startsWith("--")) {
            if (!(arg in valued)) usageError(`unknown option ${arg}`);
            if (argv[i + 1] === undefined) usageError(`${arg} needs a value`);
            valued[arg](argv[++i]);
        } else if (args.readyFile === undefined) {
            args.readyFile = arg;
        } else {
            usageError(`unexpected argument ${arg}`);
        }
    }
    if (args.readyFile === undefined) usageError("the ready file path is required");
    return args;
}

function loadReadyFile(file) {
    let text;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new InteropError(`cannot read ready file ${file}: ${error.message}`);
    }
    // 64-bit ids lose their low bits as JSON numbers: quote their digits before parsing.
    const quoted = text.replace(new RegExp(`("(?:${INT64_KEYS.join("|")})"\\s*:\\s*)(-?[0-9]+)`, "g"), '$1"$2"');
    let ready;
    try {
        ready = JSON.parse(quoted);
    } catch (error) {
        throw new InteropError(`ready file ${file} is not JSON: ${error.message}`);
    }
    for (const key of ["dcs", "rsa_public_key_pem", "rsa_fingerprint", "bot_token", "channel", "files"]) {
        if (!(key in ready)) throw new InteropError(`ready file: no ${key}`);
    }
    if (!Array.isArray(ready.dcs) || !ready.dcs.length) throw new InteropError("ready file: dcs must be a non-empty list");
    if (!Array.isArray(ready.files) || !ready.files.length) throw new InteropError("ready file: files must be a non-empty list");
    const dcs = new Map(ready.dcs.map((dc) => [Number(dc.id), { id: Number(dc.id), ipAddress: String(dc.host), port: Number(dc.port) }]));
    const files = ready.files.map((f, i) => {
        if (!LINK_RE.test(String(f.link))) throw new InteropError(`files[${i}].link ${f.link} is not https://t.me/<channel>/<id>`);
        if (!/^[0-9a-f]{64}$/.test(String(f.sha256))) throw new InteropError(`files[${i}].sha256 is not 64 hex digits`);
        return { name: String(f.name), link: f.link, documentId: String(f.document_id), accessHash: String(f.access_hash),
            fileReference: Buffer.from(String(f.file_reference_hex), "hex"), size: Number(f.size), dc: Number(f.dc),
            cdn: Boolean(f.cdn), sha256: String(f.sha256) };
    });
    return { dcs, pem: String(ready.rsa_public_key_pem), fingerprint: String(ready.rsa_fingerprint),
        botToken: String(ready.bot_token), files };
}

function pickFile(ready, homeDc, scenario, name) {
    const chosen = name !== undefined
        ? ready.files.find((f) => f.name === name)
        : ready.files.find((f) => !f.cdn && (f.dc !== homeDc) === (scenario === "migrate"));
    if (!chosen) throw new InteropError(`no fixture ${name ?? ""} fits scenario ${scenario} with home DC ${homeDc}`);
    if (chosen.cdn) throw new InteropError(`file ${chosen.name} is a CDN file; mtcute 0.30 does not download those`);
    if (scenario === "migrate" && chosen.dc === homeDc) throw new InteropError(`file ${chosen.name} is on the home DC: nothing would migrate`);
    return chosen;
}

// The fingerprint the ready file states must be the key's (lower 64 bits of SHA-1 over the TL
// bytes of n and e); mtcute then finds the key by it. mtcute indexes keys by 16 hex digits but
// looks them up without leading zeros, so a fingerprint starting with a zero digit is indexed both ways.
async function registerEmulatorKey(client, pem, stated) {
    addPublicKey(client._client.crypto, pem);
    const jwk = crypto.createPublicKey(pem).export({ format: "jwk" });
    const tl = (b) => {
        const head = b.length < 254 ? Buffer.from([b.length]) : Buffer.from([254, b.length & 255, (b.length >> 8) & 255, (b.length >> 16) & 255]);
        const body = Buffer.concat([head, b]);
        return Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    };
    const strip = (b) => { let i = 0; while (i < b.length - 1 && b[i] === 0) i++; return b.subarray(i); };
    const digest = crypto.createHash("sha1")
        .update(Buffer.concat([tl(strip(Buffer.from(jwk.n, "base64url"))), tl(strip(Buffer.from(jwk.e, "base64url")))])).digest();
    const fp = digest.readBigUInt64LE(12);
    const statedValue = BigInt.asUintN(64, stated.startsWith("-") ? -BigInt(stated.slice(1)) : BigInt(stated));
    if (fp !== statedValue) throw new InteropError(`rsa_fingerprint ${stated} does not match the key (0x${fp.toString(16)})`);
    const padded = fp.toString(16).padStart(16, "0");
    if (padded.startsWith("0")) {
        const { __publicKeyIndex } = await import(pathToFileURL(path.join(CORE_DIR, "tl", "binary", "rsa-keys.js")).href);
        __publicKeyIndex[fp.toString(16)] = __publicKeyIndex[padded];
    }
    return `0x${padded}`;
}

async function sha256Of(iterable) {
    const hash = crypto.createHash("sha256");
    let size = 0;
    for await (const chunk of iterable) {
        hash.update(chunk);
        size += chunk.length;
    }
    return { size, sha256: hash.digest("hex") };
}

async function run(args, result, counters) {
    const ready = loadReadyFile(args.readyFile);
    const homeDc = Math.min(...ready.dcs.keys());
    const fixture = pickFile(ready, homeDc, args.scenario, args.file);
    Object.assign(result, { file: fixture.name, file_dc: fixture.dc, size: fixture.size, home_dc: homeDc });
    const home = ready.dcs.get(homeDc);
    const client = new TelegramClient({
        apiId: API_ID,
        apiHash: API_HASH,
        storage: new MemoryStorage(), // no auth key: every run does the full handshake
        defaultDcs: { main: home, media: home },
        transport: new TRANSPORTS[args.transport](),
        disableUpdates: true,
        logLevel: args.verbose ? LogManager.DEBUG : LogManager.WARN,
        initConnectionOptions: { deviceModel: "mtproto-cpp interop", systemVersion: "1.0", appVersion: `mtcute ${MTCUTE_VERSION}` },
        // mtcute's own middlewares, counting its flood sleeps (it sleeps through short ones on
        // upload.getFile without a word otherwise).
        network: { middlewares: networkMiddlewares.basic({ floodWaiter: { onBeforeWait: () => { counters.floodWaits++; } } }) },
    });
    // The log goes to stderr: stdout carries only the result line.
    client._client.log.mgr.handler = (color, level, tag, fmt, logArgs) => {
        if (args.verbose || level <= LogManager.WARN) {
            let i = 0;
            process.stderr.write(`[mtcute ${tag}] ${fmt.replace(/%[a-z]/g, () => String(logArgs[i++]))}\n`);
        }
    };
    // Every RPC the client makes, and every FILE_MIGRATE it is told (the downloader follows those
    // itself, without logging), for the record: the low-level client's call, which the high-level
    // methods (downloads included) go through.
    const inner = client._client;
    const call = inner.call.bind(inner);
    inner.call = async (request, params) => {
        counters.rpcs.push(`${params?.dcId ? `dc${params.dcId} ` : ""}${request._}`);
        if (request._ === "upload.getFile") counters.getFileDcs.add(params?.dcId ?? homeDc);
        try {
            return await call(request, params);
        } catch (error) {
            // mtcute rewrites the text to "FILE_MIGRATE_%d" and keeps the number in newDc.
            if (String(error?.text).startsWith("FILE_MIGRATE_")) counters.fileMigrates++;
            throw error;
        }
    };
    try {
        await client.prepare();
        result.rsa_fingerprint = await registerEmulatorKey(client, ready.pem, ready.fingerprint);
        const started = process.hrtime.bigint();
        const me = await client.start({ botToken: ready.botToken });
        if (!me || !me.isBot) throw new InteropError(`after auth.importBotAuthorization the user is not a bot`);
        if (String(me.id) !== ready.botToken.split(":", 1)[0]) {
            throw new InteropError(`bot user id ${me.id} does not match the token's ${ready.botToken.split(":", 1)[0]}`);
        }
        result.bot_user_id = String(me.id);

        let got;
        const viaLink = args.scenario === "link" || (["flood", "migrate"].includes(args.scenario) && args.via === "link");
        if (viaLink) {
            const [, username, idText] = LINK_RE.exec(fixture.link);
            const [message] = await client.getMessages(username, [Number(idText)]);
            if (!message) throw new InteropError(`channels.getMessages returned no message ${idText} in @${username}`);
            const media = message.media;
            if (!media || !("fileSize" in media)) throw new InteropError(`message ${idText} has no downloadable media`);
            if (Number(media.fileSize) !== fixture.size) {
                throw new InteropError(`message ${idText} carries ${media.fileSize} bytes, the ready file says ${fixture.size}`);
            }
            result.path = `contacts.resolveUsername @${username} -> channels.getMessages ${idText} -> downloadAsIterable`;
            got = await sha256Of(client.downloadAsIterable(media));
        } else {
            // No dcId: the request goes to the home DC, which answers FILE_MIGRATE_X for other DCs.
            const location = {
                _: "inputDocumentFileLocation",
                id: Long.fromString(fixture.documentId),
                accessHash: Long.fromString(fixture.accessHash),
                fileReference: fixture.fileReference,
                thumbSize: "",
            };
            result.path = "upload.getFile on InputDocumentFileLocation from the ready file";
            got = await sha256Of(client.downloadAsIterable(location, { fileSize: fixture.size, partSize: args.partSizeKb }));
        }
        result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
        result.downloaded = got.size;
        result.sha256 = got.sha256;
        if (got.size !== fixture.size) throw new InteropError(`downloaded ${got.size} bytes, the ready file says ${fixture.size}`);
        if (got.sha256 !== fixture.sha256) throw new InteropError(`SHA-256 ${got.sha256} != ready file ${fixture.sha256}`);
        if (args.scenario === "flood" && counters.floodWaits < args.minFloodWaits) {
            throw new InteropError(`saw ${counters.floodWaits} flood waits, expected at least ${args.minFloodWaits}: ` +
                "was the emulator started with --flood-every?");
        }
        // A file on another DC must come from that DC: by FILE_MIGRATE_X on the direct path (the
        // request goes to the home DC), by the document's dc_id on the link path (as official
        // clients do, mtcute then asks that DC first).
        result.get_file_dcs = [...counters.getFileDcs].sort((a, b) => a - b);
        if (args.scenario === "migrate" && !counters.getFileDcs.has(fixture.dc)) {
            throw new InteropError(`no upload.getFile went to DC ${fixture.dc}, where the file is`);
        }
        if (args.scenario === "migrate" && !viaLink && counters.fileMigrates < 1) {
            throw new InteropError("the home DC never answered FILE_MIGRATE_X for a file on another DC");
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
    console.log = (...items) => console.error(...items);
    const result = { client: "mtcute", version: MTCUTE_VERSION, layer: tl.LAYER, transport: args.transport, scenario: args.scenario, ok: false };
    const counters = { floodWaits: 0, fileMigrates: 0, rpcs: [], getFileDcs: new Set() };
    let backgroundErrors = 0;
    process.on("unhandledRejection", (error) => {
        backgroundErrors++;
        process.stderr.write(`unhandled rejection inside mtcute: ${error && error.stack ? error.stack : error}\n`);
    });
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new InteropError(`timed out after ${args.timeout} s`)), args.timeout * 1000);
    });
    try {
        await Promise.race([run(args, result, counters), timeout]);
        result.ok = true;
    } catch (error) {
        result.error = error instanceof InteropError ? error.message
            : `${error?.constructor?.name ?? "Error"}: ${error?.message ?? error}`;
    } finally {
        clearTimeout(timer);
    }
    result.flood_waits = counters.floodWaits;
    result.file_migrates = counters.fileMigrates;
    result.background_errors = backgroundErrors;
    const rpcs = [];
    for (const entry of counters.rpcs) {
        if (rpcs.length && rpcs[rpcs.length - 1][0] === entry) rpcs[rpcs.length - 1][1]++;
        else rpcs.push([entry, 1]);
    }
    result.rpcs = rpcs.map(([entry, n]) => (n === 1 ? entry : `${entry} x${n}`));
    const ordered = Object.fromEntries(Object.keys(result).sort().map((k) => [k, result[k]]));
    process.stdout.write(JSON.stringify(ordered) + "\n", () => process.exit(result.ok ? 0 : 1));
}

main();

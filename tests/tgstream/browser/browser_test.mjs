// tgstream's web page in a real browser: Debian's chromium driven by Playwright (playwright-core,
// which downloads no browser), against the built tgstream and mtproto-testdc serving a real video
// made here with ffmpeg. A person's path through the page: paste a link, see the card, play the
// video and seek (currentTime must advance past the seek point, served by Range requests), download
// it both ways (the browser's own download, and the streamed save with progress) and compare
// bytes with the emulator's SHA-256; the page is keyboard-usable, fits a phone, registers its
// service worker, caches only the shell and opens offline.
//
// Usage: node browser_test.mjs --tgstream BIN --testdc BIN [--screenshot PNG] [--chromium PATH]
// Exit 77 (skipped) when chromium or playwright-core is not installed (scripts/test.sh installs both).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const SKIP = 77;
const { values: args } = parseArgs({
  options: {
    tgstream: { type: 'string' },
    testdc: { type: 'string' },
    screenshot: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.tgstream || !args.testdc) {
  console.error('usage: node browser_test.mjs --tgstream BIN --testdc BIN [--screenshot PNG]');
  process.exit(2);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.log('skipped: playwright-core is not installed (npm ci in tests/tgstream/browser)');
  process.exit(SKIP);
}
if (!existsSync(args.chromium)) {
  console.log(`skipped: no browser at ${args.chromium} (apt-get install chromium)`);
  process.exit(SKIP);
}

const failures = [];
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures.push(what);
  return ok;
}

const work = mkdtempSync(join(tmpdir(), 'tgstream-browser-'));
const children = [];
function start(command, argv, name) {
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  child.log = () => `${name}: ${log}`;
  children.push(child);
  return child;
}
async function ready(path, child) {
  for (let waited = 0; waited < 60000; waited += 50) {
    if (existsSync(path)) {
      try { return JSON.parse(readFileSync(path, 'utf8')); } catch (e) { /* written atomically: retry */ }
    }
    if (child.exitCode !== null) throw new Error(`exited early\n${child.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not ready after 60 s\n${child.log()}`);
}

let browser;
try {
  // Six seconds of VP9 + Opus: a format every build of chromium plays, long enough to seek in.
  const clip = join(work, 'clip.webm');
  const made = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6',
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '25',
    '-c:a', 'libopus', '-b:a', '48k', clip]);
  if (made.status !== 0) throw new Error('ffmpeg could not make the test video: ' + made.stderr);
  const clipHash = createHash('sha256').update(readFileSync(clip)).digest('hex');
  const name = 'Sea clip.webm';
  // Matroska with two audio tracks: played through the gateway's remux to fragmented MP4.
  const film = join(work, 'film.mkv');
  const madeFilm = spawnSync('ffmpeg', ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=4', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4',
    '-f', 'lavfi', '-i', 'sine=frequency=220:duration=4', '-map', '0:v', '-map', '1:a', '-map', '2:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25', '-c:a:0', 'aac', '-c:a:1', 'libopus',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', film]);
  if (madeFilm.status !== 0) throw new Error('ffmpeg could not make the MKV: ' + madeFilm.stderr);

  const dcReady = join(work, 'dc.json');
  const dc = start(args.testdc, ['--ready-file', dcReady, '--max-seconds', '300', '--media', `${name}=${clip}`,
    '--media', `Film.mkv=${film}`], 'mtproto-testdc');
  const published = await ready(dcReady, dc);
  const entry = published.files.find((f) => f.name === name);
  check(entry && entry.sha256 === clipHash, 'the emulator publishes the video with its SHA-256');

  const gwReady = join(work, 'gw.json');
  const gw = start(args.tgstream, ['--listen', '127.0.0.1:0', '--dc-config', dcReady, '--bot-token', published.bot_token,
    '--ready-file', gwReady, '--quiet', '--rate-limit', '0'], 'tgstream');
  const { url } = await ready(gwReady, gw);

  browser = await chromium.launch({
    executablePath: args.chromium,
    args: ['--no-sandbox', '--mute-audio', '--autoplay-policy=no-user-gesture-required'],
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 900, height: 900 } });
  // The browser's own download first: without the File System Access API the link downloads.
  await context.addInitScript(() => { delete window.showSaveFilePicker; });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    // The bad link's 400 is the answer the page expects (and explains); any other error is not.
    const expected = m.location().url.includes('/api/resolve') && m.text().includes('status of 400');
    if (m.type() === 'error' && !expected) pageErrors.push(m.text());
  });

  await page.goto(url + '/');
  check((await page.title()) === 'tgstream', 'the page loads');
  const box = page.getByLabel('Telegram message link');
  check(await box.isVisible(), 'the link box is labelled for screen readers');

  // Keyboard only: Tab into the box, type, Enter.
  await page.keyboard.press('Tab');
  check(await box.evaluate((el) => el === document.activeElement), 'Tab reaches the link box first');
  await page.keyboard.type('not a link');
  await page.keyboard.press('Enter');
  const status = page.locator('#status');
  await status.filter({ hasText: 'not a Telegram message link' }).waitFor({ timeout: 15000 });
  check(true, 'a bad link gets an error in words');
  check(await page.locator('#card').isHidden(), 'no card for a bad link');

  await box.fill(entry.link.replace('https://', ''));
  await page.keyboard.press('Enter');
  const card = page.locator('#card');
  await card.waitFor({ state: 'visible', timeout: 30000 });
  check((await page.locator('#name').textContent()) === name, 'the card names the file');
  const facts = await page.locator('#facts').innerText();
  check(facts.includes('0:06'), `the card gives the duration (${facts.replace(/\s+/g, ' ')})`);
  check(facts.includes('320 × 240'), 'the card gives the resolution');
  check(facts.includes('video/webm'), 'the card gives the type');

  // Play, then seek: the position must move on past the seek point.
  await page.getByRole('button', { name: 'Play' }).click();
  const video = page.locator('#player');
  await page.waitForFunction(() => {
    const v = document.getElementById('player');
    return v.readyState >= 3 && v.currentTime > 0.2;
  }, null, { timeout: 30000 });
  check(true, 'the video plays');
  await video.evaluate((v) => new Promise((resolve) => {
    v.addEventListener('seeked', resolve, { once: true });
    v.currentTime = 4;
  }));
  await page.waitForFunction(() => document.getElementById('player').currentTime > 4.3, null, { timeout: 30000 });
  check(true, 'after a seek to 4 s, currentTime advances past 4.3 s');
  const metrics = await (await fetch(url + '/metrics')).text();
  const partial = metrics.match(/tgstream_responses_total\{status="206"\} (\d+)/);
  check(partial && Number(partial[1]) > 0, `the video element reads through Range requests (206 answers: ${partial ? partial[1] : 'none'})`);
  if (args.screenshot) await page.screenshot({ path: args.screenshot, fullPage: true });

  // The browser's own download.
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30000 }), page.locator('#download').click()]);
  check(download.suggestedFilename() === name, `the download is named ${name}`);
  const saved = await download.path();
  check(createHash('sha256').update(readFileSync(saved)).digest('hex') === clipHash, 'the downloaded bytes are the original');

  // The streamed save with progress, through a stand-in for the file picker that hashes what it is given.
  const saver = await context.newPage();
  await saver.addInitScript(() => {
    window.saved = { chunks: [], closed: false };
    window.showSaveFilePicker = async () => ({
      createWritable: async () => ({
        write: async (chunk) => { window.saved.chunks.push(new Uint8Array(chunk)); },
        close: async () => { window.saved.closed = true; },
        abort: async () => { window.saved.aborted = true; },
      }),
    });
  });
  await saver.goto(url + '/?link=' + encodeURIComponent(entry.link));  // a shared link opens itself
  await saver.locator('#card').waitFor({ state: 'visible', timeout: 30000 });
  await saver.locator('#download').click();
  await saver.locator('#progress-text').filter({ hasText: 'Saved' }).waitFor({ timeout: 30000 });
  const streamed = await saver.evaluate(async () => {
    const total = window.saved.chunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of window.saved.chunks) { all.set(c, at); at += c.length; }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
    return { closed: window.saved.closed, progress: document.getElementById('progress').value,
      hash: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  });
  check(streamed.closed && streamed.progress === 100, 'the streamed save reaches 100% and closes the file');
  check(streamed.hash === clipHash, 'the streamed save wrote the original bytes');
  await saver.close();

  // A phone's width: nothing wider than the screen.
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `fits a 360 px screen (overflow ${overflow} px)`);

  // The PWA: manifest, service worker, shell cached (never media), offline start.
  const manifest = await (await fetch(url + '/manifest.webmanifest')).json();
  check(manifest.start_url === '/' && manifest.display === 'standalone' && manifest.icons.length > 0, 'the manifest makes it installable');
  const registered = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.ready;
    return Boolean(r.active);
  });
  check(registered, 'the service worker is active');
  const cached = await page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys())
      for (const request of await (await caches.open(name)).keys()) out.push(new URL(request.url).pathname);
    return out;
  });
  check(cached.includes('/') && cached.includes('/app.js'), `the shell is cached (${cached.join(' ')})`);
  check(!cached.some((p) => p.startsWith('/dl/') || p.startsWith('/api/')), 'no media or API answer is cached');
  // An MKV with two audio tracks: the card offers the tracks, Play streams the remuxed MP4.
  const filmEntry = published.files.find((f) => f.name === 'Film.mkv');
  await page.setViewportSize({ width: 900, height: 900 });
  await page.getByLabel('Telegram message link').fill(filmEntry.link);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.locator('#name').filter({ hasText: 'Film.mkv' }).waitFor({ timeout: 30000 });
  const picker = page.getByLabel('Audio track');
  await picker.waitFor({ state: 'visible', timeout: 30000 });
  const options = await picker.locator('option').allInnerTexts();
  check(options.length === 2 && options[1].includes('opus'), `the card offers both audio tracks (${options.join(' | ')})`);
  await picker.selectOption('1');
  await page.getByRole('button', { name: 'Play' }).click();
  await page.waitForFunction(() => {
    const v = document.getElementById('player');
    return v.readyState >= 3 && v.currentTime > 0.5;
  }, null, { timeout: 30000 });
  const playing = await page.evaluate(() => document.getElementById('player').currentSrc);
  check(playing.includes('format=mp4&audio=1'), 'the MKV plays remuxed to MP4 with the second audio track');
  const remuxed = await (await fetch(url + '/metrics')).text();
  check(/tgstream_remux_sessions_total [1-9]/.test(remuxed), 'the gateway counted the remux');

  await context.setOffline(true);
  await page.reload();
  check(await page.getByLabel('Telegram message link').isVisible(), 'the page opens offline from the cache');
  await context.setOffline(false);

  check(pageErrors.length === 0, `no script errors (${pageErrors.join('; ')})`);
} catch (e) {
  check(false, 'the run: ' + (e && e.stack ? e.stack : e));
  for (const c of children) console.log(c.log());
} finally {
  if (browser) await browser.close();
  for (const c of children) c.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`${failures.length} failed`);
  process.exit(1);
}
console.log('all passed');

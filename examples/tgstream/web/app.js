// tgstream's page: a message link in, a card out (GET /api/resolve), then the original file through
// its signed URL: the browser's own download, a streamed save with progress where the browser can
// write files (File System Access API), or playback that seeks with Range requests.

const $ = (id) => document.getElementById(id);

const words = {
  missing_link: 'Paste a message link first.',
  bad_link: 'That is not a Telegram message link. Links look like https://t.me/channel/123.',
  channel_not_found: 'No public channel or group has that name.',
  not_a_member: 'That chat is private, and this gateway is not in it.',
  message_not_found: 'That message does not exist, or it was deleted.',
  no_media: 'That message has no video, music or file in it.',
  no_such_item: 'That album has fewer items.',
  channel_not_allowed: 'This gateway does not serve that channel.',
  file_too_large: 'The file is larger than this gateway serves.',
  file_gone: 'Telegram no longer has that file.',
  too_many_requests: 'Too many requests from you just now. Wait a moment, then try again.',
  too_many_streams: 'You have too many downloads running. Let one finish, then try again.',
  flood_wait: 'Telegram asked the gateway to slow down. Try again in a minute.',
  upstream_error: 'Telegram did not answer as expected. Try again later.',
  expired_token: 'This download link has expired. Open the message again.',
  shutting_down: 'The gateway is restarting. Try again in a moment.',
};

/** The sentence for an error answer of the gateway ({"error": {"code", "message"}}). */
function describe(status, body) {
  const code = body && body.error && body.error.code;
  if (code && words[code]) return words[code];
  if (body && body.error && body.error.message) return 'The gateway says: ' + body.error.message + '.';
  return 'Something went wrong (HTTP ' + status + '). Try again.';
}

const unreachable = 'The gateway cannot be reached. Check your connection, then try again.';

function bytes(n) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; ++i; }
  return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
}

function clock(seconds) {
  const s = Math.round(seconds);
  const two = (v) => String(v).padStart(2, '0');
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return (h ? h + ':' + two(m) : String(m)) + ':' + two(s % 60);
}

function say(text, isError) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', Boolean(isError));
}

let current = null;  // the card on show: the gateway's answer and the link it came from

async function resolve(link, item, tracks) {
  const query = new URLSearchParams({ link });
  if (item) query.set('item', String(item));
  if (tracks) query.set('tracks', '1');
  let response;
  try {
    response = await fetch('/api/resolve?' + query, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new Error(unreachable);
  }
  let body = null;
  try { body = await response.json(); } catch (e) { /* not JSON: described by its status */ }
  if (!response.ok || !body) throw new Error(describe(response.status, body));
  return body;
}

function fact(list, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  list.append(dt, dd);
}

function show(card, link) {
  current = { card, link };
  $('name').textContent = card.name;
  const facts = $('facts');
  facts.replaceChildren();
  fact(facts, 'Size', bytes(card.size));
  fact(facts, 'Type', card.mime_type || 'unknown');
  if (card.duration) fact(facts, 'Duration', clock(card.duration));
  if (card.width && card.height) fact(facts, 'Resolution', card.width + ' × ' + card.height);

  const picker = $('item-picker');
  picker.hidden = !(card.items > 1);
  if (card.items > 1) {
    const select = $('item');
    select.replaceChildren();
    for (let i = 0; i < card.items; ++i) select.add(new Option((i + 1) + ' of ' + card.items, String(i)));
    select.value = String(card.item);
  }
  const download = $('download');
  download.href = card.download_url;
  download.setAttribute('download', card.name);
  const player = $('player');
  player.pause();
  player.removeAttribute('src');
  player.load();
  player.hidden = true;
  $('track-picker').hidden = true;
  $('play').hidden = !playable(card);
  $('saving').hidden = true;
  $('card').hidden = false;
  if (needsRemux(card)) learnTracks(card, link);
}

/** Containers browsers do not reliably play from a URL (MKV, AVI, ...): played remuxed to MP4. */
function needsRemux(card) {
  const type = card.mime_type || '';
  return type.startsWith('video/') && type !== 'video/mp4' && type !== 'video/webm';
}

function playable(card) {
  const type = card.mime_type || '';
  if (card.remux_url) return true;
  if (!type.startsWith('video/') && !type.startsWith('audio/')) return false;
  return !needsRemux(card) && $('player').canPlayType(type) !== '';
}

const languageCodes = { eng: 'en', fra: 'fr', fre: 'fr', deu: 'de', ger: 'de', spa: 'es', ita: 'it', por: 'pt', rus: 'ru',
  ukr: 'uk', pol: 'pl', nld: 'nl', dut: 'nl', tur: 'tr', ara: 'ar', hin: 'hi', jpn: 'ja', kor: 'ko', zho: 'zh', chi: 'zh' };

function trackLabel(track) {
  let language = track.language || '';
  try {
    if (language && language !== 'und') language = new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' }).of(languageCodes[language] || language);
  } catch (e) { /* an odd tag: shown as it is */ }
  const parts = [track.title, language && language !== 'und' ? language : '', track.codec].filter(Boolean);
  return (track.index + 1) + ': ' + parts.join(', ');
}

/** Asks the gateway for the file's streams (it reads the file's first megabytes), then offers
 *  the remuxed stream and, when there are several, the audio track. */
async function learnTracks(card, link) {
  let full;
  try {
    full = await resolve(link, card.item, true);
  } catch (e) {
    return;  // the card stays as it is; Download still works
  }
  if (!current || current.card !== card) return;  // another card is on show now
  current.card = Object.assign({}, card, full);
  const tracks = full.audio_tracks || [];
  if (tracks.length) fact($('facts'), 'Audio', tracks.length === 1 ? trackLabel(tracks[0]) : tracks.length + ' tracks');
  if (full.remux_url && tracks.length > 1) {
    const select = $('track');
    select.replaceChildren();
    for (const t of tracks) select.add(new Option(trackLabel(t), String(t.index), t.default, t.default));
    $('track-picker').hidden = false;
  }
  $('play').hidden = !playable(current.card);
  if (!full.remux_url && full.remux_problem) say('This browser cannot play the file (' + full.remux_problem + '). Download it instead.');
}

function playUrl() {
  const card = current.card;
  if (!card.remux_url) return card.download_url;
  const picker = $('track-picker');
  return card.remux_url + (picker.hidden ? '' : '&audio=' + encodeURIComponent($('track').value));
}

async function openLink(event) {
  if (event) event.preventDefault();
  const link = $('link').value.trim();
  if (!link) { say(words.missing_link, true); $('link').focus(); return; }
  say('Looking up the message…');
  $('card').hidden = true;
  try {
    show(await resolve(link, 0), link);
    say('');
    $('name').focus();
  } catch (e) {
    say(e.message, true);
  }
}

async function pickItem() {
  if (!current) return;
  say('Looking up the item…');
  try {
    show(await resolve(current.link, Number($('item').value)), current.link);
    say('');
  } catch (e) {
    say(e.message, true);
  }
}

function play() {
  if (!current) return;
  const player = $('player');
  player.hidden = false;
  player.src = playUrl();
  player.play().catch(() => { /* the controls are there; the browser said why in its own UI */ });
}

/** Streams the file into a file the person picked, with progress; memory stays one chunk. */
async function save(event) {
  if (!current || typeof window.showSaveFilePicker !== 'function') return;  // the browser downloads it
  event.preventDefault();
  const card = current.card;
  let handle;
  try {
    handle = await window.showSaveFilePicker({ suggestedName: card.name });
  } catch (e) {
    if (e && e.name === 'AbortError') return;  // the person closed the dialog
    throw e;
  }
  const sink = await handle.createWritable();
  const progress = $('progress'), text = $('progress-text');
  $('saving').hidden = false;
  progress.value = 0;
  text.textContent = 'Starting…';
  try {
    let response;
    try { response = await fetch(card.download_url); } catch (e) { throw new Error(unreachable); }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (e) { /* described by its status */ }
      throw new Error(describe(response.status, body));
    }
    const total = Number(response.headers.get('Content-Length')) || card.size;
    const reader = response.body.getReader();
    let received = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      await sink.write(value);
      received += value.byteLength;
      progress.value = total ? Math.min(100, (100 * received) / total) : 0;
      text.textContent = bytes(received) + ' of ' + bytes(total);
    }
    if (received !== total) throw new Error('The download stopped early. Try again.');
    await sink.close();
    progress.value = 100;
    text.textContent = 'Saved ' + card.name + ' (' + bytes(received) + ').';
  } catch (e) {
    try { await sink.abort(); } catch (ignored) { /* already closed */ }
    text.textContent = '';
    $('saving').hidden = true;
    say(e && e.message ? e.message : unreachable, true);
  }
}

$('open').addEventListener('submit', openLink);
$('item').addEventListener('change', pickItem);
$('track').addEventListener('change', () => { if (!$('player').hidden) play(); });
$('play').addEventListener('click', play);
$('download').addEventListener('click', (event) => { save(event).catch((e) => say(e.message, true)); });
$('player').addEventListener('error', () => {
  if ($('player').getAttribute('src')) say('This browser cannot play the file. Download it instead.', true);
});

// A shared or bookmarked link (/?link=...; the manifest's share target sends text and url too).
const given = new URLSearchParams(location.search);
const shared = given.get('link') || given.get('url') || given.get('text');
if (shared) {
  $('link').value = shared.trim();
  openLink();
}

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => { /* the page works without it */ });

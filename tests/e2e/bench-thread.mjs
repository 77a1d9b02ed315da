// Thread page timing (not a test): how long a 50-post thread takes to show
// in a browser, and how big the app's downloads are.
//
//   node bench-thread.mjs [--runs N] [--posts N]
//
// Needs the same environment as the tests (QUORUM_E2E_URL,
// QUORUM_E2E_ADMIN_PASSWORD); `cargo xtask bench-thread` sets it up against
// a fresh release server on SQLite.
//
// Each run opens a new browser context (empty HTTP cache, no session) and
// measures from the start of `page.goto('/t/{id}')` to the moment the last
// `article.post` is visible, as seen by the page itself (performance.now()
// at the first animation frame where it is visible, i.e. time since
// navigation start) and as seen from outside (wall clock around goto + wait).

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gzipSync, gunzipSync, brotliDecompressSync, inflateSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import {
  BASE_URL,
  api,
  createCategory,
  createReply,
  createThread,
  createUser,
  launchBrowser,
  newContext,
  suffix,
} from './lib.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    posts: { type: 'string', default: '50' },
  },
});
const RUNS = Number(values.runs);
const POSTS = Number(values.posts);
const WAIT = 60_000;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(0).padStart(6)} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KiB`;

async function makeThread() {
  const id = suffix();
  const admin = await api.adminToken();
  const author = await createUser(admin, 'bench');
  const slug = `bench-${id}`;
  await createCategory(admin, { slug, name: `Bench ${id}`, description: 'Thread page timing' });
  const paragraph =
    'A co-operative is an autonomous association of persons united voluntarily to meet their common ' +
    'economic, social and cultural needs and aspirations through a jointly owned and democratically ' +
    'controlled enterprise.';
  const body = (n) => `**Post ${n}.** ${paragraph}\n\n- one point\n- another point\n\n${paragraph}`;
  const { thread } = await createThread(author.token, { category: slug, title: `Fifty posts ${id}`, body: body(1) });
  for (let n = 2; n <= POSTS; n++) await createReply(author.token, thread.id, { body: body(n) });
  return thread;
}

async function measure(browser, threadId) {
  const context = await newContext(browser);
  const page = await context.newPage();
  try {
    const started = performance.now();
    await page.goto(`/t/${threadId}`, { waitUntil: 'commit' });
    const inPage = await page
      .waitForFunction(
        (count) => {
          const posts = document.querySelectorAll('article.post');
          const last = posts[count - 1];
          if (!last) return false;
          const box = last.getBoundingClientRect();
          const style = getComputedStyle(last);
          return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' ? performance.now() : false;
        },
        POSTS,
        { polling: 'raf', timeout: WAIT },
      )
      .then((handle) => handle.jsonValue())
      .catch(async (error) => {
        const shown = await page.locator('article.post').count();
        throw new Error(`post ${POSTS} never became visible (the page shows ${shown} posts): ${error.message}`);
      });
    const wall = performance.now() - started;
    const timings = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]?.toJSON() ?? {};
      const resources = performance.getEntriesByType('resource').map((r) => ({
        name: r.name,
        type: r.initiatorType,
        start: r.startTime,
        duration: r.duration,
        end: r.responseEnd,
        transfer: r.transferSize,
        encoded: r.encodedBodySize,
        decoded: r.decodedBodySize,
      }));
      return { nav, resources };
    });
    return { wall, inPage, ...timings };
  } finally {
    await context.close();
  }
}

/** GET with a given Accept-Encoding; the raw (still encoded) body and its encoding. */
function rawGet(url, acceptEncoding) {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(
      url,
      { headers: { 'Accept-Encoding': acceptEncoding } },
      (response) => {
        const chunks = [];
        response.on('data', (c) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            encoding: response.headers['content-encoding'] || 'identity',
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

function decode(body, encoding) {
  switch (encoding) {
    case 'gzip':
      return gunzipSync(body);
    case 'br':
      return brotliDecompressSync(body);
    case 'deflate':
      return inflateSync(body);
    default:
      return body;
  }
}

async function assetSizes(resources) {
  const urls = [...new Set(resources.map((r) => r.name))]
    .filter((u) => u.startsWith(BASE_URL) && /\.(wasm|js|mjs)(\?|$)/.test(u))
    .sort();
  const rows = [];
  for (const url of urls) {
    const served = await rawGet(url, 'gzip');
    const plain = decode(served.body, served.encoding);
    rows.push({
      path: url.slice(BASE_URL.length),
      raw: plain.length,
      served: served.body.length,
      encoding: served.encoding,
      gzip: gzipSync(plain).length, // zlib's default level (6)
    });
  }
  return rows;
}

async function main() {
  console.log(`server: ${BASE_URL}`);
  console.log(`creating a thread of ${POSTS} posts through the API...`);
  const thread = await makeThread();
  console.log(`thread /t/${thread.id}\n`);

  const browser = await launchBrowser();
  const runs = [];
  try {
    for (let i = 1; i <= RUNS; i++) {
      const run = await measure(browser, thread.id);
      runs.push(run);
      const api = run.resources.filter((r) => r.name.includes('/api/'));
      const wasm = run.resources.filter((r) => /\.wasm(\?|$)/.test(r.name));
      const js = run.resources.filter((r) => /\.m?js(\?|$)/.test(r.name));
      const lastApi = Math.max(0, ...api.map((r) => r.end));
      console.log(
        `run ${i}: post ${POSTS} visible at ${ms(run.inPage)} after navigation start ` +
          `(wall ${ms(run.wall)}) | document ${ms(run.nav.responseEnd ?? 0)}, ` +
          `DOMContentLoaded ${ms(run.nav.domContentLoadedEventEnd ?? 0)}, load ${ms(run.nav.loadEventEnd ?? 0)} | ` +
          `${js.length} js ${ms(Math.max(0, ...js.map((r) => r.end)))}, ` +
          `${wasm.length} wasm ${ms(Math.max(0, ...wasm.map((r) => r.end)))}, ` +
          `${api.length} API requests, last done ${ms(lastApi)}`,
      );
    }
  } finally {
    await browser.close();
  }

  console.log(`\nmedian over ${RUNS} runs (fresh context each: empty cache, signed out):`);
  console.log(`  post ${POSTS} visible, from navigation start (in page): ${ms(median(runs.map((r) => r.inPage)))}`);
  console.log(`  post ${POSTS} visible, goto start to visible (wall):   ${ms(median(runs.map((r) => r.wall)))}`);
  console.log(`  document responseEnd:                                ${ms(median(runs.map((r) => r.nav.responseEnd ?? 0)))}`);
  console.log(`  DOMContentLoaded:                                    ${ms(median(runs.map((r) => r.nav.domContentLoadedEventEnd ?? 0)))}`);
  console.log(`  load event:                                          ${ms(median(runs.map((r) => r.nav.loadEventEnd ?? 0)))}`);

  console.log('\nresources of the last run (start → end, transfer size):');
  for (const r of runs.at(-1).resources) {
    console.log(
      `  ${r.type.padEnd(14)} ${ms(r.start)} → ${ms(r.end)}  ${kb(r.transfer).padStart(10)}  ${r.name.slice(BASE_URL.length)}`,
    );
  }

  const sizes = await assetSizes(runs.flatMap((r) => r.resources));
  console.log('\nasset sizes: raw; as served to `Accept-Encoding: gzip`; gzip in node (zlib, default level 6):');
  let totalServed = 0;
  let totalGzip = 0;
  for (const s of sizes) {
    totalServed += s.served;
    totalGzip += s.gzip;
    console.log(
      `  ${s.path.padEnd(48)} raw ${kb(s.raw).padStart(10)}  served ${kb(s.served).padStart(10)} (${s.encoding})  ` +
        `gzip ${kb(s.gzip).padStart(10)}`,
    );
  }
  console.log(`  total .js + .wasm: served ${kb(totalServed)}, gzip in node ${kb(totalGzip)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

// Attachments: a member attaches an image and a PDF to a reply (the Attach
// button's file input, paste and drop), the image shows inline and the
// PDF as a link; a member outside the post's audience gets 404 for the
// file's URL, and so does one the audience no longer admits after it narrows.

import { before } from 'node:test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  BASE_URL,
  GROUPS,
  api,
  browserTest,
  createCategory,
  createThread,
  createUser,
  ensureGroups,
  postWith,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
} from './lib.mjs';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Fails on any axe violation on the page as it is now. */
async function checkAxe(page, where) {
  // Evaluated through the DevTools protocol: the app's CSP does not apply.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  if (violations.length) throw new Error(`axe on ${where}:\n${violations.join('\n')}`);
}

// A real 16×16 red PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGP4z8BAEmIY1TCqYfhqAACQ+f8B3R2ZNQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const id = suffix();
const members = [GROUPS.workers.slug, GROUPS.participants.slug];
const category = { slug: `files-${id}`, name: `Files ${id}`, audience: members, posters: members };
const title = `Site visit ${id}`;
let admin;
let author;
let worker;
let participant;
let threadId;
const urls = {};

before(async () => {
  admin = await api.adminToken();
  await ensureGroups(admin);
  author = await createUser(admin, 'author', { groups: [GROUPS.workers.slug] });
  worker = await createUser(admin, 'worker', { groups: [GROUPS.workers.slug] });
  participant = await createUser(admin, 'participant', { groups: [GROUPS.participants.slug] });
  await createCategory(admin, { ...category, description: 'Photos and reports' });
  const { thread } = await createThread(author.token, { category: category.slug, title, body: `Notes from the visit ${id}` });
  threadId = thread.id;
});

const composer = (page) => page.getByRole('region', { name: 'Reply' });
const replyBox = (page) => page.getByLabel('Your reply');

/** Waits until the reply box holds a reference to an uploaded file named `name`. */
async function waitForReference(page, name) {
  const pattern = new RegExp(`\\]\\((/api/v1/uploads/[0-9a-f]{32}/${name.replace('.', '\\.')})\\)`);
  await page.waitForFunction(
    ({ source }) => new RegExp(source).test(document.querySelector('textarea[name="reply"]')?.value ?? ''),
    { source: pattern.source },
  );
  return (await replyBox(page).inputValue()).match(pattern)[1];
}

/** Whether the `<img>` has loaded (the browser sent its cookie, the server answered the picture). */
async function imageLoaded(image) {
  await image.waitFor();
  return image.evaluate(async (img) => {
    if (!img.complete) {
      await new Promise((done) => {
        img.addEventListener('load', done, { once: true });
        img.addEventListener('error', done, { once: true });
      });
    }
    return img.naturalWidth > 0;
  });
}

browserTest('an author attaches a picture and a report with the Attach button', async ({ page }) => {
  await signIn(page, author);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);

  const attach = composer(page).getByRole('button', { name: 'Attach file' });
  await waitFor(attach);
  // The button is reached by keyboard and opens the file chooser.
  await attach.focus();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
  await chooser.setFiles([
    { name: 'site-visit.png', mimeType: 'image/png', buffer: PNG },
    { name: 'board-report.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  urls.picture = await waitForReference(page, 'site-visit.png');
  urls.report = await waitForReference(page, 'board-report.pdf');
  const text = await replyBox(page).inputValue();
  if (!text.includes(`![site-visit.png](${urls.picture})`) || !text.includes(`[board-report.pdf](${urls.report})`)) {
    throw new Error(`the reply box holds ${JSON.stringify(text)}`);
  }
  await checkAxe(page, 'the composer with attachments');

  // A file the server refuses is named, with the reason.
  await composer(page).locator('input[type="file"]').setInputFiles({
    name: 'page.html',
    mimeType: 'text/html',
    buffer: Buffer.from('<!DOCTYPE html><script>alert(1)</script>'),
  });
  await waitFor(composer(page).getByText(/page\.html was not attached: only images/));

  await replyBox(page).fill(`Photos and the report ${id}\n\n![site-visit.png](${urls.picture})\n\n[board-report.pdf](${urls.report})`);
  await page.getByRole('button', { name: 'Post reply' }).click();
  const reply = postWith(page, `Photos and the report ${id}`);
  await waitFor(reply);
  const image = reply.locator(`img[src="${urls.picture}"]`);
  if (!(await imageLoaded(image))) throw new Error('the picture did not load in the post');
  await waitFor(reply.getByRole('link', { name: 'board-report.pdf' }));
  await checkAxe(page, 'the thread with the attachments');
  await screenshot(page, 'attachments--inline-picture');
});

browserTest('pasting and dropping a picture attach it too', async ({ page }) => {
  await signIn(page, author);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  const box = replyBox(page);
  await waitFor(box);
  for (const [kind, name] of [
    ['paste', 'pasted.png'],
    ['drop', 'dropped.png'],
  ]) {
    await box.evaluate(
      (el, { kind, name, bytes }) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }));
        const event =
          kind === 'paste'
            ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
            : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
        el.dispatchEvent(event);
      },
      { kind, name, bytes: [...PNG] },
    );
    await waitForReference(page, name);
  }
});

browserTest('a member outside the audience gets 404 for the file, also after the audience narrows', async ({ page }) => {
  if (!urls.picture) throw new Error('the first test did not attach the files');
  // A picture in a reply for the worker members only (uploaded and posted through the API).
  const response = await fetch(`${BASE_URL}/api/v1/uploads?filename=workers-only.png`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${author.token}`, 'Content-Type': 'application/octet-stream' },
    body: PNG,
  });
  if (response.status !== 201) throw new Error(`uploading answered ${response.status}: ${await response.text()}`);
  const workersOnly = await response.json();
  await api.post(
    `/api/v1/threads/${threadId}/posts`,
    { body: `For worker members ${id} ${workersOnly.markdown}`, audience: [GROUPS.workers.slug] },
    author.token,
  );

  // The participant reads the thread, so the picture: it loads in their page.
  await signIn(page, participant);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  const reply = postWith(page, `Photos and the report ${id}`);
  if (!(await imageLoaded(reply.locator(`img[src="${urls.picture}"]`)))) throw new Error('the picture did not load');
  const before = await page.request.get(urls.picture);
  if (before.status() !== 200) throw new Error(`the participant got ${before.status()} for the picture`);
  // Outside the workers-only reply's audience: 404, like a file that does not exist.
  const outside = await page.request.get(workersOnly.url);
  if (outside.status() !== 404) throw new Error(`the participant got ${outside.status()} for a workers-only file`);

  // The category narrows to the worker members: the file is gone for the participant.
  await api.patch(`/api/v1/categories/${category.slug}`, { audience: [GROUPS.workers.slug], posters: [GROUPS.workers.slug] }, admin);
  const after = await page.request.get(urls.picture);
  if (after.status() !== 404) throw new Error(`after narrowing the participant got ${after.status()}`);
  const missing = await page.request.get('/api/v1/uploads/00000000000000000000000000000000/none.png');
  if ((await after.text()) !== (await missing.text())) throw new Error('the 404 differs from that of a missing file');
  await page.goto(urls.picture);
  await screenshot(page, 'attachments--404-after-narrowing');

  // A worker still reads it, in the page.
  const context = page.context();
  await context.clearCookies();
  await signIn(page, worker);
  await page.goto(`/t/${threadId}`);
  await settled(page, title);
  if (!(await imageLoaded(postWith(page, `Photos and the report ${id}`).locator(`img[src="${urls.picture}"]`)))) {
    throw new Error('the worker cannot see the picture');
  }
  const report = await page.request.get(urls.report);
  if (report.status() !== 200 || !(report.headers()['content-disposition'] || '').startsWith('attachment')) {
    throw new Error(`the worker got ${report.status()} ${JSON.stringify(report.headers())} for the report`);
  }
  const theirs = await page.request.get(workersOnly.url);
  if (theirs.status() !== 200) throw new Error(`the worker got ${theirs.status()} for the workers-only file`);
  await checkAxe(page, 'the thread, as a worker');
});

// Forgotten passwords in the browser: the "Forgot password?" link on the
// sign-in page, the request page (the same answer for an account and for
// nobody), the mail read from the server's mail directory, the reset page
// that signs in and signs every other session out, and a link that works
// only once.

import { before } from 'node:test';
import {
  ApiError,
  BASE_URL,
  api,
  browserTest,
  checkAxe,
  createUser,
  expectText,
  mailsTo,
  mainNav,
  poll,
  screenshot,
  settled,
  signIn,
  suffix,
  waitFor,
  waitForMail,
} from './lib.mjs';

const id = suffix();
let admin;
let member;

before(async () => {
  admin = await api.adminToken();
  member = await createUser(admin, 'forgetful');
});

/** The reset link in a mail. */
function resetLink(mail) {
  const match = mail.match(/(https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+)/);
  if (!match) throw new Error(`no reset link in the mail:\n${mail}`);
  return match[1];
}

browserTest('a forgotten password is reset through a mailed link, once', async ({ page }) => {
  await page.goto('/login');
  await settled(page, 'Log in');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await settled(page, 'Forgot password');

  // Nobody: the same answer, and no mail.
  const nobody = `nobody-${id}@example.org`;
  await page.getByLabel('Username or e-mail').fill(nobody);
  await page.getByRole('button', { name: 'Send the link' }).click();
  const status = page.getByRole('status');
  await expectText(status, 'If an account has that username or e-mail address');
  await checkAxe(page, 'forgot password, sent');
  const answerForNobody = await status.innerText();

  await page.getByLabel('Username or e-mail').fill(member.email);
  // Wait for this request's answer: the status still shows the last one.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/password-reset')),
    page.getByRole('button', { name: 'Send the link' }).click(),
  ]);
  await expectText(status, 'If an account has that username or e-mail address');
  if ((await status.innerText()) !== answerForNobody) throw new Error('the answer differs for an existing account');
  await screenshot(page, 'password-reset--request-page');

  const mail = await waitForMail(member.email);
  if (!/Subject: Resetting your password/.test(mail)) throw new Error(`unexpected mail:\n${mail}`);
  if (mailsTo(nobody).length !== 0) throw new Error('a mail went to an address with no account');
  const link = resetLink(mail);

  await page.goto(link);
  await settled(page, 'Choose a new password');
  await screenshot(page, 'password-reset--reset-page');
  // The password rules of registration.
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set password and log in' }).click();
  await expectText(page.locator('#field-new_password-error'), '10');

  const newPassword = `renewed-${id}-passphrase`;
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set password and log in' }).click();
  await waitFor(mainNav(page).getByRole('button', { name: 'Log out' }));
  await poll(() => new URL(page.url()).pathname === '/', () => `expected to land on /, at ${page.url()}`);
  await waitFor(mainNav(page).getByRole('link', { name: member.displayName, exact: true }));

  // Every other session is signed out; the old password is gone.
  const stale = await fetch(`${BASE_URL}/api/v1/me`, { headers: { Authorization: `Bearer ${member.token}` } });
  if (stale.status !== 401) throw new Error(`an old session still works (${stale.status})`);
  await api.login(member.username, member.password).then(
    () => {
      throw new Error('the old password still works');
    },
    (e) => {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
    },
  );
  await api.login(member.username, newPassword);

  // The link works once.
  await mainNav(page).getByRole('button', { name: 'Log out' }).click();
  await waitFor(mainNav(page).getByRole('link', { name: 'Log in', exact: true }));
  await page.goto(link);
  await settled(page, 'Choose a new password');
  await page.getByLabel('New password').fill(`another-${id}-passphrase`);
  await page.getByRole('button', { name: 'Set password and log in' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'does not work' });
  await waitFor(refused);
  await waitFor(refused.getByRole('link', { name: 'Ask for a new link' }));
  await checkAxe(page, 'reset password, link refused');
  await screenshot(page, 'password-reset--link-used');

  await signIn(page, member.username, newPassword);
});

browserTest('the reset page without a link says where to get one', async ({ page }) => {
  await page.goto('/reset-password');
  await settled(page, 'Choose a new password');
  await page.getByRole('link', { name: 'Ask for a link' }).click();
  await settled(page, 'Forgot password');
});

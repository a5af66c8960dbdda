// The merchant console in Chromium, as an owner uses it: set a password from the
// link `lookout user create` prints, sign in, change the accent and see it in the
// preview, create and revoke a key, read the deliveries after a signed webhook,
// find an order and see the audit entry, invite someone by mail and change the team, read the chart, and
// change the password and the language from the account page. Every page passes
// axe at 390 px without scrolling sideways; the same works without JavaScript.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHONE, axe, launchBrowser, lookout, startServer } from './harness.mjs';
import { readMail, startSmtp } from './smtp.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(HERE, '..', 'screenshots');
const PASSWORD = 'four words for lookout';
const NEW_PASSWORD = 'a new passphrase for lookout';

let server;
let browser;
let smtp;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  smtp = await startSmtp();
  server = await startServer({
    args: ['--smtp-url', smtp.url, '--mail-from', 'console@lookout.test', '--mail-retry-secs', '1'],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

/** A new account for the demo shop, with its password set through the printed link. */
async function newAccount(page, email, role, check = false) {
  const out = await lookout(server, ['user', 'create', email, '--shop', 'demo', '--role', role, '--public-url', server.base]);
  const link = out.match(/(http:\/\/\S+\/console\/password\/[0-9a-f]{64})/)[1];
  await page.goto(link);
  if (check) await axe(page, 'set-password page');
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('The same password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Password set' }).waitFor();
  // Setting it signed this browser in; signed out, the test signs in as a merchant would.
  await page.getByText('this browser is signed in with it').waitFor();
  await page.getByRole('link', { name: 'Open the console' }).click();
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

async function signIn(page, email, check = false) {
  await page.goto(`${server.base}/console`);
  if (check) await axe(page, 'sign-in page');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an owner sets up the widget, keys and Shopify, helps a shopper and reads the chart', async () => {
  // A shopper's lookups first, so that the overview has something to count.
  const shopper = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const shop = await shopper.newPage();
  for (const number of ['#1001', '#9999']) {
    await shop.goto(`${server.base}/track/demo`);
    await shop.locator('#email').fill('ada@example.com');
    await shop.locator('#order_number').fill(number);
    await shop.locator('button[type="submit"].primary').click();
    await shop.waitForLoadState();
  }
  await shopper.close();

  const context = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await context.newPage();
  await newAccount(page, 'owner@demo.example', 'owner', true);
  await signIn(page, 'owner@demo.example', true);
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  await axe(page, 'overview');

  // Settings: a new accent, seen in the preview after saving.
  await page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Accent colour').fill('#aa3300');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  // The outcome takes the focus as the page opens, so that a screen reader reads it first.
  assert.match(await page.evaluate(() => document.activeElement?.textContent), /^Saved\./);
  const preview = page.frameLocator('iframe.preview');
  const accent = await preview.locator('button[type="submit"].primary').evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(accent, 'rgb(170, 51, 0)', 'the preview shows the saved accent');
  // At phone width the preview grows to fit the widget, as on a storefront.
  const content = await preview.locator('html').evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  assert.ok(content > 480, `taller than the preview's first 30rem: ${content}px`);
  await page.waitForFunction((h) => document.querySelector('iframe.preview').getBoundingClientRect().height >= h - 2, content);
  assert.match(await page.locator('#snippet').innerText(), /integrity="sha384-/);
  // Its copy button is named for what it copies.
  await page.getByRole('button', { name: 'Copy the script tag' }).waitFor();
  await axe(page, 'settings');
  await page.screenshot({ path: path.join(OUT, 'console-settings-390.png'), fullPage: true });

  // API keys: shown once, then listed by prefix, then revoked.
  await page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill('ERP sync');
  await page.getByRole('button', { name: 'Create a key' }).click();
  const key = (await page.locator('#new-key').innerText()).trim();
  assert.match(key, /^lk_[0-9a-f]{16}_[0-9a-f]{64}$/);
  const prefix = key.slice(3, 19);
  await axe(page, 'keys');
  // A reload sends the same form again: it makes no second key, and says so.
  await page.reload();
  await page.getByText(`This form already made key lk_${prefix}_`).waitFor();
  assert.equal(await page.locator('#new-key').count(), 0, 'no key on the reloaded page');
  assert.equal(await page.locator('tr', { hasText: 'never' }).count(), 1, 'one unused key listed');
  await page.goto(`${server.base}/console/shops/demo/keys`);
  assert.equal(await page.getByText(key).count(), 0, 'the key is not shown again');
  await page.locator('tr', { hasText: prefix }).getByText('ERP sync').waitFor();
  await page.screenshot({ path: path.join(OUT, 'console-keys-390.png'), fullPage: true });
  const row = page.locator('tr', { hasText: prefix });
  // Asked first: the key's own button, named by its prefix, revokes it.
  await row.locator('summary', { hasText: 'Revoke' }).click();
  await row.getByText('Apps that use').waitFor();
  await row.getByRole('button', { name: `Revoke lk_${prefix}_…` }).click();
  await page.getByText(`Key ${prefix} is revoked`).waitFor();
  await page.locator('tr', { hasText: prefix }).getByText('revoked').first().waitFor();

  // Shopify: the signing key Shopify shows, pasted; a delivery signed with it,
  // listed as applied.
  await page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name: 'Shopify' }).click();
  const secret = 'b1946ac92492d2347c6235b4d2611184a4b5c6d7e8f90123456789abcdef0123';
  await page.getByLabel('Signing key from Shopify').fill(secret);
  await page.getByRole('button', { name: 'Save the signing key' }).click();
  await page.getByText("Shopify's signing key is saved.").waitFor();
  const body = readFileSync(path.join(HERE, '../../fixtures/shopify/order.json'));
  const res = await fetch(`${server.base}/api/v1/shops/demo/webhooks/shopify`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'e2e-1',
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    },
    body,
  });
  assert.equal(res.status, 200);
  await page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name: 'Shopify' }).click();
  await page.locator('td.outcome', { hasText: 'applied' }).waitFor();
  await axe(page, 'shopify');

  // Support view: both sides of #1001, and the audit log names who looked.
  await page.getByRole('link', { name: 'Support view' }).click();
  await page.getByLabel('Order number').fill('#1001');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await page.getByRole('heading', { name: 'What the shopper sees' }).waitFor();
  assert.match(await page.locator('pre.doc').innerText(), /Customer called about gift wrap/);
  const shopperSide = await page.locator('.shopper').innerText();
  assert.doesNotMatch(shopperSide, /Customer called about gift wrap|Storgata 1/);
  await axe(page, 'support view');
  await page.screenshot({ path: path.join(OUT, 'console-support-390.png'), fullPage: true });
  // A shopper who writes without their number: their orders by their address.
  await page.getByLabel("Shopper's email address").fill('ada@example.com');
  await page.getByRole('button', { name: 'Find their orders' }).click();
  await page.getByRole('heading', { name: /^Orders with this email address: \d+$/ }).waitFor();
  await axe(page, 'support view, orders by email');
  await page.getByRole('button', { name: 'Open order #1001' }).click();
  await page.getByRole('heading', { name: 'What the shopper sees' }).waitFor();
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('tr', { hasText: 'owner@demo.example' }).getByText('1001').first().waitFor();
  await page.locator('tr', { hasText: 'listed by email' }).first().waitFor();
  await axe(page, 'audit log');

  // A shopper asked for their data to be erased: the owner erases #1011 from
  // the support view, and the shopper's lookup no longer finds it.
  await page.getByRole('link', { name: 'Support view' }).click();
  await page.getByLabel('Order number').fill('#1011');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await page.getByRole('heading', { name: 'Erase this order' }).waitFor();
  await page.getByLabel('I understand that erasing cannot be undone').check();
  await page.getByRole('button', { name: 'Erase order #1011' }).click();
  await page.getByText('The order was erased.').waitFor();
  assert.doesNotMatch(page.url(), /1011/);
  await axe(page, 'support view, erased');
  const asker = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const asking = await asker.newPage();
  await asking.goto(`${server.base}/track/demo`);
  await asking.locator('#email').fill('kari@example.com');
  await asking.locator('#order_number').fill('#1011');
  await asking.locator('button[type="submit"].primary').click();
  await asking.getByText('We could not find an order with that order number and email address.').waitFor();
  await asker.close();

  // The team: someone invited by mail from the phone sets a password from the
  // mail's link, is made owner, then taken away.
  const mailed = smtp.messages.length;
  await page.getByRole('link', { name: 'Team' }).click();
  // Typed on an East Asian keyboard, in full-width letters: the browser sends
  // it (the field is text) and the invitation goes to the ASCII it stands for.
  await page.getByLabel('Email address', { exact: true }).fill('ｈｅｌｐ＠ｄｅｍｏ．ｅｘａｍｐｌｅ');
  assert.equal(await page.getByLabel('Role', { exact: true }).inputValue(), 'staff');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.getByText('The invitation is on its way.').waitFor();
  const helper = page.locator('.team li', { hasText: 'help@demo.example' });
  await helper.getByText('has not opened the shop in Lookout yet').waitFor();
  await axe(page, 'team');
  await page.screenshot({ path: path.join(OUT, 'console-team-390.png'), fullPage: true });
  const mail = readMail((await smtp.waitFor(mailed + 1, 10_000))[mailed]);
  assert.deepEqual(mail.to, ['help@demo.example']);
  const invitation = mail.links.filter((l) => l.includes('/console/password/'));
  assert.equal(invitation.length, 1, mail.text);
  assert.equal(new URL(invitation[0]).origin, server.base);
  const invited = await browser.newContext(PHONE);
  const invitedPage = await invited.newPage();
  await invitedPage.goto(invitation[0]);
  await invitedPage.getByLabel('New password').fill(PASSWORD);
  await invitedPage.getByLabel('The same password again').fill(PASSWORD);
  await invitedPage.getByRole('button', { name: 'Set password' }).click();
  await invitedPage.getByRole('heading', { name: 'Password set' }).waitFor();
  // Setting the password signed the invited browser in: the console opens.
  await invitedPage.getByRole('link', { name: 'Open the console' }).click();
  await invitedPage.getByRole('heading', { name: 'What the widget did' }).waitFor();
  await invited.close();
  await page.reload();
  await helper.getByText('has opened the shop in Lookout').waitFor();
  await helper.getByLabel('Role of help@demo.example').selectOption('owner');
  await helper.getByRole('button', { name: 'Save role' }).click();
  await page.getByText('The account is now an owner of this shop.').waitFor();
  await page.locator('.team li', { hasText: 'help@demo.example' }).getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('heading', { name: 'Remove help@demo.example?' }).waitFor();
  await axe(page, 'team removal');
  await page.getByRole('button', { name: 'Remove' }).click();
  await page.getByText('The account no longer has a role in this shop').waitFor();
  assert.equal(await page.locator('.team li', { hasText: 'help@demo.example' }).count(), 0);

  // Everything changed above, newest first, by whom.
  await page.getByRole('link', { name: 'Changes' }).click();
  await page.getByRole('heading', { name: 'Changes' }).waitFor();
  const changes = (await page.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' '));
  const mine = changes.filter((r) => r.includes('owner@demo.example'));
  assert.match(mine[0], /Took away the role of help@demo\.example/);
  assert.match(mine[1], /Changed the role of help@demo\.example to owner/);
  assert.match(mine[2], /Invited help@demo\.example as staff/);
  assert.ok(mine.some((r) => /Changed the Shopify signing key/.test(r)), changes.join('\n'));
  for (const said of ['Erased order 1011', `Revoked API key ${prefix}`, `Made API key ${prefix} (ERP sync)`, 'Changed the settings: accent colour']) {
    assert.ok(mine.some((r) => r.includes(said)), `${said}:\n${changes.join('\n')}`);
  }
  await axe(page, 'changes');

  // The chart: the shopper's hit and two misses (the second, the erased
  // order), counted within the flush interval (a flush in between shows part
  // of them first, so wait for the whole row).
  const expected = ['1', '2', '0', '1', '33%'];
  let todayRow = [];
  for (let i = 0; i < 30; i++) {
    await page.goto(`${server.base}/console/shops/demo`);
    const cells = page.locator('table.days tbody tr').first().locator('td');
    todayRow = (await cells.allInnerTexts()).map((t) => t.trim());
    if (todayRow.join() === expected.join()) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(todayRow, expected);
  assert.equal(await page.locator('svg.chart rect.found').count(), 30);
  assert.match(await page.locator('svg.chart g title').last().textContent(), /1 found, 2 not found/);
  await page.screenshot({ path: path.join(OUT, 'console-overview-390.png'), fullPage: true });
  await context.close();
});

test('without JavaScript: sign in, save settings, find an order; staff see only theirs', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await newAccount(page, 'staff@demo.example', 'staff');
  await signIn(page, 'staff@demo.example');
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Settings' }).count(), 0, 'staff are not offered settings');
  const settings = await page.goto(`${server.base}/console/shops/demo/settings`);
  assert.equal(settings.status(), 403);
  await page.goto(`${server.base}/console/shops/demo/orders`);
  await page.getByLabel('Order number').fill('1002');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  await page.getByRole('heading', { name: 'What the shopper sees' }).waitFor();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const after = await page.goto(`${server.base}/console/shops/demo/orders`);
  assert.equal(new URL(after.url()).pathname, '/console', 'signed out: back to sign-in');
  await context.close();
});

test('the console speaks the browser language', async () => {
  const context = await browser.newContext({ ...PHONE, locale: 'de-DE', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/console`);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  await page.getByRole('button', { name: 'Anmelden' }).waitFor();
  await axe(page, 'sign-in in German');
  await context.close();
});

test('a merchant who forgot their password sets a new one from a mailed link, on a phone', async () => {
  // axe is injected as a script: the page's own policy allows none inline.
  const context = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await context.newPage();
  await newAccount(page, 'forgetful@demo.example', 'staff');
  await page.goto(`${server.base}/console`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
  await axe(page, 'forgot-password page');
  const mailed = smtp.messages.length;
  await page.getByLabel('Email address').fill('Forgetful@Demo.Example');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByText('a link to set a new password is on its way').waitFor();
  assert.equal(new URL(page.url()).search, '?sent=1', 'no address in the URL');
  await axe(page, 'forgot-password page, sent');
  const mail = readMail((await smtp.waitFor(mailed + 1, 10_000))[mailed]);
  assert.deepEqual(mail.to, ['forgetful@demo.example']);
  const links = mail.links.filter((l) => l.includes('/console/password/'));
  assert.equal(links.length, 1, mail.text);
  await page.goto(links[0]);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('The same password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Password set' }).waitFor();
  await page.getByRole('link', { name: 'Open the console' }).click();
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  // The new password is the one to sign in with.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByLabel('Email address').fill('forgetful@demo.example');
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  await context.close();
});

test('a signed-in merchant changes their password from the header, on a phone', async () => {
  const context = await browser.newContext({ ...PHONE, bypassCSP: true, timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  await newAccount(page, 'changer@demo.example', 'staff');
  await signIn(page, 'changer@demo.example');
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  await page.getByRole('link', { name: 'changer@demo.example' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await axe(page, 'account page');
  // Times are written in UTC; the script shows them in the phone's time zone.
  const since = page.locator('time').first();
  assert.match(await since.getAttribute('title'), / UTC$/);
  const local = await since.textContent();
  assert.match(local, /GMT\+8/);
  const at = new Date(await since.getAttribute('datetime'));
  const hour = String((at.getUTCHours() + 8) % 24).padStart(2, '0');
  assert.ok(local.includes(`${hour}:`), `${local} is not at ${hour} in Shanghai`);
  assert.doesNotMatch(local, /AM|PM/, 'a 24-hour clock, as the UTC time');
  assert.match(local, /^\d{1,2} [A-Z][a-z]{2} \d{4}/, 'the day before the month, as the UTC time');
  // Another browser signed in to the account, listed here and signed out from here.
  const desktop = await browser.newContext({
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  });
  try {
    const other = await desktop.newPage();
    const before = smtp.messages.length;
    await signIn(other, 'changer@demo.example');
    await other.getByRole('heading', { name: 'What the widget did' }).waitFor();
    // A browser new to the account: word of it by mail, naming it.
    const told = readMail((await smtp.waitFor(before + 1, 10_000))[before]);
    assert.deepEqual(told.to, ['changer@demo.example']);
    assert.equal(told.subject, 'New sign-in to your Lookout account');
    assert.match(told.text, /in a browser Lookout had not seen for this account \(Firefox on Windows\)/);
    assert.ok(told.links.some((l) => l.endsWith('/console/forgot')), told.text);
    await page.reload();
    const listed = page.locator('tr', { hasText: 'Firefox on Windows' });
    await listed.waitFor();
    assert.equal(await page.locator('tr', { hasText: 'This browser' }).count(), 1);
    await axe(page, 'account page, two browsers');
    await listed.getByRole('button', { name: /^Sign out Firefox on Windows/ }).click();
    await page.getByRole('status').getByText('That browser was signed out.').waitFor();
    assert.equal(await page.locator('tr', { hasText: 'Firefox on Windows' }).count(), 0);
    await other.goto(`${server.base}/console`);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
  } finally {
    await desktop.close();
  }
  await page.getByLabel('Current password').fill('not the password');
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('The same password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('alert').getByText('The current password is not right.').waitFor();
  await axe(page, 'account page, refused');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByLabel('The same password again').fill(NEW_PASSWORD);
  const mailed = smtp.messages.length;
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('status').getByText('Your password was changed.').waitFor();
  assert.equal(new URL(page.url()).search, '?done=password');
  await axe(page, 'account page, changed');
  const notice = readMail((await smtp.waitFor(mailed + 1, 10_000))[mailed]);
  assert.deepEqual(notice.to, ['changer@demo.example']);
  assert.equal(notice.subject, 'Your Lookout password was changed');
  assert.ok(notice.links.some((l) => l.endsWith('/console/forgot')), notice.text);
  // The account's own language, whatever the browser asks for; then the browser's again.
  await page.getByLabel('Language of the console and of emails to you').selectOption('de');
  await page.getByRole('button', { name: 'Save language' }).click();
  await page.getByRole('status').getByText('Ihre Sprache wurde gespeichert.').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  await axe(page, 'account page, in German');
  await page.getByLabel('Sprache der Konsole und der E-Mails an Sie').selectOption('');
  await page.getByRole('button', { name: 'Sprache speichern' }).click();
  await page.getByRole('status').getByText('Your language was saved.').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByLabel('Email address').fill('changer@demo.example');
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'What the widget did' }).waitFor();
  await context.close();
});

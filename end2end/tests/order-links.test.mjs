// "Don't have your order number?": a shopper on a phone asks for a link to their
// orders by email, with JavaScript off and on, from the tracking page and the
// widget's page. The mail arrives at a small SMTP server (./smtp.mjs); its one
// link opens the list of that address's orders in the first browser only,
// expires, and can be forgotten. An address without orders gets the same answer
// and no mail.
//
// Allowances (the server's defaults): 3 requests per address and hour, 10 per
// client. ada@example.com asks 3 times here, the client 5 times in all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { INTERNAL, PHONE, axe, launchBrowser, startServer } from './harness.mjs';
import { readMail, startSmtp } from './smtp.mjs';

const SQLITE = process.env.SQLITE3_PATH ?? '/usr/bin/sqlite3';
const SHOP = 'Nordlys Outfitters (demo)';
const ADA = 'ada@example.com';
const TEXT = {
  summary: "Don't have your order number?",
  button: 'Email me a link',
  sent: "If we have orders for this address, we've sent you a link. It works for 30 minutes.",
  otherDevice: 'This link was already opened in another browser or on another device. Ask for a new link here.',
  gone: 'This link has expired or no longer works. Ask for a new one: it only takes a moment.',
  forgotten: 'This link no longer works. You can ask for a new one at any time.',
};
const GERMAN = {
  summary: 'Keine Bestellnummer zur Hand?',
  button: 'Link per E-Mail senden',
  sent: 'Falls es Bestellungen mit dieser Adresse gibt, wurde ein Link an diese Adresse gesendet. Er ist 30 Minuten lang gültig.',
};

let smtp;
let server;
let browser;

before(async () => {
  smtp = await startSmtp();
  server = await startServer({
    args: ['--smtp-url', smtp.url, '--mail-from', 'orders@lookout.test', '--mail-retry-secs', '1'],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens "Don't have your order number?", asks for a link for `email` and waits
 * for the page the answer leads to. Resolves to { clicked, response } (the
 * POST's own response, before its redirect is followed).
 */
async function askForLink(page, email, text = TEXT) {
  const details = page.locator('details#order-links');
  const summary = details.locator('summary');
  assert.equal((await summary.innerText()).trim(), text.summary);
  await summary.click();
  await page.locator('#links-email').fill(email);
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/links'),
  );
  const clicked = Date.now();
  await details.getByRole('button', { name: text.button }).click();
  const response = await answered;
  await page.waitForURL((url) => url.searchParams.get('sent') === '1');
  await details.locator('p.notice[role="status"]').waitFor();
  return { clicked, response };
}

/** Where a 303 leads, as path, query and fragment. */
function redirectTarget(response) {
  assert.equal(response.status(), 303);
  const url = new URL(response.headers().location, server.base);
  assert.equal(url.origin, server.base);
  return url.pathname + url.search + url.hash;
}

/** The message(s) that came after the first `count` ones, once `n` more arrived. */
async function newMail(count, n = 1, timeoutMs = 10_000) {
  const all = await smtp.waitFor(count + n, timeoutMs);
  return all.slice(count);
}

/**
 * Runs axe on `url` in a fresh context with JavaScript on (axe is a script;
 * a JavaScript-off page cannot run it) that holds `from`'s cookies, so that the
 * server sees the same browser. `prepare` may change the page first.
 */
async function axeAs(from, url, what, prepare) {
  const twin = await browser.newContext({ ...PHONE, bypassCSP: true });
  if (from) await twin.addCookies(await from.cookies());
  const page = await twin.newPage();
  const response = await page.goto(url);
  if (prepare) await prepare(page, response);
  await axe(page, what);
  await twin.close();
}

/** Sets the link's expiry in the past, straight in the SQLite file (only the token's SHA-256 is stored). */
function age(link) {
  const token = new URL(link).pathname.split('/').pop();
  const hash = createHash('sha256').update(token).digest('hex');
  const out = execFileSync(
    SQLITE,
    [
      '-cmd',
      '.timeout 5000',
      server.databaseFile,
      `UPDATE order_links SET expires_at = '2000-01-01T00:00:00Z' WHERE token_hash = '${hash}'; SELECT changes();`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(out.trim(), '1', 'the link was aged');
}

/** The mail's fields every order-link mail shares; resolves to the decoded mail. */
function checkMail(message, to, locale) {
  const mail = readMail(message);
  assert.deepEqual(message.to, [to], 'envelope recipient');
  assert.deepEqual(mail.to, [to], 'To header');
  assert.equal(message.from, 'orders@lookout.test', 'envelope sender');
  assert.equal(mail.from.address, 'orders@lookout.test');
  assert.equal(mail.from.name, SHOP, 'the shop is the sender');
  assert.match(mail.headers['content-type']?.[0] ?? '', /^multipart\/alternative/i);
  assert.ok(mail.text.length > 0 && mail.html.length > 0, `a text and an HTML part (${mail.encodings.join(', ')})`);
  assert.equal(mail.links.length, 1, `one link in the mail: ${mail.links.join(' ')}`);
  assert.ok(mail.link, 'the one link is an order link');
  const url = new URL(mail.link);
  assert.equal(url.origin, server.base, 'the link points at the listening address');
  assert.match(url.pathname, /^\/track\/demo\/o\/[0-9a-f]{64}$/);
  assert.equal(url.search, `?locale=${locale}`);
  return mail;
}

test('without JavaScript: ask by email, open the link in one browser only, until it expires', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.base}/track/demo`);
  const form = page.locator('details#order-links form');
  assert.equal(await form.getAttribute('method'), 'post');
  assert.equal(await form.getAttribute('action'), '/track/demo/links');
  assert.equal((await page.locator('label[for="links-email"]').textContent()).trim(), 'Email address');
  assert.equal(await page.locator('details#order-links').getAttribute('open'), null, 'folded away at first');

  const count = smtp.messages.length;
  const { clicked, response } = await askForLink(page, ADA);
  assert.equal(redirectTarget(response), '/track/demo?sent=1#order-links');
  const here = new URL(page.url());
  assert.equal(here.pathname + here.search + here.hash, '/track/demo?sent=1#order-links');
  assert.notEqual(await page.locator('details#order-links').getAttribute('open'), null, 'open with the notice');
  const notice = page.locator('details#order-links p.notice[role="status"]');
  assert.ok(await notice.isVisible());
  assert.equal((await notice.innerText()).trim(), TEXT.sent);
  assert.ok(!(await page.content()).toLowerCase().includes(ADA), 'the address is not echoed');

  const [message] = await newMail(count);
  console.log(`click to mail (JavaScript off, /track/demo): ${message.at - clicked} ms`);
  const mail = checkMail(message, ADA, 'en');
  assert.equal(mail.subject, `Your orders at ${SHOP}`);
  assert.doesNotMatch(mail.subject, /@/, 'no email address in the subject');
  assert.doesNotMatch(mail.subject, /#|\d{4}/, 'no order number in the subject');
  for (const body of [mail.text, mail.html]) {
    const rest = body.split(mail.link).join('');
    assert.ok(!rest.toLowerCase().includes(ADA) && !rest.includes('1001'), 'no address or order number in the bodies');
  }

  await axeAs(context, `${server.base}/track/demo?sent=1#order-links`, 'track page with the notice', async (p) => {
    await p.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
    await p.locator('details#order-links p.notice[role="status"]').waitFor();
  });

  // The link: one button first (fetching the link, as a mail scanner does, takes
  // nothing), then this browser's list of the address's orders.
  const opened = await page.goto(mail.link);
  assert.equal(opened.status(), 200);
  // Fetching took nothing: another browser (a mail scanner, say) still sees the button.
  const scanner = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const scanned = await (await scanner.newPage()).goto(mail.link);
  assert.equal(scanned.status(), 200);
  assert.ok((await scanned.text()).includes('Show my orders'), 'the link is still to be taken');
  await scanner.close();
  assert.ok(!(await page.content()).includes('1001'), 'no order before the button');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Your orders');
  await page.getByRole('button', { name: 'Show my orders' }).click();
  await page.locator('ul.order-list').waitFor();
  const cookie = (await context.cookies()).find((c) => c.name === 'lookout_orders');
  assert.ok(cookie, 'the first browser gets a cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.path, '/track/demo/o/');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Your orders');
  assert.equal(await page.locator('script').count(), 0, 'no scripts on the list page');
  const items = page.locator('ul.order-list > li');
  assert.equal(await items.count(), 1);
  const summary = items.locator('details > summary');
  assert.match((await summary.innerText()).trim(), /^#1001 · .+ · .+$/);
  const heading = page.locator('#order-heading-1');
  assert.equal(await heading.isVisible(), false, 'folded until opened');
  await summary.click();
  await heading.waitFor({ state: 'visible' });
  assert.equal((await heading.innerText()).trim(), 'Order #1001');
  await page.getByRole('button', { name: 'Forget this link' }).waitFor();
  assert.equal(await page.locator('form.forget').getAttribute('method'), 'post');
  assert.equal(
    await page.getByRole('link', { name: 'Look up an order by its number' }).getAttribute('href'),
    '/track/demo?locale=en',
  );
  const html = await page.content();
  for (const secret of INTERNAL) assert.ok(!html.includes(secret), `${secret} leaked into the list`);
  assert.ok(!html.toLowerCase().includes(ADA), 'the address is not on the list page');

  await axeAs(context, mail.link, 'list of orders, expanded', async (p, r) => {
    assert.equal(r.status(), 200, 'the same browser (its cookie) opens the list again');
    await p.locator('ul.order-list summary').first().click();
    await p.locator('#order-heading-1').waitFor({ state: 'visible' });
  });

  // Another browser: refused.
  const other = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const otherPage = await other.newPage();
  const refused = await otherPage.goto(mail.link);
  assert.equal(refused.status(), 403);
  assert.equal((await otherPage.locator('p.notice').innerText()).trim(), TEXT.otherDevice);
  assert.equal(await otherPage.locator('ul.order-list').count(), 0);
  assert.ok(!(await otherPage.content()).includes('1001'), 'nothing of the orders');
  await other.close();
  assert.equal((await page.goto(mail.link)).status(), 200, 'the first browser still has it');

  // Expired: gone for everyone, with the way to ask again.
  age(mail.link);
  const gone = await page.goto(mail.link);
  assert.equal(gone.status(), 410);
  assert.equal((await page.locator('p.notice').innerText()).trim(), TEXT.gone);
  assert.equal(await page.locator('ul.order-list').count(), 0);
  await axeAs(context, mail.link, 'expired link', async (_, r) => assert.equal(r.status(), 410));
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await page.waitForURL((url) => url.pathname === '/track/demo');
  await page.locator('details#order-links summary').waitFor();
  assert.equal(await page.locator('#links-email').count(), 1, 'the form to ask again');

  assert.equal(smtp.messages.length, count + 1, 'exactly one mail');
  await context.close();
});

test('with JavaScript on: ask from the widget and in German, open the link, forget it', async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));

  // The widget's page.
  await page.goto(`${server.base}/embed/demo`);
  await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('details#order-links form').getAttribute('action'), '/embed/demo/links');
  let count = smtp.messages.length;
  const fromWidget = await askForLink(page, ADA);
  // The widget's page keeps its accent colour (the shop's, #0a6e4f) through the redirect.
  const widgetTarget = new URL(redirectTarget(fromWidget.response), server.base);
  assert.equal(widgetTarget.pathname, '/embed/demo');
  assert.equal(widgetTarget.hash, '#order-links');
  assert.equal(widgetTarget.searchParams.get('sent'), '1');
  assert.ok([null, '#0a6e4f'].includes(widgetTarget.searchParams.get('accent')), widgetTarget.search);
  assert.equal(page.url(), widgetTarget.href);
  assert.equal((await page.locator('details#order-links p.notice').innerText()).trim(), TEXT.sent);
  const [widgetMessage] = await newMail(count);
  console.log(`click to mail (JavaScript on, /embed/demo): ${widgetMessage.at - fromWidget.clicked} ms`);
  const mail = checkMail(widgetMessage, ADA, 'en');

  // The German page: a German mail, its link in German.
  await page.goto(`${server.base}/track/demo?locale=de`);
  await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  count = smtp.messages.length;
  const inGerman = await askForLink(page, ADA, GERMAN);
  assert.equal(redirectTarget(inGerman.response), '/track/demo?sent=1&locale=de#order-links');
  assert.equal((await page.locator('details#order-links p.notice').innerText()).trim(), GERMAN.sent);
  const [germanMessage] = await newMail(count);
  console.log(`click to mail (JavaScript on, /track/demo?locale=de): ${germanMessage.at - inGerman.clicked} ms`);
  assert.deepEqual(germanMessage.to, [ADA]);
  const german = readMail(germanMessage);
  assert.ok(german.link, `one order link in the German mail: ${german.links.join(' ')}`);
  assert.equal(new URL(german.link).searchParams.get('locale'), 'de');

  // The widget's link, then "Forget this link": gone in this same browser.
  const opened = await page.goto(mail.link);
  assert.equal(opened.status(), 200);
  await page.getByRole('button', { name: 'Show my orders' }).click();
  await page.locator('ul.order-list > li').first().waitFor();
  assert.match((await page.locator('ul.order-list summary').first().innerText()).trim(), /^#1001 · /);
  await page.getByRole('button', { name: 'Forget this link' }).click();
  await page.getByText(TEXT.forgotten).waitFor();
  const gone = await page.goto(mail.link);
  assert.equal(gone.status(), 410);
  assert.equal((await page.locator('p.notice').innerText()).trim(), TEXT.gone);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an address without orders gets the same answer, and no mail', async () => {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  const count = smtp.messages.length;
  const answers = [];
  let nobodyClicked;
  // The unknown address first: once the known one's mail is out, the unknown one's request was handled too.
  for (const email of ['nobody@example.com', 'bjorn@example.com']) {
    await page.goto(`${server.base}/track/demo`);
    const { clicked, response } = await askForLink(page, email);
    nobodyClicked ??= clicked;
    answers.push({
      location: redirectTarget(response),
      url: page.url(),
      details: await page.locator('details#order-links').innerHTML(),
      notice: (await page.locator('details#order-links p.notice').innerText()).trim(),
    });
  }
  assert.equal(answers[0].notice, TEXT.sent);
  assert.deepEqual(answers[0], answers[1], 'the same answer for both addresses');

  const [known] = await newMail(count);
  assert.deepEqual(known.to, ['bjorn@example.com']);
  const wait = nobodyClicked + 3_000 - Date.now();
  if (wait > 0) await sleep(wait);
  const toNobody = smtp.messages.slice(count).filter((m) => m.to.includes('nobody@example.com'));
  assert.deepEqual(toNobody, [], 'no mail to an address without orders');
  assert.equal(smtp.messages.length, count + 1, 'only the known address got mail');
  await context.close();
});

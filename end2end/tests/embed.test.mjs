// The widget on a storefront of another origin, at phone size: it appears, a
// lookup works inside the frame, the frame grows to fit, and a storefront whose
// origin the shop has not allowed cannot show the frame.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { PHONE, launchBrowser, startServer } from './harness.mjs';

let lookout;
let browser;
const storefronts = [];

/** A storefront page on its own loopback port (so its own origin) with the pasted tag. */
function storefront(tag, headers = {}, head = '') {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Nordlys: track your order</title>${head}</head><body><h1>Nordlys Outfitters</h1><p>Where is my parcel?</p>
        ${tag}<footer>Footer text</footer></body></html>`);
    });
    server.listen(0, '127.0.0.1', () => {
      storefronts.push(server);
      resolve(`http://127.0.0.1:${server.address().port}`);
    });
  });
}

function allow(origin) {
  const out = spawnSync(process.env.LOOKOUT_BIN, ['shop', 'update', 'demo', '--allowed-origin', origin], {
    env: { ...process.env, LOOKOUT_DATABASE_URL: lookout.databaseUrl },
    encoding: 'utf8',
  });
  assert.equal(out.status, 0, out.stderr);
}

/** A phone opening the storefront `shop` (allowed first): its context, its page, and the errors its page throws. */
async function visit(shop) {
  allow(shop);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(shop);
  return { context, page, errors };
}

before(async () => {
  lookout = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const s of storefronts) s.close();
  await browser?.close();
  await lookout?.stop();
});

test('on an allowed storefront the widget appears, looks up, and grows to fit', async () => {
  const tag = `<script src="${lookout.base}/embed.js" data-shop="demo" data-locale="en" async></script>`;
  const shop = await storefront(tag);
  allow(shop);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(shop);
  const frameElement = page.locator('iframe[title="Track your order"]');
  await frameElement.waitFor();
  const frame = page.frameLocator('iframe[title="Track your order"]');
  await frame.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  const usableMs = Date.now() - started;
  console.log(`# widget usable ${usableMs} ms after navigation started (loopback, phone viewport)`);

  // The frame sits right after the script tag, before the footer.
  const order = await page.evaluate(() => {
    const f = document.querySelector('iframe');
    return f.nextElementSibling?.tagName;
  });
  assert.equal(order, 'FOOTER');
  assert.deepEqual(await page.evaluate(() => Object.keys(window).filter((k) => k.startsWith('Lookout'))), ['LookoutWidget']);
  assert.equal(await page.evaluate(() => document.cookie), '');

  const before = (await frameElement.boundingBox()).height;
  await frame.getByLabel('Email address').fill('jonas@example.com');
  await frame.getByLabel('Order number').fill('#1010');
  await frame.getByRole('button', { name: 'Track order' }).click();
  await frame.getByRole('heading', { name: 'Order #1010' }).waitFor();
  await page.waitForFunction((h) => document.querySelector('iframe').getBoundingClientRect().height > h + 300, before);
  const after = (await frameElement.boundingBox()).height;
  const content = await frame.locator('html').evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  assert.ok(after >= content - 2, `frame ${after}px fits content ${content}px`);
  assert.equal(page.url(), `${shop}/`, 'the storefront page did not navigate');

  // A language chosen inside the frame: the frame's name follows it.
  await frame.locator('details.languages > summary').click();
  await frame.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }).click();
  await page.locator('iframe[title="Bestellung verfolgen"]').waitFor();
  assert.equal(await page.locator('iframe').getAttribute('lang'), 'de', 'its name read as German');
  const german = page.frameLocator('iframe[title="Bestellung verfolgen"]');
  await german.getByRole('heading', { name: 'Bestellung verfolgen' }).waitFor();
  assert.equal(await german.locator('html').getAttribute('lang'), 'de');
  assert.equal(page.url(), `${shop}/`, 'still the storefront page');
  await context.close();
});

test('a frame the storefront named keeps its name, and no other page renames one', async () => {
  const ids = ['named', 'scripted', 'empty'];
  const tags = [
    `<div id="named"></div><div id="scripted"></div><div id="empty"></div>`,
    // The merchant's own title, in the very words the loader would use.
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-locale="en" data-target="#named" data-title="Track your order" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-locale="en" data-target="#scripted" async></script>`,
    // An empty title is none: the loader's, which follows the language.
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-locale="en" data-target="#empty" data-title="" async></script>`,
  ].join('\n');
  const { context, page, errors } = await visit(await storefront(tags));
  for (const id of ids) {
    await page.frameLocator(`#${id} iframe`).locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  }
  const titles = () => page.locator('iframe').evaluateAll((fs) => fs.map((f) => f.title));
  assert.deepEqual(await titles(), ['Track your order', 'Track your order', 'Track your order']);
  // The storefront itself, or anything else on it, saying a language: nothing renamed.
  await page.evaluate(() => window.postMessage({ type: 'lookout:height', height: 300, lang: 'de' }, '*'));
  await page.waitForTimeout(300);
  assert.deepEqual(await titles(), ['Track your order', 'Track your order', 'Track your order']);
  // A name the storefront gave, by attribute or by script, stays when the shopper switches language.
  await page.evaluate(() => { document.querySelector('#scripted iframe').title = 'Our parcel tracker'; });
  for (const id of ids) {
    const frame = page.frameLocator(`#${id} iframe`);
    await frame.locator('details.languages > summary').click();
    await frame.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }).click();
    await frame.locator('html[lang="de"] form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  }
  await page.waitForTimeout(500);
  assert.deepEqual(await titles(), ['Track your order', 'Our parcel tracker', 'Bestellung verfolgen']);
  assert.deepEqual(await page.locator('iframe').evaluateAll((fs) => fs.map((f) => f.lang)), ['', 'en', 'de']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a storefront whose origin is not allowed cannot show the frame', async () => {
  const tag = `<script src="${lookout.base}/embed.js" data-shop="demo" async></script>`;
  const allowed = await storefront(tag);
  const other = await storefront(tag);
  allow(allowed);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const blocked = new Promise((resolve) => {
    page.on('console', (m) => {
      if (/frame-ancestors|Refused to frame/i.test(m.text())) resolve(true);
    });
  });
  await page.goto(other);
  await page.locator('iframe').waitFor();
  assert.equal(await Promise.race([blocked, new Promise((r) => setTimeout(() => r(false), 10_000))]), true);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.equal(await frame.locator('form').count(), 0, 'no form rendered in the refused frame');
  // The empty frame gives way to the plain link, in its place.
  const link = page.locator(`a[href="${lookout.base}/track/demo"]`);
  await link.waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('iframe').count(), 0, 'the refused frame is gone');
  assert.equal(await link.evaluate((a) => a.nextElementSibling?.tagName), 'FOOTER');
  await context.close();
});

test('a shop that does not exist becomes a link, and a data-target that matches nothing is warned of', async () => {
  const tags = [
    `<script src="${lookout.base}/embed.js" data-shop="no-such-shop" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="gone-shop" data-locale="de-CH" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="old-shop" data-locale="constructor" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="gone-shop-sv" data-locale=" sv " async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="gone-shop-pt" data-locale="pt-PT" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="gone-shop-tw" data-locale="zh-TW" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="gone-shop-cn" data-locale="zh-Hans-HK" async></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-target="#missing" async></script>`,
    // A widget in a drawer not yet open: hidden, it still says it is there.
    `<div id="drawer" style="display:none"></div>`,
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-target="#drawer" async></script>`,
  ].join('\n');
  const shop = await storefront(tags);
  allow(shop);
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(shop);
  /** The link left in a widget's place for `path`: its words and their language. */
  const linkFor = async (path) => {
    const link = page.locator(`a[href="${lookout.base}${path}"]`);
    await link.waitFor({ timeout: 10_000 });
    return [await link.textContent(), await link.getAttribute('lang')];
  };
  // In the widget's language: the page's (lang="en") here, data-locale's below.
  assert.deepEqual(await linkFor('/track/no-such-shop'), ['Track your order', 'en']);
  assert.deepEqual(await linkFor('/track/gone-shop?locale=de'), ['Bestellung verfolgen', 'de']);
  // A data-locale that names no language counts as none, even an object's own property name.
  assert.deepEqual(await linkFor('/track/old-shop'), ['Track your order', 'en']);
  // A language with spaces around it, read as the server reads it.
  assert.deepEqual(await linkFor('/track/gone-shop-sv?locale=sv'), ['Spåra din beställning', 'sv']);
  // Portuguese as the pages write it, Brazil's.
  assert.deepEqual(await linkFor('/track/gone-shop-pt?locale=pt'), ['Acompanhe seu pedido', 'pt-BR']);
  // Chinese in the characters its reader writes: Taiwan's Traditional, a script said Simplified.
  assert.deepEqual(await linkFor('/track/gone-shop-tw?locale=zh-Hant'), ['查詢訂單', 'zh-Hant']);
  assert.deepEqual(await linkFor('/track/gone-shop-cn?locale=zh'), ['查询订单', 'zh-Hans']);
  // The real shop's widget stays: it said it was the widget.
  const frame = page.frameLocator('iframe[title="Track your order"]').first();
  await frame.locator('form').first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(3_500);
  assert.equal(await page.locator('iframe').count(), 2, 'the working widgets were kept');
  assert.equal(await page.locator('#drawer iframe').count(), 1, 'the hidden one too');
  await page.evaluate(() => { document.getElementById('drawer').style.display = 'block'; });
  await page.frameLocator('#drawer iframe').locator('form').first().waitFor({ timeout: 20_000 });
  assert.ok(warnings.some((w) => w.includes('data-target matches nothing')), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('did not load here')), warnings.join('\n'));
  await context.close();
});

test('several widgets and a dynamically inserted tag all work; a bad slug falls back to a link', async () => {
  const tags = [
    `<div id="slot"></div>`,
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-target="#slot" defer></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-locale="de"></script>`,
    `<script src="${lookout.base}/embed.js" data-shop="Not A Slug!" async></script>`,
    `<script>var s=document.createElement('script');s.src=${JSON.stringify(lookout.base + '/embed.js')};s.dataset.shop='demo';s.dataset.locale='sv';document.body.appendChild(s);</script>`,
  ].join('\n');
  const { context, page } = await visit(await storefront(tags));
  await page.waitForFunction(() => document.querySelectorAll('iframe').length === 3);
  assert.equal(await page.locator('#slot iframe').count(), 1, 'data-target places the widget');
  const langs = [];
  for (const f of page.frames().filter((f) => f !== page.mainFrame())) {
    await f.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
    langs.push(await f.locator('html').getAttribute('lang'));
  }
  assert.deepEqual(langs.sort(), ['de', 'en', 'sv']);
  const titles = await page.locator('iframe').evaluateAll((fs) => fs.map((f) => f.title).sort());
  assert.deepEqual(titles, ['Bestellung verfolgen', 'Spåra din beställning', 'Track your order'], 'each frame titled in its language');
  assert.equal(await page.locator(`a[href="${lookout.base}/track/Not%20A%20Slug!"]`).count(), 1);
  await context.close();
});

test('a storefront with a strict style policy and an element named LookoutWidget still gets the widget', async () => {
  const tag = `<div id="LookoutWidget"></div><script src="${lookout.base}/embed.js" data-shop="demo" async></script>`;
  // No inline styles at all on this storefront; its own element takes the loader's name.
  const { context, page, errors } = await visit(await storefront(tag, { 'content-security-policy': "style-src 'none'" }));
  const frame = page.locator('iframe[title="Track your order"]');
  await frame.waitFor();
  await page.frameLocator('iframe').locator('form').first().waitFor({ timeout: 20_000 });
  const looks = await frame.evaluate((f) => {
    const s = getComputedStyle(f);
    return { width: f.getBoundingClientRect().width, body: document.body.clientWidth, border: s.borderTopWidth, display: s.display };
  });
  assert.equal(looks.border, '0px', 'styled by the loader despite the policy');
  assert.equal(looks.display, 'block');
  assert.ok(looks.width > 300, `as wide as the page allows, not the default 300 px: ${JSON.stringify(looks)}`);
  assert.deepEqual(errors, [], 'the host page never sees an error');
  await context.close();
});

test('a data-target that is not a CSS selector puts the widget, or its link, right after the tag', async () => {
  const tags = [
    `<script src="${lookout.base}/embed.js" data-shop="demo" data-target="##not a selector" async></script>`,
    `<p id="after-frame">After the frame</p>`,
    `<script src="${lookout.base}/embed.js" data-shop="Not A Slug!" data-target="[oops" async></script>`,
    `<p id="after-link">After the link</p>`,
  ].join('\n');
  const { context, page, errors } = await visit(await storefront(tags));
  await page.locator('iframe[title="Track your order"]').waitFor();
  assert.equal(await page.evaluate(() => document.querySelector('iframe').nextElementSibling?.id), 'after-frame');
  const frame = page.frameLocator('iframe[title="Track your order"]');
  await frame.locator('form').first().waitFor({ timeout: 20_000 });
  const link = page.locator(`a[href="${lookout.base}/track/Not%20A%20Slug!"]`);
  await link.waitFor();
  assert.equal(await link.evaluate((a) => a.nextElementSibling?.id), 'after-link');
  assert.deepEqual(errors, [], 'the host page never sees an error');
  await context.close();
});

test('on a wide screen the widget is 640px wide, whatever root font size the theme sets', async () => {
  // Shopify's Dawn theme sets the root font size to 62.5% (10px).
  const tag = `<style>html { font-size: 62.5%; }</style><script src="${lookout.base}/embed.js" data-shop="demo" async></script>`;
  const shop = await storefront(tag);
  allow(shop);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(shop);
  const frame = page.locator('iframe[title="Track your order"]');
  await frame.waitFor();
  assert.equal(Math.round((await frame.boundingBox()).width), 640);
  await context.close();
});

test('the pasted tags show a link until the widget takes its place, and keep it where the loader is refused', async () => {
  const out = spawnSync(process.env.LOOKOUT_BIN, ['embed', 'snippet', 'demo', '--base-url', lookout.base], {
    env: { ...process.env, LOOKOUT_DATABASE_URL: lookout.databaseUrl },
    encoding: 'utf8',
  });
  assert.equal(out.status, 0, out.stderr);
  const tags = out.stdout.trim();
  assert.match(tags, /data-lookout-link>Track your order<\/a>/);

  // As pasted: the frame, and no link beside it.
  let { context, page, errors } = await visit(await storefront(tags));
  await page.frameLocator('iframe[title="Track your order"]').locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('a[data-lookout-link]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();

  // With the integrity of an older loader (after an upgrade): the browser refuses
  // the loader, and the shopper still has the link to the tracking page.
  const stale = tags.replace(/integrity="sha384-[^"]+"/, `integrity="sha384-${'A'.repeat(64)}"`);
  ({ context, page, errors } = await visit(await storefront(stale)));
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  const link = page.locator('a[data-lookout-link]');
  assert.equal(await link.count(), 1);
  assert.ok(await link.isVisible());
  assert.equal(await link.getAttribute('href'), `${lookout.base}/track/demo`);
  assert.equal(await page.locator('iframe').count(), 0);
  await context.close();
});

test('a tag pasted into <head> puts the widget at the end of <body>, or into its data-target, and says so', async () => {
  // Not async: it runs while <head> is read, before there is a <body>.
  const inHead = `<script src="${lookout.base}/embed.js" data-shop="demo"></script>`;
  let shop = await storefront('<p id="last">Last</p>', {}, inHead);
  let { context, page, errors } = await visit(shop);
  const warnings = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.reload();
  const frame = page.locator('iframe[title="Track your order"]');
  await frame.waitFor();
  assert.ok(await frame.isVisible());
  assert.equal(await page.evaluate(() => document.querySelector('iframe').parentElement.tagName), 'BODY');
  assert.equal(await page.evaluate(() => document.querySelector('iframe').previousElementSibling?.tagName), 'FOOTER');
  await page.frameLocator('iframe').locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  assert.ok(warnings.some((w) => w.includes('tag in <head>')), warnings.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();

  // With a data-target found once the page is read: there, and no warning.
  const targeted = `<script src="${lookout.base}/embed.js" data-shop="demo" data-target="#here"></script>`;
  shop = await storefront('<div id="here"></div><p>After</p>', {}, targeted);
  ({ context, page, errors } = await visit(shop));
  warnings.length = 0;
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.reload();
  await page.locator('#here > iframe').waitFor();
  await page.waitForLoadState('load');
  assert.deepEqual(warnings, []);
  assert.deepEqual(errors, []);
  await context.close();

  // A tag in <head> that the page takes away before it is read (a theme's
  // script): the widget at the end of <body>, and no error on the page.
  const taken = `${inHead}<script>document.querySelector('script[data-shop]').remove()</script>`;
  ({ context, page, errors } = await visit(await storefront('', {}, taken)));
  await page.locator('body > iframe[title="Track your order"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('without ResizeObserver the frame still grows to fit its content', async () => {
  const tag = `<script src="${lookout.base}/embed.js" data-shop="demo" data-locale="en" async></script>`;
  const shop = await storefront(tag);
  allow(shop);
  const context = await browser.newContext(PHONE);
  // Every frame of the page, the widget's too, as an older browser has it.
  await context.addInitScript(() => { delete window.ResizeObserver; });
  const page = await context.newPage();
  await page.goto(shop);
  const frame = page.frameLocator('iframe[title="Track your order"]');
  await frame.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  assert.equal(await frame.locator('html').evaluate(() => typeof window.ResizeObserver), 'undefined');
  const before = (await page.locator('iframe').boundingBox()).height;
  await frame.getByLabel('Email address').fill('jonas@example.com');
  await frame.getByLabel('Order number').fill('#1010');
  await frame.getByRole('button', { name: 'Track order' }).click();
  await frame.getByRole('heading', { name: 'Order #1010' }).waitFor();
  await page.waitForFunction((h) => document.querySelector('iframe').getBoundingClientRect().height > h + 300, before);
  const content = await frame.locator('html').evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
  assert.ok((await page.locator('iframe').boundingBox()).height >= content - 2);
  await context.close();
});

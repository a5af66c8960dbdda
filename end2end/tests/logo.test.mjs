// A shop's logo in a real browser: it stands for the shop's name at the top of
// the tracking page, 48 px high and never wider than a phone, fetched under the
// page's own policy without a referrer; one that fails to load shows the
// shop's name; the widget's frame fetches none; axe finds nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, axe, launchBrowser, lookout, startServer } from './harness.mjs';

const LOGO = 'https://logo.example/nordlys.svg';
const NAME = 'Nordlys Outfitters (demo)';
// Wider than a phone: the page must scale it down, not scroll.
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="150"><rect width="900" height="150" fill="#0a6e4f"/></svg>';
const SMALL_PHONE = { ...PHONE, viewport: { width: 360, height: 740 } };

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await lookout(server, ['shop', 'update', 'demo', '--logo-url', LOGO]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A context whose requests for the logo are answered by `answer` (and recorded). */
async function withLogo(options, answer) {
  const context = await browser.newContext(options);
  const asked = [];
  await context.route('https://logo.example/**', (route) => {
    asked.push(route.request());
    return answer(route);
  });
  return { context, asked };
}

const served = (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: SVG });

test("the logo stands for the shop's name, 48 px high, within the phone's width, without a referrer", async () => {
  // The page's own policy, not bypassed: it must let the browser load the image.
  const { context, asked } = await withLogo(SMALL_PHONE, served);
  const page = await context.newPage();
  await page.goto(`${server.base}/track/demo`);
  const logo = page.getByRole('img', { name: NAME });
  await logo.waitFor();
  await page.waitForFunction(() => document.querySelector('img.shop-logo')?.complete);
  assert.ok(await logo.evaluate((img) => img.naturalWidth > 0), 'the image loaded under the page policy');
  const box = await logo.boundingBox();
  assert.equal(Math.round(box.height), 48);
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `within the phone: ${JSON.stringify(box)}`);
  assert.equal(asked.length, 1);
  assert.equal(asked[0].url(), LOGO);
  assert.equal(asked[0].headers().referer, undefined, 'no referrer');
  await context.close();

  const checked = await withLogo({ ...SMALL_PHONE, bypassCSP: true }, served);
  const again = await checked.context.newPage();
  await again.goto(`${server.base}/track/demo`);
  await again.getByRole('img', { name: NAME }).waitFor();
  await axe(again, 'tracking page with a logo');
  await checked.context.close();
});

test("a logo that cannot be loaded shows the shop's name", async () => {
  const { context } = await withLogo({ ...SMALL_PHONE, bypassCSP: true }, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${server.base}/track/demo`);
  await page.waitForFunction(() => document.querySelector('img.shop-logo')?.complete);
  const logo = page.getByRole('img', { name: NAME });
  assert.equal(await logo.evaluate((img) => img.naturalWidth), 0, 'not loaded');
  assert.equal(await logo.getAttribute('alt'), NAME);
  await axe(page, 'tracking page whose logo failed');
  await context.close();
});

test("the widget's frame fetches no logo: the page around it is the shop's own", async () => {
  const { context, asked } = await withLogo(SMALL_PHONE, served);
  const page = await context.newPage();
  await page.goto(`${server.base}/embed/demo`);
  await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('img.shop-logo').count(), 0);
  assert.equal(asked.length, 0);
  await context.close();
});

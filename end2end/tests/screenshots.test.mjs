// Saves what shoppers see for every demo order, at phone and desktop widths,
// under end2end/screenshots/ (ignored by git). Uses plain form posts, as a
// shopper without WebAssembly would, so each picture is the server's own HTML.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, startServer } from './harness.mjs';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
const ORDERS = [
  ['ada@example.com', '#1001'], ['bjorn@example.com', '#1002'], ['clara@example.com', '#1003'],
  ['dieter@example.com', '#1004'], ['emma@example.com', '#1005'], ['fei@example.com', '#1006'],
  ['gustav@example.com', '#1007'], ['hanna@example.com', '#1008'], ['ivan@example.com', '#1009'],
  ['jonas@example.com', '#1010'], ['kari@example.com', '#1011'], ['li@example.com', '#1012'],
  ['mia@example.com', '#1013'], ['noah@example.com', '#1014'], ['olga@example.com', '#1015'],
];

let server;
let browser;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const width of [390, 1280]) {
  test(`every demo order at ${width} px`, async () => {
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.base}/track/demo`);
    await page.screenshot({ path: path.join(OUT, `form-${width}.png`), fullPage: true });
    for (const [email, number] of ORDERS) {
      await page.goto(`${server.base}/track/demo`);
      await page.locator('#email').fill(email);
      await page.locator('#order_number').fill(number);
      await page.locator('button[type="submit"]').click();
      await page.locator('#order-heading').waitFor();
      assert.match(await page.locator('#order-heading').innerText(), new RegExp(number));
      await page.screenshot({ path: path.join(OUT, `order-${number.slice(1)}-${width}.png`), fullPage: true });
    }
    await context.close();
  });
}

// 320 px is a small phone, and 1280 px at 400% zoom (WCAG's reflow): no order
// runs off the side in the languages with the longest words, and no step of
// the progress bar is cut (each label fits its column, wrapping if it must).
// (280 px: a widget in a store's sidebar.) On a phone the steps stand one a line.
for (const width of [280, 320]) test(`every demo order fits ${width} px in German, Swedish and English, its progress bar whole`, async () => {
  const context = await browser.newContext({ viewport: { width, height: 800 }, javaScriptEnabled: false });
  const page = await context.newPage();
  for (const locale of ['de', 'sv', 'en']) {
    for (const [email, number] of ORDERS) {
      await page.goto(`${server.base}/track/demo?locale=${locale}`);
      await page.locator('#email').fill(email);
      await page.locator('#order_number').fill(number);
      await page.locator('button[type="submit"]').click();
      await page.locator('#order-heading').waitFor();
      const over = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        steps: [...document.querySelectorAll('.progress li')]
          .filter((li) => li.scrollWidth > li.clientWidth + 1)
          .map((li) => li.textContent),
        columns: [...document.querySelectorAll('.progress')]
          .map((ol) => getComputedStyle(ol).gridTemplateColumns.split(' ').length),
      }));
      assert.ok(over.columns.every((n) => n === 1), `${locale} ${number}: steps one a line, ${over.columns}`);
      assert.ok(over.page <= 0, `${locale} ${number}: the page is ${over.page}px too wide`);
      assert.deepEqual(over.steps, [], `${locale} ${number}: steps cut`);
    }
  }
  await context.close();
});

// A shopper on a phone looks up a demo order, with JavaScript on and off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERNAL, PHONE, launchBrowser, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the demo tracking page at phone size and waits until the WebAssembly has hydrated it. */
async function openHydrated() {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.base}/track/demo`);
  await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  return { context, page };
}

async function fillAndSubmit(page, email, number) {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Order number').fill(number);
  await page.getByRole('button', { name: 'Track order' }).click();
}

async function assertNoInternalData(page) {
  const html = await page.content();
  for (const secret of INTERNAL) assert.ok(!html.includes(secret), `${secret} leaked into the page`);
}

describe('with JavaScript on (hydrated)', () => {
  test('a lookup shows the order without loading a new page', async () => {
    const context = await browser.newContext(PHONE);
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));

    await page.goto(`${server.base}/track/demo`);
    await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await fillAndSubmit(page, 'Ada@Example.com', '#1001');
    await page.getByRole('heading', { name: 'Order #1001' }).waitFor();

    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no page load happened');
    assert.equal(page.url(), `${server.base}/track/demo`, 'no email or order number in the URL');
    const text = await page.locator('main').innerText();
    assert.match(text, /On the way/);
    assert.match(text, /PostNord/);
    assert.match(text, /Partly shipped/);
    await assertNoInternalData(page);

    await page.getByRole('button', { name: 'Look up another order' }).click();
    assert.equal(await page.getByLabel('Email address').inputValue(), '');
    assert.equal(await page.getByLabel('Order number').inputValue(), '');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('a wrong email gets the helpful not-found message', async () => {
    const { context, page } = await openHydrated();
    await fillAndSubmit(page, 'eve@example.com', '#1001');
    await page.getByRole('alert').filter({ hasText: 'We could not find an order' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Order #1001' }).count(), 0);
    await context.close();
  });

  test('malformed input is pointed out in place, with focus on the first field to correct', async () => {
    const { context, page } = await openHydrated();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    await fillAndSubmit(page, 'not-an-email', '');
    await page.getByText('Enter an email address like name@example.com.').waitFor();
    await page.getByText('Enter the order number.').waitFor();
    assert.equal(await page.getByLabel('Email address').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Order number').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
    assert.equal(await page.getByLabel('Email address').inputValue(), 'not-an-email', 'what was typed is kept');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no page load happened');
    // Corrected, the same form looks the order up in place.
    await fillAndSubmit(page, 'ada@example.com', '1001');
    await page.getByRole('heading', { name: 'Order #1001' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'order-heading');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no page load happened');
    await context.close();
  });
});

describe('with JavaScript off (plain HTML form post)', () => {
  test('a lookup shows the order after a form post', async () => {
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.base}/track/demo`);
    await fillAndSubmit(page, 'ada@example.com', '1001');
    await page.getByRole('heading', { name: 'Order #1001' }).waitFor();
    assert.equal(page.url(), `${server.base}/track/demo`, 'no email or order number in the URL');
    const text = await page.locator('main').innerText();
    assert.match(text, /On the way/);
    await assertNoInternalData(page);

    await page.getByRole('button', { name: 'Look up another order' }).click();
    await page.getByLabel('Email address').waitFor();
    assert.equal(await page.getByLabel('Email address').inputValue(), '');
    await context.close();
  });
});

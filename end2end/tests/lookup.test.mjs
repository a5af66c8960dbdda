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

    // The same shopper's next order: the email kept as typed, the number to type.
    await page.getByRole('button', { name: 'Look up another order' }).click();
    assert.equal(await page.getByLabel('Email address').inputValue(), 'Ada@Example.com');
    assert.equal(await page.getByLabel('Order number').inputValue(), '');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'order_number');
    assert.equal(page.url(), `${server.base}/track/demo`, 'the email is in no URL');
    await page.getByLabel('Order number').fill('#1001');
    await page.getByRole('button', { name: 'Track order' }).click();
    await page.getByRole('heading', { name: 'Order #1001' }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the order's times are said in the shopper's own time zone", async () => {
    // Shanghai is UTC+8 all year: a scan at 18:02 UTC is 02:02 the next day there.
    const context = await browser.newContext({ ...PHONE, timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    await page.goto(`${server.base}/track/demo`);
    await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
    await fillAndSubmit(page, 'ada@example.com', '#1001');
    await page.getByRole('heading', { name: 'Order #1001' }).waitFor();
    const times = await page.locator('time[data-local]').evaluateAll((all) =>
      all.map((t) => ({ at: t.getAttribute('datetime'), kind: t.dataset.local, said: t.textContent })));
    assert.ok(times.some((t) => t.kind === 'moment'), 'carrier scans have times');
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    for (const { at, kind, said } of times) {
      const there = new Date(new Date(at).getTime() + 8 * 3600 * 1000); // read in UTC: Shanghai's clock
      const day = `${there.getUTCDate()} ${months[there.getUTCMonth()]} ${there.getUTCFullYear()}`;
      const hhmm = `${String(there.getUTCHours()).padStart(2, '0')}:${String(there.getUTCMinutes()).padStart(2, '0')}`;
      const expected = kind === 'moment' ? `${day} ${hhmm}` : day;
      assert.equal(said, expected, `${at} (${kind})`);
      assert.ok(!said.includes('UTC'), said);
    }
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

  test('a lookup that fails on the way gives the form back as typed, saying so, and is not sent again', async () => {
    const { context, page } = await openHydrated();
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    // A miss first: its notice is about that input, and goes when the next fails.
    await fillAndSubmit(page, 'eve@example.com', '#1001');
    await page.getByRole('alert').filter({ hasText: 'We could not find an order' }).waitFor();
    // Then the network fails, then a proxy answers with its own error page.
    let posts = 0;
    const answers = [(route) => route.abort('failed'), (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' })];
    await page.route(`${server.base}/track/demo`, (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      return answers[posts++](route);
    });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await fillAndSubmit(page, 'ada@example.com', '#1001');
      const notice = page.getByRole('alert').filter({ hasText: 'Order lookup is unavailable right now' });
      await notice.waitFor();
      assert.equal(await page.getByRole('alert').count(), 1, 'said alone, once, however often it failed');
      assert.equal(posts, attempt, 'sent once, not again the plain way');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-said')), 'unavailable');
      const button = page.getByRole('button', { name: 'Track order' });
      assert.equal(await button.isEnabled(), true, 'the form is no longer busy');
      assert.equal(await page.getByLabel('Order number').inputValue(), '#1001', 'what was typed is kept');
      assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no page load happened');
      assert.equal(await page.getByText('Bad gateway').count(), 0, "the proxy's page is not shown");
    }
    // With the way clear again, the same form finds the order.
    await page.unroute(`${server.base}/track/demo`);
    await page.getByRole('button', { name: 'Track order' }).click();
    await page.getByRole('heading', { name: 'Order #1001' }).waitFor();
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

    // No script to say the times in the phone's zone: they are in the shop's
    // (the demo shop's is Europe/Oslo), named.
    const scans = await page.locator('time[data-local="moment"]').evaluateAll((all) =>
      all.map((t) => ({ at: t.getAttribute('datetime'), said: t.textContent })));
    assert.ok(scans.length > 0, 'carrier scans have times');
    const oslo = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Oslo', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    for (const { at, said } of scans) {
      const parts = Object.fromEntries(oslo.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
      assert.match(said, /^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} CES?T$/, said);
      assert.ok(said.startsWith(`${Number(parts.day)} `) && said.includes(` ${parts.hour}:${parts.minute} `), `${at}: ${said}`);
    }

    await page.getByRole('button', { name: 'Look up another order' }).click();
    await page.getByLabel('Email address').waitFor();
    assert.equal(await page.getByLabel('Email address').inputValue(), '');
    await context.close();
  });
});

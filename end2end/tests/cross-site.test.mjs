// Another site's page posting forms with the shopper's browser: the right email
// and order number, sent from a page on another site, get no answer that reveals
// anything, while the widget framed on a storefront keeps working (embed.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launchBrowser, startServer } from './harness.mjs';

let lookout;
let browser;
let attacker;

/** A page on http://localhost:PORT (another site than 127.0.0.1) that posts a form to `action` on load. */
function attackerSite() {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const url = new URL(req.url, 'http://localhost');
      const action = url.searchParams.get('action');
      const fields = JSON.parse(url.searchParams.get('fields'));
      const inputs = Object.entries(fields)
        .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>Win a prize</title></head><body>
        <form id="f" method="post" action="${action}">${inputs}</form>
        <script>document.getElementById('f').submit();</script></body></html>`);
    });
    server.listen(0, '127.0.0.1', () => {
      attacker = server;
      resolve(`http://localhost:${server.address().port}`);
    });
  });
}

before(async () => {
  lookout = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  attacker?.close();
  await browser?.close();
  await lookout?.stop();
});

for (const [name, path, fields] of [
  ['the page form', '/track/demo', { email: 'ada@example.com', order_number: '#1001' }],
  ['the embedded form', '/embed/demo', { email: 'ada@example.com', order_number: '#1001' }],
  ['the server function', '/api/track', { shop: 'demo', email: 'ada@example.com', order_number: '1001' }],
]) {
  test(`${name} posted from another site is refused, the same for a right and a wrong email`, async () => {
    const site = await attackerSite();
    const answers = [];
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      const page = await (await browser.newContext()).newPage();
      const query = new URLSearchParams({ action: lookout.base + path, fields: JSON.stringify({ ...fields, email }) });
      const response = page.waitForResponse((r) => r.url().startsWith(lookout.base + path));
      await page.goto(`${site}/?${query}`);
      const res = await response;
      await page.waitForLoadState();
      answers.push({ status: res.status(), url: page.url(), body: await page.content() });
      await page.context().close();
    }
    for (const a of answers) {
      assert.equal(a.status, 403, `${name}: ${a.body.slice(0, 200)}`);
      if (path.startsWith('/api/')) {
        assert.match(a.body, /cross_site/);
      } else {
        // A page's form gets a page: nothing was done, and the way to the shop's own page.
        assert.match(a.body, /This form was not sent/);
        assert.match(a.body, /href="\/track\/demo"/);
      }
      assert.doesNotMatch(a.body, /Wool|Ada|1001|ada@example.com/);
    }
    assert.equal(answers[0].url, answers[1].url, 'no redirect tells a hit from a miss');
    assert.equal(answers[0].body, answers[1].body, 'a hit and a miss read alike');
    attacker.close();
  });
}

test('the same form on Lookout\'s own page still finds the order', async () => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto(`${lookout.base}/track/demo`);
  await page.getByLabel('Email address').fill('ada@example.com');
  await page.getByLabel('Order number').fill('#1001');
  await page.getByRole('button', { name: 'Track order' }).click();
  await page.getByRole('heading', { name: 'Order #1001' }).waitFor();
  await page.context().close();
});

// Accessibility: axe-core (WCAG 2.2 A and AA rules) on every state of the page,
// in every language, plus a keyboard-only lookup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHONE, axe, launchBrowser, startServer } from './harness.mjs';

const LOCALES = ['en', 'da', 'de', 'es', 'fr', 'it', 'ja', 'nb', 'nl', 'pl', 'pt', 'sv', 'zh', 'zh-Hant'];
// The page's lang where it says more than the code.
const TAGS = { zh: 'zh-Hans', pt: 'pt-BR' };

let server;
let browser;

before(async () => {
  // Every language looks up a missing order from this one client: allowances
  // of failed lookups for as many languages as there are (limits have tests of their own).
  const failures = String(4 * LOCALES.length);
  server = await startServer({
    args: ['--failed-lookups-per-client', failures, '--failed-lookups-per-order', failures, '--failed-lookups-per-email', failures],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(locale) {
  // The page's Content-Security-Policy rightly refuses injected scripts; let the test inject axe.
  const context = await browser.newContext({ ...PHONE, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.base}/track/demo?locale=${locale}`);
  await page.locator('form[data-hydrated="true"]').waitFor({ timeout: 20_000 });
  return { context, page };
}

async function submit(page, email, number) {
  await page.locator('#email').fill(email);
  await page.locator('#order_number').fill(number);
  await page.locator('button[type="submit"]').click();
}

describe('axe-core finds no WCAG 2.2 AA violation', () => {
  for (const locale of LOCALES) {
    test(`in ${locale}: empty form, validation error, not found, result`, async () => {
      const { context, page } = await open(locale);
      // Chinese: zh Simplified (zh-Hans), zh-Hant Traditional; Portuguese: Brazil's.
      assert.equal(await page.getAttribute('html', 'lang'), TAGS[locale] ?? locale);
      await axe(page, `${locale} empty form`);

      await submit(page, 'not-an-email', '');
      await page.locator('#email[aria-invalid="true"]').waitFor();
      await axe(page, `${locale} validation error`);

      await submit(page, 'nobody@example.com', '#1001');
      await page.getByRole('alert').waitFor();
      await axe(page, `${locale} not found`);

      await submit(page, 'jonas@example.com', '#1010');
      await page.locator('#order-heading').waitFor();
      await axe(page, `${locale} result`);
      await context.close();
    });
  }
});

test('a lookup works with the keyboard alone and the result takes focus', async () => {
  const { context, page } = await open('en');
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
  for (let i = 0; i < 20 && (await focusedId()) !== 'email'; i++) await page.keyboard.press('Tab');
  assert.equal(await focusedId(), 'email');
  await page.keyboard.type('ada@example.com');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(), 'order_number');
  await page.keyboard.type('#1001');
  await page.keyboard.press('Enter');
  await page.locator('#order-heading').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'order-heading');
  await context.close();
});

test('what a lookup brings is told by focus and alerts, not by reading the whole result out', async () => {
  const { context, page } = await open('en');
  // No live region would read the whole order out beside the heading that takes focus.
  assert.equal(await page.locator('[aria-live]').count(), 0);
  await submit(page, 'not-an-email', '#1001');
  await page.waitForFunction(() => document.activeElement?.id === 'email');
  assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');
  await submit(page, 'jonas@example.com', '#9999');
  await page.locator('[role="alert"]').waitFor();
  await context.close();
});

test('the languages fold behind one summary near the top, and each is a plain link', async () => {
  const { context, page } = await open('en');
  const list = page.getByRole('navigation', { name: 'Language' });
  assert.equal(await list.isVisible(), false, 'folded away at first');
  // From the page's start, the summary and then the form: not a link per language first.
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
  let presses = 0;
  for (; presses < 20 && (await focusedId()) !== 'email'; presses++) await page.keyboard.press('Tab');
  assert.ok(presses <= 3, `${presses} presses to the email field`);
  await page.locator('details.languages > summary').focus();
  await page.keyboard.press('Enter');
  await list.waitFor();
  await axe(page, 'languages open');
  assert.equal(await list.getByRole('link').count(), LOCALES.length);
  await list.getByRole('link', { name: 'Deutsch' }).click();
  await page.waitForURL(/locale=de/);
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.match(await page.locator('details.languages > summary').innerText(), /Sprache: Deutsch/);
  await context.close();
});

// Starts the real release binary on a free loopback port with a fresh SQLite
// file holding the demo shop, and launches Debian's Chromium via playwright-core.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const BIN = process.env.LOOKOUT_BIN ?? path.resolve('target/release/lookout');

/** A phone-sized viewport (iPhone 12-class). */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lookout ${args.join(' ')} exited ${code}`))));
  });
}

/** Runs a `lookout` command against a server's database; resolves to its standard output. */
export function lookout(server, args) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, LOOKOUT_DATABASE_URL: server.databaseUrl, RUST_LOG: 'warn' };
    const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`lookout ${args.join(' ')} exited ${code}`))));
  });
}

/**
 * Starts `lookout serve` on 127.0.0.1:0 after loading the demo, with `args`
 * appended (e.g. `['--smtp-url', …]`); resolves to { base, databaseUrl, databaseFile, stop }.
 */
export async function startServer({ args = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lookout-e2e-'));
  const databaseFile = path.join(dir, 'e2e.db');
  const env = { ...process.env, LOOKOUT_DATABASE_URL: `sqlite://${databaseFile}`, RUST_LOG: 'warn' };
  await run(['demo'], env);
  const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 30 s')), 30_000);
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = seen.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
  return {
    base,
    databaseUrl: env.LOOKOUT_DATABASE_URL,
    databaseFile,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium from the machine (never a downloaded browser). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Strings from the demo order #1001 that a shopper must never see. */
export const INTERNAL = [
  'Customer called about gift wrap',
  'Fraud check',
  'Internal: demo order',
  'Storgata 1',
  'Lovelace',
  'SKU-li-1',
];

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core's WCAG 2.2 A and AA rules on the page (whose context must bypass
 * the page's CSP to let the script in) and fails on any violation, or when the
 * page scrolls sideways.
 */
export async function axe(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  const found = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  assert.ok(result.passes.length > 10, `axe ran its rules on ${what}`);
  assert.deepEqual(found, [], `axe violations on ${what}`);
  // Against the layout's width: a phone's browser widens innerWidth to fit a
  // page that overflows, which would hide the very overflow looked for.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
}

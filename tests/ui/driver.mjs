// Browser driver for the UI tests: launches Debian's chromium headless through
// playwright-core (installed in ui/node_modules) and runs Playwright calls sent as JSON
// lines on stdin, answering one JSON line each on stdout:
//   {"id": 1, "chain": [["getByLabel", "Password"], ["fill", "x"]]}  -> {"id": 1, "ok": true, "value": ...}
// The chain starts at the current page; every step calls a method of the previous result
// and awaits it (or reads a property such as page.keyboard). The source of a function given
// to evaluate* runs as that function; {"$locator": "css"} as an argument becomes
// page.locator(css). {"newPage": {viewport, locale}} opens a fresh page in a new context.
// Errors: {"ok": false, "error": message}; the driver keeps running.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'ui', 'package.json'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: process.env.POSTERN_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let context = null;
let page = null;
const consoleErrors = [];

async function newPage({ viewport, locale } = {}) {
  if (context) await context.close();
  context = await browser.newContext({ viewport: viewport || { width: 1200, height: 900 }, locale: locale || 'en-US' });
  page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
}

function revive(arg) {
  if (Array.isArray(arg)) return arg.map(revive);
  if (arg && typeof arg === 'object') {
    if ('$locator' in arg) return page.locator(arg.$locator);
    return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, revive(v)]));
  }
  return arg;
}

async function run(msg) {
  if (msg.newPage !== undefined) { await newPage(msg.newPage); return null; }
  if (msg.consoleErrors) return consoleErrors.splice(0);
  let target = page;
  for (const [method, ...args] of msg.chain) {
    if (typeof target[method] !== 'function') {
      if (target[method] === undefined || args.length) throw new Error(`no method ${method}`);
      target = target[method]; // a property such as page.keyboard
      continue;
    }
    const values = revive(args);
    // Playwright runs a string as an expression; source text of a function becomes one.
    if (/^evaluate/.test(method) && typeof values[0] === 'string' && /^\s*(\(|async\b|function\b|\w+\s*=>)/.test(values[0])) {
      values[0] = new Function(`return (${values[0]});`)();
    }
    target = await target[method](...values);
  }
  if (target && typeof target === 'object' && !Array.isArray(target) && target.constructor && target.constructor.name !== 'Object') return null;
  return target === undefined ? null : target;
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) continue;
  const msg = JSON.parse(line);
  let reply;
  try {
    reply = { id: msg.id, ok: true, value: await run(msg) };
  } catch (e) {
    reply = { id: msg.id, ok: false, error: String(e && e.message ? e.message : e).slice(0, 4000) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}
await browser.close();

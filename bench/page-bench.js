// page-bench.js — the page's figures for bench/page.sh: the time from the
// page's navigation to the notes list on screen, with their texts, with
// the notes already in the store, and the time from
// another member's write (balint note write, on B) to the note on A's page.
// Prints "key value" lines.  Env: BALINT, W (the bench's directory), A and
// B (member names), RUNS.
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const path = require('path');

const W = process.env.W;
const b = (who, ...args) => execFileSync(process.env.BALINT, ['--home', path.join(W, who), ...args], { encoding: 'utf8' }).trim();
const median = (xs) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)];

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/lib/chromium/chromium', headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  });
  try {
    const runs = +(process.env.RUNS || 5);
    const paint = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(b(process.env.A, 'open', '--print'));
      await page.waitForFunction(() => performance.getEntriesByName('balint-notes-list').length > 0, null, { timeout: 120000 });
      const m = await page.evaluate(() => [performance.getEntriesByName('balint-notes-list')[0].startTime,
        document.querySelectorAll('#notes article').length,
        document.querySelectorAll('#notes article p.body:not(:empty)').length]);
      paint.push(m[0]);
      if (i === 0) console.log(`page_notes_shown ${m[1]}\npage_texts_shown ${m[2]}`);
      await ctx.close();
    }
    console.log(`page_first_paint_ms ${median(paint).toFixed(1)}`);
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(b(process.env.A, 'open', '--print'));
    await page.waitForFunction(() => performance.getEntriesByName('balint-notes-list').length > 0, null, { timeout: 120000 });
    const live = [];
    for (let i = 0; i < runs; i++) {
      const text = `live note ${i} ${Date.now()}`;
      const t0 = Date.now();
      b(process.env.B, 'note', 'write', '-m', text);
      await page.waitForSelector(`article.note:has-text("${text}")`, { timeout: 30000 });
      live.push(Date.now() - t0);
    }
    console.log(`page_live_ms ${median(live)}`);
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error('page-bench: ' + (e.stack || e.message)); process.exit(1); });

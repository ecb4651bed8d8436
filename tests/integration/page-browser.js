// page-browser.js — the page in a real browser (Debian's chromium, driven
// headless by playwright-core), for tests/integration/page.sh: two members
// with their own daemons, each with the page open in its own browser
// context.  Run by page.sh with BALINT, T (the scenario's directory) and
// NODE_PATH set; SHOTS=DIR also writes the docs' screenshots; BENCH=FILE
// writes the timings (JSON) instead of only printing them.
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const BALINT = process.env.BALINT;
const T = process.env.T;
const CHROMIUM = process.env.CHROMIUM || '/usr/lib/chromium/chromium';
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function b(who, ...args) {
  return execFileSync(BALINT, ['--home', path.join(T, who), ...args], { encoding: 'utf8' }).trim();
}
function fail(msg) { throw new Error(msg); }
const T0 = Date.now();
function step(what) { if (process.env.VERBOSE) console.log(`${Date.now() - T0} ms: ${what}`); }
const ports = new Set();
const outside = [];
const cspErrors = [];

async function openPage(browser, who, lang) {
  const url = b(who, 'open', '--print');
  const m = /^http:\/\/127\.0\.0\.1:(\d+)\/login\?t=[0-9a-f]{64}$/.exec(url);
  if (!m) fail(`open --print for ${who} gave '${url}'`);
  ports.add(m[1]);
  const ctx = await browser.newContext({ locale: lang || 'en-US' });
  ctx.on('request', (req) => {
    const u = new URL(req.url());
    if (u.hostname !== '127.0.0.1' || !ports.has(u.port)) outside.push(req.url());
  });
  // Anything not to one of the daemons is stopped before it leaves.
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1' && ports.has(u.port)) return route.continue();
    return route.abort();
  });
  const page = await ctx.newPage();
  page.on('console', (msg) => { if (/Content Security Policy|Refused to/.test(msg.text())) cspErrors.push(msg.text()); });
  page.on('pageerror', (e) => cspErrors.push('page error: ' + e.message));
  page.on('dialog', (d) => d.accept());
  await page.goto(url);
  return page;
}

async function axe(page, what) {
  const t = Date.now();
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    fail(`axe (${what}): ` + bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('; '));
  }
  step(`axe ${what}: ${Date.now() - t} ms`);
  return res.violations.length;
}

async function nav(page, view) {
  await page.click(`#nav button[data-view="${view}"]`);
  await page.waitForSelector(`#view-${view}:not([hidden])`);
}

async function write(page, fields) {
  await nav(page, 'write');
  await page.selectOption('#w-kind', fields.kind || 'session');
  await page.fill('#w-case', fields.case || '');
  await page.fill('#w-title', fields.title || '');
  await page.fill('#w-body', fields.body);
  await page.click('#w-send');
}

async function shot(page, name) {
  if (!process.env.SHOTS) return;
  await page.screenshot({ path: path.join(process.env.SHOTS, name + '.png'), fullPage: true });
}

(async () => {
  const timings = {};
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run']
  });
  try {
    // A unlocks her locked daemon in the page.
    step('A unlocks her locked daemon in the page.');
    const A = await openPage(browser, 'anna');
    await A.waitForSelector('#view-unlock:not([hidden])');
    await axe(A, 'unlock');
    await A.fill('#pass', 'test passphrase');
    await A.press('#pass', 'Enter');
    await A.waitForSelector('#view-invite:not([hidden])');   // no group yet
    if (!/"locked": false/.test(b('anna', '--json', 'status'))) fail('the page did not unlock anna');
    fs.writeFileSync(path.join(T, 'c.txt'), 'Name: Tuesday group\n\nWhat is said here stays here.\n');
    b('anna', 'group', 'create', '--contract', path.join(T, 'c.txt'));
    await A.reload();
    await A.waitForSelector('#view-notes:not([hidden])');

    // A invites B in her page; B joins in his (reads the contract first).
    step('A invites B in her page; B joins in his (reads the contract first).');
    // B's browser speaks Swedish: so does his page.
    const B = await openPage(browser, 'ben', 'sv-SE');
    await B.waitForSelector('#view-invite:not([hidden])');
    if ((await B.getAttribute('html', 'lang')) !== 'sv') fail('an sv-SE browser did not get Swedish');
    await nav(A, 'invite');
    await A.fill('#i-name', 'ben');
    await A.click('#invite-form button[type=submit]');
    await A.waitForSelector('#invite-out:not([hidden])');
    const code = await A.inputValue('#i-code');
    if (!code) fail('no invite code shown');
    await axe(A, 'invite');
    await B.fill('#j-code', code);
    await B.click('#join-form button[type=submit]');
    await B.waitForSelector('#join-out:not([hidden])');
    if (!/stays here/.test(await B.textContent('#j-contract'))) fail('B was not shown the contract');
    await B.click('#j-accept');
    await B.waitForSelector('#view-notes:not([hidden])', { timeout: 20000 });
    await B.waitForFunction(() => document.getElementById('group-title').textContent.includes('Tuesday'));

    // A writes; B's page shows it without reloading.
    step("A writes; B's page shows it without reloading.");
    await A.waitForFunction(() => document.getElementById('summary').textContent.startsWith('2'));
    const t0 = Date.now();
    await write(A, { title: 'First meeting', body: 'We talked about endings.' });
    await B.waitForSelector('article.note:has-text("We talked about endings.")', { timeout: 15000 });
    timings.live_ms = Date.now() - t0;
    if (b('ben', 'note', 'list').indexOf('First meeting') < 0) fail("the note is not in ben's note list");

    // A's case; B's follow-up under it, on A's page, after the case.
    step("A's case; B's follow-up under it, on A's page, after the case.");
    await write(A, { kind: 'case', case: 'K1', title: 'The case of K1', body: 'A patient who keeps missing sessions.' });
    await B.waitForSelector('article.note:has-text("keeps missing sessions")', { timeout: 15000 });
    await write(B, { kind: 'followup', case: 'K1', title: 'K1, a month later', body: 'She came to every session.' });
    await nav(A, 'notes');
    await A.click('#by-case');
    await A.waitForSelector('section[data-case="K1"] article.followup:has-text("She came to every session.")', { timeout: 15000 });
    const order = await A.$$eval('section[data-case="K1"] article h4', (hs) => hs.map((h) => h.lastChild.textContent));
    if (order[0] !== 'The case of K1' || order[1] !== 'K1, a month later') fail('case order: ' + JSON.stringify(order));
    // B's follow-up is new to A, marked; once A has seen it, balintd's read
    // mark says so too (balint note list --new), and the mark stays here.
    if (!(await A.$('section[data-case="K1"] article.followup h4 span.new'))) fail('the follow-up is not marked new');
    const t1 = Date.now();
    while (/K1, a month later/.test(b('anna', 'note', 'list', '--new'))) {
      if (Date.now() - t1 > 10000) fail('the follow-up was seen on the page but is still new for balint note list --new');
      await new Promise((r) => setTimeout(r, 200));
    }
    await axe(A, 'notes by case');
    await shot(A, 'page-notes-en');

    // The guard: a personnummer is shown while typing and stopped on send.
    step('The guard: a personnummer is shown while typing and stopped on send.');
    const before = b('anna', '--json', 'note', 'list').split('"note"').length;
    await write(A, { title: 'Anna S', body: 'Patienten har pnr 19811228-9874.' });
    await A.waitForSelector('#allow-box:not([hidden])');
    const hits = await A.textContent('#hits');
    if (!/19811228-9874/.test(hits)) fail('no hit shown: ' + hits);
    if (!/^Not sent/.test(await A.textContent('#hits-title'))) fail('no refusal shown: ' + await A.textContent('#hits-title'));
    if (b('anna', '--json', 'note', 'list').split('"note"').length !== before) fail('the guard let the note through');
    await axe(A, 'write with hits');
    await shot(A, 'page-guard-en');

    // Edit and delete one's own note; others' notes have no such buttons.
    step("Edit and delete one's own note (B sees both live); others' notes have no such buttons.");
    await nav(A, 'notes');
    if (await B.$('article.note:has-text("We talked about endings.") button')) fail("B may edit A's note");
    await A.click('article.note:has-text("We talked about endings.") button:has-text("Edit")');
    await A.waitForSelector('#view-write:not([hidden])');
    await A.fill('#w-body', 'We talked about endings, and about beginnings.');
    await A.click('#w-send');
    await B.waitForSelector('article.note:has-text("and about beginnings")', { timeout: 15000 });
    await A.click('article.note:has-text("and about beginnings") button:has-text("Delete")');
    await B.waitForSelector('article.note:has-text("and about beginnings")', { state: 'detached', timeout: 15000 });
    if (/First meeting/.test(b('ben', 'note', 'list'))) fail("the deleted note is still in ben's note list");

    // A amends the contract in her page; B accepts it in his.
    await nav(A, 'contract');
    await A.fill('#c-new', 'Name: Tuesday group\n\nWhat is said here stays here, also online.\n');
    await A.click('#amend-form button[type=submit]');
    await nav(B, 'contract');
    await B.waitForSelector('#c-accept:not([hidden])', { timeout: 15000 });
    if (!/also online/.test(await B.textContent('#c-text'))) fail('B does not see the amended text');
    await B.click('#c-accept');
    await B.waitForSelector('#c-accept', { state: 'hidden' });

    // Search (balintd's note.search).
    step("Search (balintd's note.search).");
    await nav(A, 'notes');
    await A.fill('#search', 'missing');
    await A.press('#search', 'Enter');
    await A.waitForSelector('#notes h3:has-text("1 notes found")');
    await A.click('#search-clear');

    // Languages: Swedish, and Hebrew right to left; axe in both.
    step('Languages: Swedish, and Hebrew right to left; axe in both.');
    await A.selectOption('#lang', 'sv');
    if ((await A.textContent('#nav button[data-view="write"]')) !== 'Skriv') fail('no Swedish');
    await shot(A, 'page-notes-sv');
    await A.selectOption('#lang', 'he');
    if ((await A.getAttribute('html', 'dir')) !== 'rtl') fail('Hebrew is not right to left');
    await axe(A, 'notes in Hebrew');
    await shot(A, 'page-notes-he');
    await A.selectOption('#lang', 'en');
    await nav(B, 'members');
    await shot(B, 'page-members-sv');
    // Keyboard alone: the skip link first, then Tab to a view and Enter.
    step('Keyboard alone: the skip link first, then Tab to a view and Enter.');
    await A.evaluate(() => { document.body.tabIndex = -1; document.body.focus(); });
    await A.keyboard.press('Tab');
    if ((await A.evaluate(() => document.activeElement.className)) !== 'skip') fail('Tab does not reach the skip link first');
    for (let i = 0; i < 12; i++) {
      await A.keyboard.press('Tab');
      if (await A.evaluate(() => document.activeElement.dataset.view === 'write')) break;
    }
    await A.keyboard.press('Enter');
    await A.waitForSelector('#view-write:not([hidden])');
    if ((await A.evaluate(() => document.activeElement.id)) !== 'h-write') fail('Enter on Write did not move the focus to its heading');
    await nav(A, 'members');
    await axe(A, 'members');
    await nav(A, 'status');
    await axe(A, 'status');
    await nav(A, 'contract');
    await axe(A, 'contract');

    // A, the leader, removes B in her page; B's page says so.
    step("A, the leader, removes B in her page; B's page says so.");
    await nav(A, 'members');
    await A.click('#members button[aria-label="Remove ben from the group"]');
    await B.waitForSelector('#view-removed:not([hidden])', { timeout: 20000 });
    const said = await B.textContent('#view-removed');
    if (!/tagits bort/.test(said) || !/anna/.test(said)) fail('B was told: ' + said);
    await axe(B, 'removed');

    if (outside.length) fail('requests outside 127.0.0.1: ' + outside.join(' '));
    if (cspErrors.length) fail('the page broke its own policy: ' + cspErrors.join(' | '));
    console.log(`page-browser: ok (B saw A's note ${timings.live_ms} ms after A sent it)`);
    if (process.env.BENCH) fs.writeFileSync(process.env.BENCH, JSON.stringify(timings) + '\n');
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error('FAIL: ' + (e.stack || e.message)); process.exit(1); });

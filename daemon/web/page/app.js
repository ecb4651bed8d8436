// app.js — the member's page.  Every datum comes from balintd's control
// handlers through POST /api/call/CMD (the same answers the CLI gets);
// /api/events says when to ask again.  Text from the group is only ever
// put into the page with textContent, never parsed as HTML.
'use strict';

const S = {
  csrf: null, lang: 'en', view: 'notes', order: 'meeting', group: null,
  groupName: '', me: null, myName: '', leader: false, members: [],
  notes: [], wasNew: new Set(), active: 0, search: null, editing: null, removed: [],
  events: null, known: null
};

const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

// ---- language -----------------------------------------------------------
function t(key, ...args) {
  const s = (I18N[S.lang] && I18N[S.lang][key]) || I18N.en[key] || key;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[+i] ?? ''));
}
function pickLang() {
  try {
    const saved = localStorage.getItem('balint-lang');
    if (saved && I18N[saved]) return saved;
  } catch (e) { /* storage may be off */ }
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const p = String(l).slice(0, 2).toLowerCase();
    if (I18N[p]) return p;
  }
  return 'en';
}
function applyLang() {
  document.documentElement.lang = S.lang;
  document.documentElement.dir = I18N[S.lang].dir || 'ltr';
  document.title = t('app');
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  $('nav').setAttribute('aria-label', t('views'));
  $('lang').value = S.lang;
}
const fmts = new Map();
function fmt(style) {
  const k = S.lang + style;
  if (!fmts.has(k)) {
    fmts.set(k, new Intl.DateTimeFormat(S.lang, style === 'day' ? { dateStyle: 'full' } : { dateStyle: 'medium', timeStyle: 'short' }));
  }
  return fmts.get(k);
}
function fmtTime(ms) { return fmt('time').format(new Date(ms)); }
function fmtDay(ms) { return fmt('day').format(new Date(ms)); }

// ---- talking to balintd -------------------------------------------------
// The session's secret: from the login redirect's fragment (#s=...) into
// this tab's sessionStorage (this origin's only, port included: another
// program on 127.0.0.1 cannot read it, as it could a cookie), sent as
// X-Balint-Session with every request.  A new tab needs balint open.
function sessionSecret() {
  const m = /^#s=([0-9a-f]{64})$/.exec(location.hash);
  try {
    if (m) sessionStorage.setItem('balint-session', m[1]);
    if (m) history.replaceState(null, '', '/');
    return sessionStorage.getItem('balint-session') || (m && m[1]) || '';
  } catch (e) { return m ? m[1] : ''; }
}
S.secret = sessionSecret();
function req(path, post, body) {
  const h = { 'X-Balint-Session': S.secret };
  if (post) { h['Content-Type'] = 'application/json'; h['X-CSRF-Token'] = S.csrf || ''; }
  return fetch(path, {
    method: post ? 'POST' : 'GET', credentials: 'omit', cache: 'no-store',
    headers: h, body: post ? JSON.stringify(body || {}) : undefined
  });
}
async function api(cmd, args) {
  const r = await req('/api/call/' + cmd, true, args);
  if (r.status === 401) { show('login'); throw new Error(t('login_title')); }
  return r.json();
}
function g(args) { return Object.assign({ group: S.group }, args || {}); }
function say(msg) { $('live').textContent = ''; setTimeout(() => { $('live').textContent = msg; }, 50); }
function showError(msg) {
  const e = $('error');
  e.textContent = msg || '';
  e.hidden = !msg;
}

// ---- views --------------------------------------------------------------
const VIEWS = ['login', 'unlock', 'removed', 'notes', 'write', 'members', 'invite', 'contract', 'status'];
function show(view, focus) {
  S.view = view;
  for (const v of VIEWS) $('view-' + v).hidden = v !== view;
  for (const b of document.querySelectorAll('#nav button')) {
    if (b.dataset.view === view) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  $('nav').hidden = !['notes', 'write', 'members', 'invite', 'contract', 'status'].includes(view);
  if (focus) {
    const h = document.querySelector('#view-' + view + ' h2');
    h.tabIndex = -1;
    h.focus();
  }
}

// ---- the whole state ----------------------------------------------------
async function refresh() {
  const st = await api('status');
  if (st.status !== 0) { showError(st.error); return; }
  const daemon = st.records.find((r) => r.kind === 'daemon') || {};
  if (daemon.locked) { show('unlock'); $('pass').focus(); return; }
  S.me = daemon.member_id;
  const groups = st.records.filter((r) => r.kind === 'group');
  S.removed = st.records.filter((r) => r.kind === 'removed');
  S.status = st.records;
  if (!groups.length) {
    S.group = null;
    $('group-title').textContent = '';
    if (S.removed.length) { showRemoved(); return; }
    $('summary').textContent = t('no_group');
    show('invite');
    $('invite-box').hidden = true;
    return;
  }
  $('invite-box').hidden = false;
  if (!groups.some((x) => x.group === S.group)) S.group = groups[0].group;
  const gr = groups.find((x) => x.group === S.group);
  S.groupName = gr.name;
  $('group-title').textContent = '— ' + gr.name;
  await loadMembers();		// who "you" are, before the notes
  await Promise.all([loadNotes(), loadContract()]);
  renderStatus();
  if (['login', 'unlock', 'removed'].includes(S.view) || (S.view === 'invite' && S.known === null)) show('notes');
  else show(S.view);
  S.known = true;
}

function showRemoved() {
  const r = S.removed[S.removed.length - 1];
  $('removed-text').textContent = t('removed_text', r.name, r.by, t('how_' + r.how), fmtTime(r.time));
  $('summary').textContent = '';
  show('removed', true);
  say(t('removed_title'));
}

// ---- members ------------------------------------------------------------
async function loadMembers() {
  const r = await api('members', g());
  if (r.status !== 0) { showError(r.error); return; }
  S.members = r.records;
  const mine = r.records.find((m) => m.member_id === S.me);
  S.myName = mine ? mine.name : '';
  S.leader = !!(mine && mine.role === 'leader');
  $('state-code').textContent = r.records.length ? r.records[0].state_code : '';
  const tb = $('members');
  tb.replaceChildren();
  for (const m of r.records) {
    const act = el('td');
    if (S.leader && m.member_id !== S.me && m.status === 'active') {
      act.append(el('button', {
        type: 'button', class: 'danger', text: t('revoke'),
        'aria-label': t('revoke_who', m.name), onclick: () => revoke(m)
      }));
    }
    tb.append(el('tr', {},
      el('th', { scope: 'row', text: m.name + (m.member_id === S.me ? ' (' + t('you') + ')' : '') }),
      el('td', { text: t('role_' + m.role) }),
      el('td', { class: 'code', text: m.fingerprint }),
      el('td', { text: t('status_' + m.status) }),
      act));
  }
  S.active = r.records.filter((m) => m.status === 'active').length;
  $('summary').textContent = t('summary', S.active);
}

async function revoke(m) {
  if (!confirm(t('revoke_confirm', m.name))) return;
  const r = await api('revoke', g({ member: m.member_id }));
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  say(t('revoked', m.name));
  await refresh();
}

// ---- notes --------------------------------------------------------------
async function loadNotes() {
  // The texts come with the list, in pages that end before a message
  // would outgrow balintd's limit: ask again from where one ended.
  const all = [];
  for (;;) {
    const r = await api('note.list', g({ bodies: true, offset: all.length, limit: 1000 }));
    if (r.status !== 0) { showError(r.error); return; }
    if (!r.records.length) break;
    all.push(...r.records);
  }
  const before = new Set(S.notes.map((n) => n.note));
  const fresh = S.known ? all.filter((n) => !before.has(n.note) && n.author !== S.myName) : [];
  S.notes = all;
  for (const n of all) if (n.new) S.wasNew.add(n.note);
  const cases = new Set(S.notes.map((n) => n.case).filter(Boolean));
  $('case-list').replaceChildren(...[...cases].map((c) => el('option', { value: c })));
  renderNotes();
  const nnew = all.filter((n) => S.wasNew.has(n.note)).length;
  $('summary').textContent = t('summary', S.active) + (nnew ? ' · ' + t('new_count', nnew) : '');
  if (fresh.length === 1) say(t('arrived_one', fresh[0].author));
  else if (fresh.length > 1) say(t('arrived_many', fresh.length));
}

// A new note seen on screen for a second is marked read in balintd (note.show
// marks what it shows); its mark stays on this page until it is reloaded.
const seen = new IntersectionObserver((entries) => {
  for (const e of entries) {
    const id = e.target.dataset.note;
    if (!e.isIntersecting) { clearTimeout(e.target._seen); continue; }
    e.target._seen = setTimeout(() => {
      seen.unobserve(e.target);
      api('note.show', g({ note: id })).catch(() => {});
    }, 1000);
  }
}, { threshold: 0.5 });

function noteCard(n, hit) {
  // dir=auto: a note keeps its own direction whatever the page's language.
  const body = el('p', { class: 'body', dir: 'auto', text: n.body || '' });
  const title = n.title || t('kind_' + n.kind);
  const isNew = S.wasNew.has(n.note);
  const art = el('article', { class: 'note ' + n.kind, 'data-note': n.note, 'aria-label': isNew ? t('new') + ': ' + title : title },
    el('h4', { dir: 'auto' }, isNew ? el('span', { class: 'new', text: t('new') }) : null, isNew ? ' ' : null, title),
    el('p', { class: 'meta', text: t('by_on', n.author, fmtTime(n.time)) +
      (n.case ? ' · ' + t('case_ref') + ': ' + n.case : '') +
      (n.versions > 1 ? ' · ' + t('edited', fmtTime(n.updated)) : '') }),
    body);
  if (hit && hit.match) art.append(el('p', { class: 'meta', dir: 'auto', text: '… ' + hit.match + ' …' }));
  if (n.author === S.myName) {
    art.append(el('div', { class: 'note-actions' },
      el('button', { type: 'button', text: t('edit'), 'aria-label': t('edit_what', title), onclick: () => startEdit(n) }),
      el('button', { type: 'button', class: 'danger', text: t('delete'), 'aria-label': t('delete_what', title), onclick: () => del(n) })));
  }
  if (n.new) seen.observe(art);
  return art;
}

function renderNotes() {
  const box = $('notes');
  let list = S.notes;
  let hits = null;
  if (S.search) {
    hits = new Map(S.search.map((h) => [h.note, h]));
    list = S.search.map((h) => S.notes.find((n) => n.note === h.note)).filter(Boolean);
  }
  const frag = document.createDocumentFragment();
  const add = (n) => noteCard(n, hits && hits.get(n.note));
  if (hits) {
    frag.append(el('h3', { class: 'group-head', text: t('results', list.length) }));
    for (const n of list) frag.append(add(n));
  } else if (S.order === 'case') {
    const byCase = new Map();
    for (const n of list) {
      const k = n.case || '';
      if (!byCase.has(k)) byCase.set(k, []);
      byCase.get(k).push(n);
    }
    const keys = [...byCase.keys()].sort((a, b) => (a === '') - (b === '') || a.localeCompare(b));
    for (const k of keys) {
      const sec = el('section', { class: 'case', 'data-case': k, 'aria-label': k ? t('case_named', k) : t('no_case') });
      sec.append(el('h3', { class: 'group-head', text: k ? t('case_named', k) : t('no_case') }));
      // The case itself first, then its follow-ups in the order written.
      const ns = byCase.get(k).slice().sort((a, b) => (a.kind !== 'case') - (b.kind !== 'case') || a.time - b.time);
      for (const n of ns) sec.append(add(n));
      frag.append(sec);
    }
  } else {
    const byDay = new Map();
    for (const n of list.slice().sort((a, b) => b.time - a.time)) {
      const d = new Date(n.time);
      const k = d.getFullYear() + '-' + d.getMonth() + '-' + d.getDate();
      if (!byDay.has(k)) byDay.set(k, []);
      byDay.get(k).push(n);
    }
    for (const ns of byDay.values()) {
      const sec = el('section', { class: 'meeting', 'aria-label': t('meeting_of', fmtDay(ns[0].time)) });
      sec.append(el('h3', { class: 'group-head', text: t('meeting_of', fmtDay(ns[0].time)) }));
      for (const n of ns.sort((a, b) => a.time - b.time)) sec.append(add(n));
      frag.append(sec);
    }
  }
  box.replaceChildren(frag);
  $('notes-empty').hidden = list.length > 0;
  // For make bench (bench/page.sh): when the list was first on screen.
  if (!performance.getEntriesByName('balint-notes-list').length) {
    requestAnimationFrame(() => performance.mark('balint-notes-list'));
  }

}

async function del(n) {
  if (!confirm(t('delete_confirm', n.title || t('kind_' + n.kind)))) return;
  const r = await api('note.delete', g({ note: n.note }));
  if (r.status !== 0) { showError(r.error); return; }
  say(t('deleted'));
  await loadNotes();
}

// ---- writing ------------------------------------------------------------
function startEdit(n) {
  S.editing = n;
  $('w-note').value = n.note;
  $('w-kind').value = n.kind;
  $('w-kind').disabled = true;
  $('w-case').value = n.case || '';
  $('w-case').disabled = true;
  $('w-title').value = n.title || '';
  $('w-body').value = n.body || '';
  $('w-editing').hidden = false;
  $('w-editing').textContent = t('editing', n.title || t('kind_' + n.kind));
  $('w-cancel').hidden = false;
  show('write', true);
}
function resetWrite() {
  S.editing = null;
  $('write-form').reset();
  $('w-kind').disabled = false;
  $('w-case').disabled = false;
  $('w-editing').hidden = true;
  $('w-cancel').hidden = true;
  $('allow-box').hidden = true;
  $('hits').replaceChildren();
}

function showHits(records, refused) {
  const hits = records.filter((r) => r.kind === 'hit');
  const box = $('hits');
  if (!hits.length) { box.replaceChildren(); $('allow-box').hidden = true; return; }
  box.replaceChildren(
    el('p', { class: 'hit', id: 'hits-title', role: refused ? 'alert' : null, text: refused ? t('guard_refused', hits.length) : t('guard_found', hits.length) }),
    el('ul', { 'aria-labelledby': 'hits-title' }, ...hits.map((h) =>
      el('li', { text: t('hit_line', h.label, h.text, h.line, h.col) + (h.field && h.field !== 'text' ? ' (' + t(h.field === 'title' ? 'title' : 'case_ref') + ')' : '') }))));
  $('allow-box').hidden = !refused;
}

let guardTimer = null;
function guardLater() {
  clearTimeout(guardTimer);
  guardTimer = setTimeout(async () => {
    // Each field on its own, so that lines and columns are the field's.
    const fields = [['title', $('w-title').value], ['case', $('w-case').value], ['text', $('w-body').value]];
    const all = [];
    for (const [field, text] of fields) {
      if (!text.trim()) continue;
      const r = await api('guard.check', g({ text }));
      for (const h of r.records || []) if (h.kind === 'hit') all.push(Object.assign({}, h, { field }));
    }
    showHits(all, false);
  }, 400);
}

async function send(ev) {
  ev.preventDefault();
  clearTimeout(guardTimer);
  const body = $('w-body').value;
  if (!body.trim() && !S.editing) { showError(t('empty_note')); $('w-body').focus(); return; }
  const args = { body };
  if ($('w-title').value) args.title = $('w-title').value;
  if ($('w-allow').checked) args.allow_identifiers = true;
  let r;
  if (S.editing) {
    if (!args.title) args.title = S.editing.title || '';
    r = await api('note.edit', g(Object.assign({ note: S.editing.note }, args)));
  } else {
    args.kind = $('w-kind').value;
    if ($('w-case').value) args.case = $('w-case').value;
    r = await api('note.write', g(args));
  }
  if (r.status !== 0) {
    const hits = (r.records || []).filter((x) => x.kind === 'hit');
    // The guard's refusal is said in the page's words, with its findings.
    showError(hits.length ? '' : r.error);
    showHits(hits, true);
    return;
  }
  showError('');
  resetWrite();
  say(t('written'));
  await loadNotes();
  show('notes', true);
}

// ---- invite, join, contract, leave ---------------------------------------
async function invite(ev) {
  ev.preventDefault();
  const args = { expires: 7 * 24 * 3600 };
  if ($('i-name').value) args.name = $('i-name').value;
  const r = await api('invite', g(args));
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  $('invite-out').hidden = false;
  $('i-code').value = r.records[0].code;
  $('i-expiry').textContent = t('invite_expiry', fmtTime(Date.now() + args.expires * 1000));
  $('i-code').focus();
  $('i-code').select();
}
async function copyCode() {
  try { await navigator.clipboard.writeText($('i-code').value); } catch (e) {
    $('i-code').select();
    document.execCommand('copy');
  }
  say(t('copied'));
}
async function joinPreview(ev) {
  ev.preventDefault();
  $('join-out').hidden = true;
  say(t('joining'));
  const r = await api('join', { code: $('j-code').value.trim(), preview: true });
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  const x = r.records[0];
  $('j-contract').textContent = x.contract;
  $('j-inviter').textContent = t('invited_by', x.inviter, x.inviter_fingerprint, x.name);
  $('join-out').hidden = false;
  $('j-contract').focus();
}
async function joinAccept() {
  say(t('joining'));
  const r = await api('join', { code: $('j-code').value.trim(), accept: true });
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  $('join-out').hidden = true;
  $('join-form').reset();
  S.group = r.records[0] && r.records[0].group;
  say(t('joined'));
  S.known = null;
  await refresh();
}
async function loadContract() {
  const r = await api('contract.show', g());
  if (r.status !== 0) return;
  const c = r.records.find((x) => x.kind === 'contract');
  const me = r.records.find((x) => x.kind === 'member' && x.member_id === S.me);
  if (!c) return;
  $('c-text').textContent = c.text;
  $('c-version').textContent = t('contract_version', c.version, me ? me.accepted : '?');
  $('c-accept').hidden = !me || me.accepted >= c.version;
  $('amend-form').hidden = !S.leader;
  if (!$('c-new').value) $('c-new').value = c.text;
}
async function accept() {
  const r = await api('contract.accept', g());
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  say(t('accepted'));
  await loadContract();
}
async function amend(ev) {
  ev.preventDefault();
  const r = await api('contract.amend', g({ contract: $('c-new').value }));
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  say(t('amended'));
  await loadContract();
}
async function leave() {
  if (!confirm(t('leave_confirm', S.groupName))) return;
  const r = await api('leave', g());
  if (r.status !== 0) { showError(r.error); return; }
  showError('');
  await refresh();
}

// ---- status in plain words ------------------------------------------------
function renderStatus() {
  const ul = $('status');
  const items = [];
  const d = S.status.find((r) => r.kind === 'daemon') || {};
  items.push(t('st_me', d.name, d.fingerprint));
  items.push(d.listen ? t('st_listen', d.listen) : t('st_nolisten'));
  if (d.tor_text) items.push(d.tor_text);
  const gr = S.status.find((r) => r.kind === 'group' && r.group === S.group);
  if (gr) {
    items.push(t('st_group', gr.name, gr.members, gr.entries));
    if (gr.missing_bodies) items.push(t('st_missing', gr.missing_bodies));
  }
  const peers = S.status.filter((r) => r.kind === 'peer' && (!r.group || r.group === S.group));
  if (!peers.length) items.push(t('st_nopeers'));
  for (const p of peers) {
    items.push(t(p.level ? 'st_peer_level' : 'st_peer_behind', p.name || p.member, p.via || p.address, p.state));
  }
  ul.replaceChildren(...items.map((s) => el('li', { text: s })));
}

// ---- live updates --------------------------------------------------------
async function listen() {
  if (S.events) return;
  // An EventSource sends no headers: a single-use ticket opens the stream.
  const tk = await req('/api/events', true);
  if (tk.status === 401) { show('login'); return; }
  if (S.events) return;
  S.events = new EventSource('/api/events?t=' + (await tk.json()).ticket);
  let busy = false, again = false;
  const upd = async (what) => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      if (what === 'entry' && S.group) { await loadNotes(); await loadContract(); }
      else await refresh();
    } catch (e) { /* the next event tries again */ }
    busy = false;
    if (again) { again = false; upd('all'); }
  };
  S.events.addEventListener('entry', () => upd('entry'));
  S.events.addEventListener('roster', () => upd('roster'));
  S.events.addEventListener('removed', () => upd('removed'));
  S.events.addEventListener('open', () => { if (S.known) upd('all'); });
  // The stream broke: a new ticket in a while (its own would not do);
  // balintd restarted (a new session is needed) or stopped: say so.
  S.events.addEventListener('error', async () => {
    S.events.close();
    S.events = null;
    try {
      const r = await req('/api/session');
      if (r.status === 401) { show('login'); return; }
    } catch (e) { showError(t('no_daemon')); }
    const again = () => listen().catch(() => setTimeout(again, 2000));
    setTimeout(again, 2000);
  });
}

// ---- start ---------------------------------------------------------------
async function start() {
  S.lang = pickLang();
  applyLang();
  $('lang').addEventListener('change', () => {
    S.lang = $('lang').value;
    try { localStorage.setItem('balint-lang', S.lang); } catch (e) { /* fine */ }
    applyLang();
    if (S.group) { renderNotes(); loadMembers(); renderStatus(); loadContract(); }
  });
  for (const b of document.querySelectorAll('#nav button')) {
    b.addEventListener('click', () => { showError(''); show(b.dataset.view, true); });
  }
  $('by-meeting').addEventListener('click', () => { S.order = 'meeting'; $('by-meeting').setAttribute('aria-pressed', 'true'); $('by-case').setAttribute('aria-pressed', 'false'); renderNotes(); });
  $('by-case').addEventListener('click', () => { S.order = 'case'; $('by-case').setAttribute('aria-pressed', 'true'); $('by-meeting').setAttribute('aria-pressed', 'false'); renderNotes(); });
  $('search-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = $('search').value.trim();
    if (!q) { S.search = null; $('search-clear').hidden = true; renderNotes(); return; }
    const r = await api('note.search', g({ query: q }));
    S.search = r.status === 0 ? r.records : [];
    $('search-clear').hidden = false;
    renderNotes();
    say(t('results', S.search.length));
  });
  $('search-clear').addEventListener('click', () => { S.search = null; $('search').value = ''; $('search-clear').hidden = true; renderNotes(); $('search').focus(); });
  $('unlock-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const r = await api('unlock', { passphrase: $('pass').value });
    $('pass').value = '';
    if (r.status !== 0) { showError(r.error); $('pass').focus(); return; }
    showError('');
    say(t('unlocked'));
    await refresh();
  });
  $('write-form').addEventListener('submit', send);
  for (const id of ['w-body', 'w-title', 'w-case']) $(id).addEventListener('input', guardLater);
  $('w-cancel').addEventListener('click', () => { resetWrite(); show('notes', true); });
  $('invite-form').addEventListener('submit', invite);
  $('i-copy').addEventListener('click', copyCode);
  $('join-form').addEventListener('submit', joinPreview);
  $('j-accept').addEventListener('click', joinAccept);
  $('c-accept').addEventListener('click', accept);
  $('amend-form').addEventListener('submit', amend);
  $('leave').addEventListener('click', leave);

  const r = await req('/api/session');
  if (r.status !== 200) { show('login'); return; }
  S.csrf = (await r.json()).csrf;
  await listen();
  await refresh();
}
start().catch((e) => showError(String(e.message || e)));

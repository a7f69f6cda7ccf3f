/**
 * The status page served at GET /: one dependency-free HTML document with
 * inline CSS and JS that polls ./status and ./events every second and redraws
 * (DOM APIs and textContent only, so no journal text is ever parsed as HTML).
 * A Content-Security-Policy pins the inline script and style by hash.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--mute:#6b7385;--line:#e3e6ec;--ok:#1f8a4c;--warn:#b7791f;--crit:#c53030;--unk:#6b7385}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;gap:16px;align-items:center;flex-wrap:wrap;padding:14px 20px;background:var(--ink);color:#fff}
header h1{font-size:18px;margin:0;font-weight:600}header .meta{color:#c9cfdb;font-size:13px}
main{padding:16px 20px;display:grid;gap:16px}
#processes{display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(380px,1fr))}
.card{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--unk);border-radius:6px;padding:10px 14px}
.card.ok{border-left-color:var(--ok)}.card.warning{border-left-color:var(--warn)}.card.critical{border-left-color:var(--crit)}
.card h2{font-size:16px;margin:0 0 4px;display:flex;gap:8px;align-items:center}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;background:var(--unk)}
.badge.ok{background:var(--ok)}.badge.warning{background:var(--warn)}.badge.critical{background:var(--crit)}
.summary{color:var(--mute);margin:0 0 6px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid var(--line);font-size:13px}
th{color:var(--mute);font-weight:500}tr.active td{font-weight:600;background:#eef7f1}
.k-up{color:var(--ok)}.k-down{color:var(--crit)}.k-unreachable,.k-error{color:var(--warn)}
.foot{color:var(--mute);font-size:12px;margin-top:6px}
section.events{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
section.events h2{font-size:15px;margin:0 0 6px}.bad{color:var(--crit)}
#conn.down{color:#ffb4b4}ul#problems{margin:0;padding-left:18px;color:var(--crit)}
`;

const SCRIPT = `
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === 'text') node.textContent = props[k];
      else if (k === 'className') node.className = props[k];
      else node.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }
  function age(ms) {
    if (ms === null || ms === undefined) return 'never';
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 120) return s + 's ago';
    var m = Math.floor(s / 60); if (m < 120) return m + 'm ago';
    var h = Math.floor(m / 60); return h < 48 ? h + 'h ago' : Math.floor(h / 24) + 'd ago';
  }
  function clock(at) { return new Date(at).toLocaleTimeString(); }
  function hostRow(h) {
    var o = h.observation;
    return el('tr', { className: h.active ? 'active' : '', 'data-host': h.host, 'data-active': String(h.active) }, [
      el('td', { text: String(h.rank) }),
      el('td', { text: (h.active ? '\\u25B6 ' : '') + h.host }),
      el('td', { text: h.transport }),
      el('td', { className: o ? 'k-' + o.kind : '', text: o ? o.kind : '-' }),
      el('td', { text: o && o.priority !== null ? String(o.priority) : '-' }),
      el('td', { text: o ? age(o.ageMs) : 'never', title: o && o.reason ? o.reason : '' })
    ]);
  }
  function memberRows(p) {
    return (p.members || []).reduce(function (rows, m) {
      return rows.concat(m.hosts.map(function (h) {
        return el('tr', { className: 'member', 'data-member': m.name, 'data-member-host': h.host }, [
          el('td', { text: '' }),
          el('td', { text: m.name + ' @ ' + h.host }),
          el('td', { text: 'member' }),
          el('td', { className: h.kind ? 'k-' + h.kind : '', text: h.kind || '-' }),
          el('td', { text: h.priority !== null ? String(h.priority) : '-' }),
          el('td', { text: '', title: h.reason || '' })
        ]);
      }));
    }, []);
  }
  function card(p) {
    var a = p.lastAction;
    var flags = [];
    if (p.flags.maintenance) flags.push('maintenance');
    if (p.flags.latched) flags.push('latched');
    if (p.flags.pendingRequest) flags.push('request: ' + p.flags.pendingRequest.type);
    var foot = 'restarts ' + p.restarts.inWindow + '/' + p.restarts.max +
      ' \\u00B7 last action: ' + (a ? a.type + (a.host ? ' ' + a.host : '') + ' ' + (a.ok ? 'ok' : 'FAILED') + ' ' + age(a.ageMs) : 'none') +
      (flags.length ? ' \\u00B7 ' + flags.join(', ') : '');
    return el('div', { className: 'card ' + p.severity, 'data-process': p.name, 'data-state': p.state, 'data-active-host': p.activeHost || '' }, [
      el('h2', {}, [el('span', { text: p.name }), el('span', { className: 'badge ' + p.severity, text: p.state })]),
      el('p', { className: 'summary', text: p.summary }),
      el('table', {}, [
        el('thead', {}, [el('tr', {}, ['#', 'host', 'via', 'check', 'prio', 'checked'].map(function (t) { return el('th', { text: t }); }))]),
        el('tbody', {}, p.hosts.map(hostRow).concat(memberRows(p)))
      ]),
      el('div', { className: 'foot', text: foot })
    ]);
  }
  function renderStatus(s) {
    $('overall').className = 'badge ' + s.overall;
    $('overall').textContent = s.overall.toUpperCase();
    var w = s.watcher;
    $('meta').textContent = s.summary.up + ' of ' + s.summary.total + ' up \\u00B7 ' +
      (w ? 'watcher ' + (w.alive ? 'alive' : 'NOT RUNNING') + (w.pid ? ' (pid ' + w.pid + ')' : '') : 'no watcher info') +
      ' \\u00B7 ' + s.configFile;
    $('problems').replaceChildren.apply($('problems'), s.problems.map(function (t) { return el('li', { text: t }); }));
    $('processes').replaceChildren.apply($('processes'), s.processes.map(card));
  }
  function renderEvents(list) {
    var rows = list.slice().reverse().map(function (e) {
      return el('tr', { 'data-event': e.event }, [
        el('td', { text: clock(e.at) }), el('td', { text: e.process }), el('td', { text: e.event }),
        el('td', { text: e.host || '' }),
        el('td', { className: e.ok === false ? 'bad' : '', text: e.ok === undefined ? '' : e.ok ? 'ok' : 'failed' }),
        el('td', { text: e.reason || '' })
      ]);
    });
    $('events').replaceChildren.apply($('events'), rows);
  }
  var token = (/[#&]token=([^&]+)/.exec(location.hash) || [])[1];
  function getJson(url) {
    var headers = token ? { Authorization: 'Bearer ' + decodeURIComponent(token) } : {};
    return fetch(url, { cache: 'no-store', headers: headers }).then(function (r) {
      if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
      return r.json();
    });
  }
  function tick() {
    Promise.all([getJson('status'), getJson('events?limit=20')]).then(function (res) {
      renderStatus(res[0]);
      renderEvents(res[1].events || []);
      $('conn').className = ''; $('conn').textContent = 'updated ' + clock(Date.now());
    }).catch(function (err) {
      $('conn').className = 'down'; $('conn').textContent = 'cannot reach ha-valet: ' + err.message;
    }).then(function () { setTimeout(tick, 1000); });
  }
  tick();
})();
`;

/** The page and the CSP header that allows exactly its inline script and style. */
export function buildStatusPage(): { html: string; csp: string } {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ha-valet status</title><style>${STYLE}</style></head>
<body><header><h1>ha-valet</h1><span id="overall" class="badge">…</span><span id="meta" class="meta">loading…</span>
<span id="conn" class="meta"></span></header>
<main><ul id="problems"></ul><div id="processes"></div>
<section class="events"><h2>Recent events</h2><table><thead><tr><th>time</th><th>process</th><th>event</th><th>host</th><th>result</th><th>reason</th></tr></thead>
<tbody id="events"></tbody></table></section></main>
<script>${SCRIPT}</script></body></html>
`;
  const csp = [
    "default-src 'none'",
    "connect-src 'self'",
    `script-src '${hashOf(SCRIPT)}'`,
    `style-src '${hashOf(STYLE)}'`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}

/** CSP source expression for an inline block. */
function hashOf(text: string): string {
  return `sha256-${createHash('sha256').update(text).digest('base64')}`;
}

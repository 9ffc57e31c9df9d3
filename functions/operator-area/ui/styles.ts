/** The operator pages' one stylesheet: plain CSS, readable at 390 px and at 1280 px, high contrast. */
export const UI_CSS = `
:root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --accent: #0a58ca; --high: #b42318; --ok: #1a7f37; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #fbbf24; outline-offset: 1px; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header.top form { margin: 0; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.35rem; margin: .2rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .6rem; }
.counts { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.counts li { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .8rem; min-width: 8rem; }
.counts strong { display: block; font-size: 1.3rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: flex-end; margin-bottom: 1rem; }
form.filters label, form.stack label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .15rem; }
input, select, textarea, button { font: inherit; color: var(--fg); }
input, select, textarea { border: 1px solid #8c959f; border-radius: 6px; padding: .35rem .5rem; background: #fff; max-width: 100%; }
button { border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; padding: .4rem .8rem; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .85rem; color: var(--muted); }
td.subject { overflow-wrap: anywhere; min-width: 12rem; }
.badge { display: inline-block; border-radius: 999px; padding: 0 .5rem; font-size: .8rem; border: 1px solid currentColor; white-space: nowrap; }
.badge.high, .badge.dead { color: var(--high); }
.badge.open, .badge.pending { color: var(--warn); }
.badge.closed, .badge.delivered, .badge.ok { color: var(--ok); }
.badge.normal, .badge.skipped { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
ol.timeline li { margin: 0 0 .9rem; padding-left: .8rem; }
ol.timeline .when { color: var(--muted); font-size: .85rem; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .85rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: 1rem 0; }
.actions form { margin: 0; }
form.stack { display: flex; flex-direction: column; gap: .5rem; max-width: 28rem; }
.notice { border: 1px solid var(--line); border-left: 4px solid var(--ok); background: var(--panel); padding: .5rem .8rem; margin: 0 0 1rem; }
.notice.error { border-left-color: var(--high); }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
figure.chart { margin: 0 0 1rem; }
figure.chart svg { width: 100%; max-width: 640px; height: auto; }
figure.chart figcaption { font-size: .85rem; color: var(--muted); }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

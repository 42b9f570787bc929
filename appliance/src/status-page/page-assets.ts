// The status page's HTML and CSS, bundled into the package as strings: the box is offline, so
// nothing comes from a CDN, and strings need no copy step for dist/ or the OS image.

export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>earshot</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/page.css">
<script src="/page.js" defer></script>
</head>
<body>
<header>
  <h1>earshot <span id="box-id"></span></h1>
  <span id="link" class="link off">connecting…</span>
</header>
<main>
  <section id="verdict" class="verdict ok"><span id="verdict-text">Loading…</span><span id="now" class="muted-text"></span></section>
  <div class="cards">
    <section class="card"><h2>Echo</h2>
      <p><span id="echo-dot" class="dot"></span><span id="echo-state">—</span></p>
      <dl><dt>IP</dt><dd id="echo-ip">—</dd><dt>MAC</dt><dd id="echo-mac">—</dd><dt>LED</dt><dd id="led-state">—</dd></dl>
      <ul id="echo-devices" class="devices"></ul>
    </section>
    <section class="card"><h2>Ring</h2>
      <p><span id="ring-dot" class="dot"></span><span id="ring-state">—</span></p>
      <dl><dt>Sensor</dt><dd id="ring-source">—</dd><dt>Health</dt><dd id="ring-health">—</dd></dl>
    </section>
    <section class="card"><h2>Enforcement</h2>
      <p id="enforcement-mode">—</p>
      <button id="toggle-block" class="action" disabled>Block when muted</button>
    </section>
    <section class="card"><h2>Recording</h2>
      <p id="recording-state">—</p>
      <p id="recording-disk" class="muted-text"></p>
      <button id="toggle-record" class="action" disabled>Start recording</button>
    </section>
  </div>
  <section class="card wide"><h2>Upstream bytes/s <span class="legend"><i class="key muted"></i>muted <i class="key listening"></i>listening <i class="key idle"></i>idle</span></h2>
    <svg id="chart" role="img" aria-label="Upstream bytes per second with the ring state behind" height="220"></svg>
  </section>
  <div class="cards two">
    <section class="card wide"><h2>Alerts <span id="alerts-total" class="muted-text"></span></h2>
      <table id="alerts"><thead><tr><th>Time</th><th>Severity</th><th>Reason</th><th>Bytes</th><th>Latency</th><th>Blocked</th><th></th></tr></thead><tbody></tbody></table>
      <p id="no-alerts" class="muted-text">No alerts.</p>
    </section>
    <section class="card"><h2>Packets per class</h2>
      <table id="classes"><tbody></tbody></table>
      <p class="muted-text">Capture drops: <span id="dropped">0</span></p>
    </section>
  </div>
</main>
<footer>
  <form id="token-form"><label>Action token <input id="token" type="password" autocomplete="off" placeholder="from the config or first boot"></label> <button type="submit">Save</button> <span id="action-note" class="muted-text"></span></form>
</footer>
</body>
</html>
`;

export const PAGE_CSS = String.raw`
:root { --muted: #c0392b; --listening: #2e86de; --idle: #95a5a6; --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --soft: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, "DejaVu Sans", sans-serif; background: var(--bg); color: var(--ink); }
header, footer { display: flex; align-items: center; justify-content: space-between; padding: 10px 20px; background: #1d2330; color: #fff; }
footer { background: transparent; color: var(--ink); }
h1 { font-size: 20px; margin: 0; } h1 span { font-weight: normal; opacity: .7; }
h2 { font-size: 14px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--soft); display: flex; justify-content: space-between; }
main { padding: 16px 20px; display: grid; gap: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px; }
.cards.two { grid-template-columns: 3fr 1fr; }
@media (max-width: 800px) { .cards.two { grid-template-columns: 1fr; } }
.card { background: var(--card); border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); min-width: 0; }
.card p { margin: 4px 0; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 6px 0 0; } dt { color: var(--soft); } dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
.verdict { padding: 12px 16px; border-radius: 8px; font-weight: 600; display: flex; justify-content: space-between; color: #fff; }
.verdict.ok { background: #2f855a; } .verdict.warning { background: #b7791f; } .verdict.critical { background: var(--muted); } .verdict.fault { background: #6b46c1; }
.verdict .muted-text { color: rgba(255,255,255,.8); font-weight: normal; }
.muted-text { color: var(--soft); font-size: 13px; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; background: #ccc; margin-right: 6px; }
.dot.on { background: #2f855a; } .dot.muted { background: var(--muted); } .dot.listening { background: var(--listening); } .dot.idle { background: var(--idle); } .dot.unknown { background: #ddd; border: 1px solid #999; }
.link { font-size: 13px; padding: 2px 8px; border-radius: 10px; background: #2f855a; } .link.off { background: #b7791f; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eceef2; } th { color: var(--soft); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.critical td:nth-child(2) { color: var(--muted); font-weight: 600; } tr.warning td:nth-child(2) { color: #b7791f; font-weight: 600; }
tr.new { animation: flash 2s ease-out; } @keyframes flash { from { background: #fde2e0; } to { background: transparent; } }
.legend { text-transform: none; letter-spacing: 0; font-weight: normal; } .key { display: inline-block; width: 12px; height: 10px; margin: 0 3px 0 10px; opacity: .5; }
.key.muted, .band.muted { fill: var(--muted); background: var(--muted); } .key.listening, .band.listening { fill: var(--listening); background: var(--listening); } .key.idle, .band.idle { fill: var(--idle); background: var(--idle); }
.band { opacity: .28; } .band.unknown { fill: transparent; }
#chart { width: 100%; display: block; }
#chart .grid { stroke: #e2e5ea; } #chart .axis { fill: var(--soft); font-size: 11px; }
#chart .rate { fill: none; stroke: #1d2330; stroke-width: 1.6; } #chart .area { fill: rgba(29,35,48,.08); stroke: none; }
button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #c4c9d2; background: #fff; cursor: pointer; }
button:disabled { opacity: .5; cursor: not-allowed; }
input { font: inherit; padding: 3px 6px; }
`;

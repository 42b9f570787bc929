// The status page's browser script, bundled as a string (see page-assets.ts). Plain ES2017 and
// DOM calls: it fills the cards, keeps one EventSource open, and draws the chart as SVG by hand
// (one polyline and one rectangle per ring-state band; a chart library would be most of the page's
// weight for that). Data goes in through textContent only. Written without template literals, so
// it can live inside one.

export const PAGE_SCRIPT = String.raw`'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var state = { chart: { window_s: 600, samples: [] }, alerts: [], live: null, actions: false };
  var seen = {};
  var firstLoad = true;
  var $ = function (id) { return document.getElementById(id); };
  var text = function (id, value) { $(id).textContent = value; };

  function formatBytes(n) {
    if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 1) + ' MB';
    if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e4 ? 0 : 1) + ' kB';
    return Math.round(n) + ' B';
  }
  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function token() { try { return localStorage.getItem('earshot-token') || ''; } catch (e) { return ''; } }

  function renderLive(live) {
    if (!live) return;
    state.live = live;
    var v = $('verdict');
    v.className = 'verdict ' + live.verdict.level;
    text('verdict-text', live.verdict.text);
    text('now', formatTime(live.now));
    $('echo-dot').className = 'dot' + (live.echo.connected ? ' on' : '');
    text('echo-state', live.echo.connected ? 'Connected' : 'Not connected');
    text('echo-ip', live.echo.ip || '—');
    text('echo-mac', live.echo.mac || '—');
    var devices = live.devices || [];
    var names = {};
    devices.forEach(function (d) { names[d.id] = d.name; });
    text('led-state', live.led ? live.led.pattern + (live.led.device ? ' (' + (names[live.led.device] || live.led.device) + ')' : '') : '—');
    var list = $('echo-devices');
    list.textContent = '';
    if (devices.length > 1) devices.forEach(function (d) {
      var item = document.createElement('li');
      item.textContent = d.name + ': ' + d.mic + ', ' + (d.connected ? 'connected' : 'not connected') + (d.ip ? ' (' + d.ip + ')' : '') + (d.fault ? ' · ' + d.fault : '');
      list.appendChild(item);
    });
    $('ring-dot').className = 'dot ' + live.ring.state;
    text('ring-state', live.ring.state.charAt(0).toUpperCase() + live.ring.state.slice(1));
    text('ring-source', live.ring.source);
    text('ring-health', live.ring.fault ? 'Fault: ' + live.ring.fault : 'OK');
    text('enforcement-mode', live.enforcement === 'block-when-muted' ? 'Blocking uploads while muted' : live.enforcement === 'off' ? 'Off' : 'Alerting only (nothing blocked)');
    text('toggle-block', live.enforcement === 'block-when-muted' ? 'Alert only' : 'Block when muted');
    var rec = live.recording;
    text('recording-state', rec ? (rec.on ? 'Recording (' + rec.rows + ' rows)' : 'Not recording') : 'No recorder');
    text('recording-disk', rec ? formatBytes(rec.disk_bytes) + ' of ' + formatBytes(rec.max_bytes) + ' in ' + rec.dir : '');
    text('toggle-record', rec && rec.on ? 'Stop recording' : 'Start recording');
    $('toggle-block').disabled = !state.actions;
    $('toggle-record').disabled = !state.actions || !rec;
    text('dropped', String(live.capture_dropped));
    text('alerts-total', live.alerts_total + ' in total');
    var body = $('classes').tBodies[0];
    var names = Object.keys(live.classes);
    body.replaceChildren.apply(body, names.map(function (name) {
      var tr = document.createElement('tr');
      var a = document.createElement('td'); a.textContent = name;
      var b = document.createElement('td'); b.className = 'num'; b.textContent = live.classes[name].toLocaleString('en-US');
      tr.append(a, b);
      return tr;
    }));
  }

  function renderAlerts(alerts) {
    state.alerts = alerts;
    var body = $('alerts').tBodies[0];
    $('no-alerts').hidden = alerts.length > 0;
    body.replaceChildren.apply(body, alerts.map(function (a) {
      var tr = document.createElement('tr');
      tr.className = a.severity + (seen[a.id] || firstLoad ? '' : ' new');
      tr.dataset.id = a.id;
      seen[a.id] = true;
      var cells = [formatTime(a.time), a.severity, a.reason, formatBytes(a.bytes) + (a.open ? ' …' : ''), a.latency_ms + ' ms',
        a.enforcement === 'blocked' ? 'Blocked' : a.enforcement === 'would-block' ? 'No (would block)' : 'No'];
      cells.forEach(function (value, i) {
        var td = document.createElement('td');
        td.textContent = value;
        if (i === 3 || i === 4) td.className = 'num';
        tr.append(td);
      });
      var last = document.createElement('td');
      if (a.acknowledged) last.textContent = 'Acknowledged';
      else {
        var button = document.createElement('button');
        button.className = 'action ack';
        button.textContent = 'Acknowledge';
        button.disabled = !state.actions;
        button.addEventListener('click', function () { act('acknowledge', { id: a.id }); });
        last.append(button);
      }
      tr.append(last);
      return tr;
    }));
    firstLoad = false;
  }

  function node(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, String(attrs[k])); });
    parent.append(el);
    return el;
  }

  function niceMax(v) {
    var top = Math.max(v, 1000) * 1.15;
    var step = Math.pow(10, Math.floor(Math.log10(top)));
    return Math.ceil(top / step) * step;
  }

  function drawChart() {
    var svg = $('chart');
    var W = svg.clientWidth || 800, H = 220, L = 62, R = 10, T = 10, B = 24;
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.replaceChildren();
    var samples = state.chart.samples;
    var end = samples.length ? samples[samples.length - 1].t : Date.now();
    // The configured window once there is that much history; until then, what there is (at least a minute).
    var span = Math.min(state.chart.window_s * 1000, Math.max(60000, samples.length ? end - samples[0].t : 0));
    var from = end - span;
    var shown = samples.filter(function (s) { return s.t >= from; });
    var max = niceMax(shown.reduce(function (m, s) { return Math.max(m, s.bps); }, 0));
    var x = function (t) { return L + ((t - from) / span) * (W - L - R); };
    var y = function (v) { return H - B - (v / max) * (H - T - B); };
    var bands = node('g', { class: 'bands' }, svg);
    for (var i = 0; i < shown.length; i++) {
      var start = i === 0 ? Math.max(from, shown[0].t - 1000) : shown[i - 1].t;
      var j = i;
      while (j + 1 < shown.length && shown[j + 1].mic === shown[i].mic) j++;
      node('rect', { class: 'band ' + shown[i].mic, 'data-state': shown[i].mic, x: x(start), y: T, width: Math.max(1, x(shown[j].t) - x(start)), height: H - T - B }, bands);
      i = j;
    }
    for (var g = 0; g <= 4; g++) {
      var v = (max / 4) * g;
      node('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }, svg);
      node('text', { class: 'axis', x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, svg).textContent = formatBytes(v) + '/s';
    }
    var steps = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
    var step = steps.filter(function (st) { return span / 1000 / st <= 6; })[0] || 21600;
    for (var ago = 0; ago * 1000 <= span; ago += step) {
      var label = ago === 0 ? 'now' : ago < 60 ? '-' + ago + ' s' : ago < 3600 ? '-' + ago / 60 + ' min' : '-' + ago / 3600 + ' h';
      node('text', { class: 'axis', x: x(end - ago * 1000), y: H - 6, 'text-anchor': ago === 0 ? 'end' : 'middle' }, svg).textContent = label;
    }
    if (shown.length > 0) {
      var points = shown.map(function (s) { return x(s.t).toFixed(1) + ',' + y(s.bps).toFixed(1); });
      node('polygon', { class: 'area', points: x(shown[0].t).toFixed(1) + ',' + y(0) + ' ' + points.join(' ') + ' ' + x(end).toFixed(1) + ',' + y(0) }, svg);
      node('polyline', { class: 'rate', points: points.join(' ') }, svg);
    }
    svg.dataset.points = String(shown.length);
  }

  function onSnapshot(snapshot) {
    state.actions = snapshot.actions;
    state.chart = snapshot.chart;
    text('box-id', snapshot.box.id + ' · ' + snapshot.box.version);
    renderLive(snapshot.live);
    renderAlerts(snapshot.alerts);
    drawChart();
  }

  function act(name, body) {
    var note = $('action-note');
    note.textContent = '';
    fetch('/api/' + name, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token() }, body: JSON.stringify(body) })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) { note.textContent = result.data.error || 'failed'; return; }
        renderLive(result.data.live);
      })
      .catch(function (error) { note.textContent = String(error); });
  }

  function connect() {
    var source = new EventSource('/api/events');
    source.addEventListener('open', function () { $('link').className = 'link'; text('link', 'live'); });
    source.addEventListener('error', function () { $('link').className = 'link off'; text('link', 'reconnecting…'); });
    source.addEventListener('snapshot', function (e) { onSnapshot(JSON.parse(e.data)); });
    source.addEventListener('tick', function (e) {
      var data = JSON.parse(e.data);
      if (data.sample) {
        state.chart.samples.push(data.sample);
        var from = data.sample.t - state.chart.window_s * 1000;
        while (state.chart.samples.length && state.chart.samples[0].t < from) state.chart.samples.shift();
      }
      renderLive(data.live);
      drawChart();
    });
    source.addEventListener('alerts', function (e) {
      var data = JSON.parse(e.data);
      renderAlerts(data.alerts);
      renderLive(data.live);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('token').value = token();
    $('token-form').addEventListener('submit', function (e) {
      e.preventDefault();
      try { localStorage.setItem('earshot-token', $('token').value.trim()); } catch (err) { /* private mode */ }
      text('action-note', 'saved');
    });
    $('toggle-block').addEventListener('click', function () { act('enforcement', { on: !(state.live && state.live.enforcement === 'block-when-muted') }); });
    $('toggle-record').addEventListener('click', function () { act('recording', { on: !(state.live && state.live.recording && state.live.recording.on) }); });
    window.addEventListener('resize', drawChart);
    connect();
  });
})();
`;

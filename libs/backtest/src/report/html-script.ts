// The report's only script, inlined into the page: a shared hover cursor across the three charts and a
// tooltip with the date, equity, drawdown and price of the nearest drawn bar. It reads its data from a
// JSON block in the page and reaches nothing outside it. Written as plain ES2017 so any browser runs it.

export const HOVER_SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var tip = document.getElementById('tooltip');
  var cursors = document.querySelectorAll('.cursor');
  var dot = document.getElementById('equity-dot');
  function nearest(x) {
    var lo = 0, hi = data.xs.length - 1;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (data.xs[mid] < x) lo = mid + 1; else hi = mid;
    }
    if (lo > 0 && Math.abs(data.xs[lo - 1] - x) <= Math.abs(data.xs[lo] - x)) lo -= 1;
    return lo;
  }
  function time(ms) {
    var iso = new Date(ms).toISOString();
    return iso.slice(11) === '00:00:00.000Z' ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ') + 'Z';
  }
  function num(v) {
    return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function show(ev, svg) {
    var rect = svg.getBoundingClientRect();
    var i = nearest((ev.clientX - rect.left) * (data.width / rect.width));
    var x = String(data.xs[i]);
    for (var c = 0; c < cursors.length; c += 1) {
      cursors[c].setAttribute('x1', x);
      cursors[c].setAttribute('x2', x);
      cursors[c].style.display = '';
    }
    dot.setAttribute('cx', x);
    dot.setAttribute('cy', String(data.ys[i]));
    dot.style.display = '';
    tip.textContent = time(data.times[i]) + '  equity ' + num(data.equity[i]) + '  drawdown ' +
      data.drawdown[i].toFixed(2) + '%  price ' + num(data.price[i]);
    tip.style.display = 'block';
    tip.style.left = (ev.pageX + 14) + 'px';
    tip.style.top = (ev.pageY + 14) + 'px';
  }
  function hide() {
    for (var c = 0; c < cursors.length; c += 1) cursors[c].style.display = 'none';
    dot.style.display = 'none';
    tip.style.display = 'none';
  }
  var charts = document.querySelectorAll('svg.chart');
  for (var s = 0; s < charts.length; s += 1) {
    (function (svg) {
      svg.addEventListener('mousemove', function (ev) { show(ev, svg); });
      svg.addEventListener('mouseleave', hide);
    })(charts[s]);
  }
  document.body.setAttribute('data-ready', 'true');
})();
`;

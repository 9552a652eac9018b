import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The report's scripts, inlined into the page so it opens offline from one file: TradingView's
// lightweight-charts (its standalone build, which defines window.LightweightCharts) and the few lines
// below that draw the three charts from the page's JSON block. Nothing is loaded from anywhere.

let library: string | undefined;

/** The standalone lightweight-charts build, read once from the installed package. */
export function chartLibrary(): string {
  if (library === undefined) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('lightweight-charts/package.json'));
    const text = readFileSync(join(dir, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
    // Inside a <script> element only "</script" could end it early.
    library = text.replace(/<\/(script)/gi, '<\\/$1');
  }
  return library;
}

/**
 * Draws the price chart (with each trade's entry and exit marked at its price), the equity curve (and
 * its running peak) and the drawdown from `#chart-data`; zoom and pan on any chart move all three, and
 * the crosshair on one shows the same bar on the others, its values in `#legend`. Sets
 * `body[data-ready]` when drawn. Plain ES2017.
 */
export const CHART_SCRIPT = `
(function () {
  'use strict';
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var legend = document.getElementById('legend');
  var index = {};
  data.times.forEach(function (t, i) { index[t] = i; });
  function fmt(n, d) {
    return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function day(t) {
    var iso = new Date(t * 1000).toISOString();
    return iso.slice(11, 19) === '00:00:00' ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  function show(i) {
    legend.textContent = day(data.times[i]) + '  equity ' + fmt(data.equity[i], data.quoteDecimals) +
      '  drawdown ' + fmt(data.drawdown[i], 2) + '%  price ' + fmt(data.price[i], data.priceDecimals);
  }
  function points(values) {
    return data.times.map(function (t, i) { return { time: t, value: values[i] }; });
  }
  function chart(id, height, decimals) {
    var el = document.getElementById(id);
    var c = LC.createChart(el, {
      height: height,
      autoSize: false,
      width: el.clientWidth,
      layout: { background: { color: '#ffffff' }, textColor: '#374151', fontSize: 11 },
      grid: { vertLines: { color: '#f3f4f6' }, horzLines: { color: '#f3f4f6' } },
      crosshair: { mode: LC.CrosshairMode.Normal },
      timeScale: { timeVisible: data.intraday, secondsVisible: false, borderColor: '#d1d5db' },
      // One width for every price scale, so the three charts' time axes line up.
      rightPriceScale: { borderColor: '#d1d5db', minimumWidth: 96 },
      localization: { priceFormatter: function (p) { return fmt(p, decimals); } }
    });
    return c;
  }
  var fmtPrice = { type: 'price', precision: data.priceDecimals, minMove: Math.pow(10, -data.priceDecimals) };
  var fmtMoney = { type: 'price', precision: data.quoteDecimals, minMove: Math.pow(10, -data.quoteDecimals) };
  var priceChart = chart('price-chart', 360, data.priceDecimals);
  var price = priceChart.addSeries(LC.LineSeries, { color: '#374151', lineWidth: 1, priceFormat: fmtPrice });
  price.setData(points(data.price));
  LC.createSeriesMarkers(price, data.markers);

  var equityChart = chart('equity-chart', 300, data.quoteDecimals);
  var peak = equityChart.addSeries(LC.LineSeries, {
    color: '#fca5a5', lineWidth: 1, lineStyle: LC.LineStyle.Dashed, priceFormat: fmtMoney,
    crosshairMarkerVisible: false, lastValueVisible: false, priceLineVisible: false
  });
  peak.setData(points(data.peak));
  var equity = equityChart.addSeries(LC.LineSeries, { color: '#2563eb', lineWidth: 2, priceFormat: fmtMoney });
  equity.setData(points(data.equity));

  var ddChart = chart('drawdown-chart', 160, 2);
  var dd = ddChart.addSeries(LC.AreaSeries, {
    lineColor: '#dc2626', topColor: 'rgba(220, 38, 38, 0.05)', bottomColor: 'rgba(220, 38, 38, 0.35)',
    lineWidth: 1, invertFilledArea: true, priceFormat: { type: 'percent', precision: 2, minMove: 0.01 }
  });
  dd.setData(points(data.drawdown));

  var charts = [
    { chart: priceChart, series: price, values: data.price },
    { chart: equityChart, series: equity, values: data.equity },
    { chart: ddChart, series: dd, values: data.drawdown }
  ];
  var syncing = false;
  charts.forEach(function (a) {
    a.chart.timeScale().subscribeVisibleLogicalRangeChange(function (range) {
      if (range === null) return;
      // The visible bars, on the chart's element: what a test (or a reader of the DOM) can check.
      a.chart.chartElement().parentElement.setAttribute('data-range', range.from.toFixed(2) + '..' + range.to.toFixed(2));
      if (syncing) return;
      syncing = true;
      charts.forEach(function (b) { if (b !== a) b.chart.timeScale().setVisibleLogicalRange(range); });
      syncing = false;
    });
    a.chart.subscribeCrosshairMove(function (param) {
      if (syncing) return;
      syncing = true;
      var i = param.time === undefined ? undefined : index[param.time];
      charts.forEach(function (b) {
        if (b === a) return;
        if (i === undefined) b.chart.clearCrosshairPosition();
        else b.chart.setCrosshairPosition(b.values[i], data.times[i], b.series);
      });
      syncing = false;
      show(i === undefined ? data.times.length - 1 : i);
    });
  });
  charts.forEach(function (c) { c.chart.timeScale().fitContent(); });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) {
      var el = c.chart.chartElement().parentElement;
      c.chart.applyOptions({ width: el.clientWidth });
    });
  });
  show(data.times.length - 1);
  document.getElementById('price-chart').setAttribute('data-plot-width', String(priceChart.timeScale().width()));
  document.body.setAttribute('data-ready', 'true');
})();
`;

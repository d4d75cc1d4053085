/**
 * The script that runs inside report.html: reads the embedded chart JSON and draws it with uPlot
 * (inlined before it). Plain ES2017 in a string so it ships as-is in both the source and the bundle;
 * test/browser/report-render.test.ts runs it in Chromium.
 */
export const CLIENT_JS = `(function () {
  'use strict';
  var specs = JSON.parse(document.getElementById('tokenstorm-data').textContent).charts;
  var charts = {};
  window.__tokenstorm = { charts: charts };
  var dpr = window.devicePixelRatio || 1;

  function fmtMs(v) {
    if (v == null) return '-';
    return v >= 100 ? v.toFixed(0) + ' ms' : v >= 10 ? v.toFixed(1) + ' ms' : v.toFixed(2) + ' ms';
  }
  function fmtPct(x) {
    if (x == null) return '-';
    var p = 100 * (1 - 1 / x);
    var digits = Math.max(0, Math.min(4, Math.ceil(Math.log10(x)) - 2));
    return 'p' + p.toFixed(digits);
  }

  function shadePlugin(shades) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          shades.forEach(function (s) {
            var l = Math.max(u.valToPos(s.from, 'x', true), u.bbox.left);
            var r = Math.min(u.valToPos(s.to, 'x', true), u.bbox.left + u.bbox.width);
            if (!(r > l)) return;
            ctx.fillStyle = 'rgba(220, 38, 38, 0.09)';
            ctx.fillRect(l, u.bbox.top, r - l, u.bbox.height);
            ctx.fillStyle = 'rgba(153, 27, 27, 0.85)';
            ctx.font = 11 * dpr + 'px system-ui, sans-serif';
            ctx.fillText(s.label, l + 4 * dpr, u.bbox.top + 13 * dpr, r - l - 8 * dpr);
          });
          ctx.restore();
        }],
      },
    };
  }

  function options(spec, width) {
    var pctX = spec.xKind === 'percentile';
    var rateX = spec.xKind === 'rate';
    var series = [{
      label: pctX ? 'percentile' : rateX ? 'rate' : 'time',
      value: pctX ? function (u, v) { return fmtPct(v); } : function (u, v) { return v == null ? '-' : v + (rateX ? ' /s' : ' s'); },
    }];
    spec.series.forEach(function (s) {
      var o = { label: s.label, stroke: s.color, width: s.width || 1.5, spanGaps: false, points: { show: !!s.points, size: 7, fill: s.color } };
      if (s.dash) o.dash = s.dash;
      if (s.fill) o.fill = s.fill;
      if (s.raw) {
        var raw = s.raw;
        o.value = function (u, v, si, i) { return i == null ? '-' : String(raw[i]); };
      } else if (spec.yLabel === 'ms') {
        o.value = function (u, v) { return fmtMs(v); };
      }
      series.push(o);
    });
    var xAxis = { label: pctX ? 'percentile' : rateX ? 'flows/s offered' : 'seconds since start' };
    if (pctX) {
      xAxis.splits = function (u) {
        var out = [];
        for (var v = 1; v <= u.scales.x.max * 1.0001; v *= 10) out.push(v);
        return out;
      };
      xAxis.values = function (u, splits) { return splits.map(fmtPct); };
    }
    return {
      width: width,
      height: 300,
      series: series,
      scales: {
        x: pctX ? { time: false, distr: 3, log: 10 } : { time: false },
        y: spec.yLog ? { distr: 3, log: 10 } : {},
      },
      axes: [xAxis, { label: spec.yLabel, size: 60 }],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      plugins: spec.shades && spec.shades.length ? [shadePlugin(spec.shades)] : [],
    };
  }

  function widthOf(el) { return Math.max(320, el.clientWidth || 800); }

  specs.forEach(function (spec) {
    var el = document.getElementById('chart-' + spec.id);
    if (!el) return;
    if (spec.empty) {
      el.className += ' chart-empty';
      el.textContent = spec.empty;
      return;
    }
    var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
    charts[spec.id] = new uPlot(options(spec, widthOf(el)), data, el);
  });

  var pending = 0;
  window.addEventListener('resize', function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      Object.keys(charts).forEach(function (id) {
        var el = document.getElementById('chart-' + id);
        charts[id].setSize({ width: widthOf(el), height: 300 });
      });
    }, 100);
  });
})();
`;

/** The report page's own CSS (uPlot's CSS is inlined separately). */
export const REPORT_CSS = `
:root { --fg: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --card: #ffffff;
  --ok: #15803d; --ok-bg: #dcfce7; --bad: #b91c1c; --bad-bg: #fee2e2; --warn: #a16207; --warn-bg: #fef9c3; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 24px 48px; }
header h1 { font-size: 22px; margin: 0 0 4px; }
header .meta { color: var(--muted); font-size: 13px; }
header .meta span + span::before { content: " · "; }
header p.desc { margin: 6px 0 0; }
h2 { font-size: 16px; margin: 0 0 10px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px;
  margin-top: 16px; box-shadow: 0 1px 2px rgba(0,0,0,0.04); overflow-x: auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-top: 18px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px;
  box-shadow: 0 1px 2px rgba(0,0,0,0.04); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 26px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; margin-top: 2px; }
.card.pass { border-color: #86efac; background: var(--ok-bg); } .card.pass .value { color: var(--ok); }
.card.fail { border-color: #fca5a5; background: var(--bad-bg); } .card.fail .value { color: var(--bad); }
.card.partial { border-color: #fde047; background: var(--warn-bg); } .card.partial .value { color: var(--warn); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 5px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { white-space: normal; }
tbody tr:nth-child(even) { background: #f9fafb; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.badge.ok { background: var(--ok-bg); color: var(--ok); } .badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.skip { background: #f3f4f6; color: var(--muted); }
.badge.sev-critical { background: #7f1d1d; color: #fff; } .badge.sev-high { background: var(--bad-bg); color: var(--bad); }
.badge.sev-medium { background: #ffedd5; color: #c2410c; } .badge.sev-low { background: var(--warn-bg); color: var(--warn); }
.badge.sev-info { background: #e0f2fe; color: #0369a1; }
.muted { color: var(--muted); }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
.grid2 > section { margin-top: 0; }
.charts section { margin-top: 16px; }
.chart { width: 100%; min-height: 300px; }
.chart-empty { display: flex; align-items: center; justify-content: center; color: var(--muted); min-height: 120px; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12px; }
.warn { background: var(--warn-bg); border: 1px solid #fde047; border-radius: 8px; padding: 8px 12px; margin-top: 8px; }
.bigknee { font-size: 20px; font-weight: 650; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; text-align: center; }
`;

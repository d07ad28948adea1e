/**
 * The report page: one self-contained HTML file (inline CSS, charts as inline SVG, no script, no external
 * resource; a Content-Security-Policy forbids any request). Pure: results and rendered chart SVGs in, HTML out.
 */
import type { BenchRowData, ResultsFile, SuiteResults } from './results-schema.js';
import type { ChartName } from './chart-specs.js';
import { learningPolicies, learningTasks, learningWindow } from './chart-specs.js';
import { frontierOfRows, unknownCostPolicies } from './build-results.js';
import { findPrice } from '../ledger/prices.js';
import { fixedBeatenBy, formatPercent, headroomCaptured, headroomLatencyTolerance } from './sweep.js';
import { formatFixed, formatUsd } from '../ledger/format.js';
import { tableColumns } from '../suite/bench-row.js';
import { describeApproxConfidence } from '../traces/approx-confidence.js';

/** The rendered SVG of each chart of each suite (same order as `results.suites`); a missing chart is omitted. */
export type SuiteCharts = ReadonlyArray<Partial<Record<ChartName, string>>>;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** Escapes text for HTML and turns each http(s) address in it into a link (followed only when clicked). */
export function linkify(text: string): string {
  return text
    .split(/(https?:\/\/[^\s,;)]+)/)
    .map((part, index) => (index % 2 === 1 ? `<a href="${escapeHtml(part)}" rel="noreferrer">${escapeHtml(part)}</a>` : escapeHtml(part)))
    .join('');
}

/** A stable, HTML-id-safe slug of a suite name. */
export function slug(name: string): string {
  const text = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return text === '' ? 'suite' : text;
}

const styles = `
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "Liberation Sans", "DejaVu Sans", sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; line-height: 1.45; }
main { max-width: 1800px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7rem; margin: 0.2em 0 0.3em; }
h2 { font-size: 1.35rem; margin: 2.2em 0 0.4em; padding-top: 0.6em; border-top: 2px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.6em 0 0.4em; }
.meta { color: #555; font-size: 0.92rem; margin: 0.2em 0; }
.meta code, td code { font-size: 0.88em; background: #f0f0f0; padding: 0 3px; border-radius: 3px; }
.warning { background: #fff4e0; border-left: 4px solid #e69f00; padding: 6px 10px; margin: 10px 0; font-size: 0.92rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 860px), 1fr)); gap: 18px; margin-top: 12px; }
figure.chart { margin: 0; background: white; border: 1px solid #e3e3e3; border-radius: 6px; padding: 10px; overflow-x: auto; }
figure.chart svg { width: 100%; max-width: 1100px; height: auto; display: block; }
figcaption { font-size: 0.86rem; color: #444; margin-top: 6px; }
table { border-collapse: collapse; font-size: 0.88rem; background: white; margin: 8px 0; }
th, td { border: 1px solid #e0e0e0; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #f3f3f3; font-weight: 600; }
td:first-child, th:first-child, td.text, th.text { text-align: left; }
tr.frontier td:first-child { font-weight: 600; }
tr.oracle td { color: #555; font-style: italic; }
.tag { display: inline-block; font-size: 0.75rem; padding: 0 5px; border-radius: 8px; margin-left: 5px; background: #e8f4ec; color: #05603a; font-style: normal; }
.tag.limit { background: #eee; color: #333; }
nav ul { padding-left: 1.2em; margin: 0.3em 0; }
details { margin: 8px 0; }
footer { margin-top: 48px; color: #666; font-size: 0.85rem; }
`;

/** The complete report page. */
export function reportHtml(results: ResultsFile, charts: SuiteCharts): string {
  const suites = results.suites;
  const title = `DSP report: ${suites.map((suite) => suite.suite).join(', ')}`;
  const navigation =
    suites.length > 1
      ? `<nav><strong>Suites</strong><ul>${suites.map((suite) => `<li><a href="#suite-${slug(suite.suite)}">${escapeHtml(suite.suite)}</a> (${suite.summary.tasks} tasks)</li>`).join('')}</ul></nav>`
      : '';
  const combined =
    results.combined === undefined
      ? ''
      : `<section id="all" class="combined"><h2>All suites together</h2>
<p class="meta">${results.combined.tasks} tasks; means over every task of every suite; timing ${escapeHtml(results.combined.timing)}.</p>
${summaryTable(results.combined.rows, frontierOfRows(results.combined.rows), null)}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="${escapeHtml(`${results.generator.name} ${results.generator.version}`)}">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body>
<main>
<header>
<h1>Dynamic speculative planning: latency and cost</h1>
<p class="meta">Produced by <code>${escapeHtml(results.generator.command)}</code> with ${escapeHtml(results.generator.name)} ${escapeHtml(results.generator.version)} on ${escapeHtml(results.createdAt)}.</p>
<p class="meta">Policies: ${results.settings.policies.map((policy) => `<code>${escapeHtml(policy)}</code>`).join(', ')}; k at most ${results.settings.kMax}; seed ${results.settings.seed}; prices: table <code>${escapeHtml(results.priceTable.name)}</code>.</p>
<p class="meta">Every figure is a replay of recorded traces on a virtual clock: exact, deterministic latencies from the recorded timings. The sequential baseline is the target agent alone.</p>
${navigation}
</header>
${combined}
${suites.map((suite, index) => suiteSection(results, suite, charts[index] ?? {})).join('\n')}
<footer>
<details><summary>The whole price table <code>${escapeHtml(results.priceTable.name)}</code></summary>
${priceTable(results, Object.keys(results.priceTable.models))}
</details>
<p>Self-contained page: no script, no network. Results format ${escapeHtml(results.format)}.</p>
</footer>
</main>
</body>
</html>
`;
}

function timingNote(timing: string): string {
  const parts = timing.split('+');
  if (parts.includes('synthetic')) {
    return '<p class="warning">These traces are <strong>synthetic</strong> (a seeded generator): the figures show how the policies behave, not how real agents perform.</p>';
  }
  if (parts.includes('modelled')) {
    return '<p class="warning">Some timings are <strong>modelled</strong> (estimated from token counts), not measured.</p>';
  }
  return '';
}

function suiteSection(results: ResultsFile, suite: SuiteResults, charts: Partial<Record<ChartName, string>>): string {
  const id = `suite-${slug(suite.suite)}`;
  const example = suite.examples[0];
  const shown = learningPolicies(suite);
  const learningTaskCount = learningTasks(suite, shown);
  const figure = (chart: ChartName, caption: string): string => {
    const svg = charts[chart];
    if (svg === undefined) return `<figure class="chart" data-chart="${chart}" data-empty="true"><figcaption>${caption}</figcaption></figure>`;
    return `<figure class="chart" data-chart="${chart}">${svg}<figcaption>${caption}</figcaption></figure>`;
  };
  const frontierText =
    suite.frontier.length === 0 ? 'No policy is on the frontier.' : `On the frontier: ${suite.frontier.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}.`;
  const unknownCost = unknownCostPolicies(suite.summary.rows);
  const allUnknown = unknownCost.length > 0 && unknownCost.length === suite.summary.rows.length;
  const unknownCostText =
    unknownCost.length === 0 ? '' : ` Not drawn, their cost being unknown: ${policyList(unknownCost)}.`;
  return `<section id="${id}" class="suite" data-suite="${escapeHtml(suite.suite)}">
<h2>Suite ${escapeHtml(suite.suite)}</h2>
<p class="meta">${suite.summary.tasks} tasks; timing ${escapeHtml(suite.timing)}; approximation agent ${modelList(suite.models.approx)}, target agent ${modelList(suite.models.target)}.</p>
<p class="meta">Source: ${linkify(suite.source)}</p>
${timingNote(suite.timing)}
${unpricedNote(results, suite, unknownCost)}
<div class="charts">
${figure(
  'pareto',
  allUnknown
    ? '(a) No latency–cost chart: no policy of this suite has a known cost (see the note above).'
    : `(a) Mean latency and mean cost per task of each policy. The dashed line joins the frontier: the settings that no other setting beats on both latency and cost. ${frontierText} The oracle (black cross) reads the trace's future; it is the limit, not a setting, and is left out of the frontier.${unknownCostText}`,
)}
${figure(
  'timeline',
  example === undefined
    ? '(b) No example task.'
    : `(b) Task <code>${escapeHtml(example.taskId)}</code> (“${escapeHtml(truncate(example.task, 120))}”), a typical task of <code>${escapeHtml(example.policy)}</code> (speedup nearest its median, showing the most kinds of call). Upper lane: the approximation agent's calls; lower lane: the target agent's, stacked when they run at once. Colour: committed (T's step became the plan), accepted (A's guess confirmed), discarded (finished, not used), cancelled (aborted in flight). Dashed lines: round starts, with the k the policy chose.`,
)}
${figure(
  'learning',
  shown.length === 0
    ? '(c) No adaptive policy ran on this suite.'
    : `(c) The learning curve: for each task in run order, the mean k each policy chose over the task's rounds, beside the mean of the oracle's k in the same states (the steps up to and including the next break, capped at k ≤ ${results.settings.kMax}). Trailing mean over ${learningWindow(learningTaskCount)} tasks. A learning policy's line should approach the oracle's as it sees more tasks.`,
)}
${figure('speedup', '(d) The distribution of speedup over the tasks (sequential latency ÷ latency): whiskers min to max, box the middle half, black tick the median. The dashed line is 1 (no gain).')}
</div>
<h3>Summary (means per task)</h3>
${summaryTable(suite.summary.rows, suite.frontier, suite)}
${beatenTable(suite.summary.rows)}
${headroomTable(suite.summary.rows)}
<h3>Prices used</h3>
<p class="meta">Cost = tokens × price. Table <code>${escapeHtml(results.priceTable.name)}</code>; the models of this suite:</p>
${priceTable(results, [...new Set([...suite.models.approx, ...suite.models.target])])}
<h3>Where the data came from</h3>
<ul class="meta">
<li>Traces: ${linkify(suite.source)} (${suite.taskIds.length} tasks, timing ${escapeHtml(suite.timing)}).</li>
${suite.summary.approxConfidence === undefined ? '' : `<li>${escapeHtml(describeApproxConfidence(suite.summary.approxConfidence))}.</li>\n`}<li>Replayed by <code>${escapeHtml(results.generator.command)}</code> (${escapeHtml(results.generator.name)} ${escapeHtml(results.generator.version)}, ${escapeHtml(results.createdAt)}).</li>
<li>Ratios (lat/k2, cost/k2, waste/k2) are relative to <code>fixed:2</code> when it ran.</li>
</ul>
</section>`;
}

function policyList(policies: readonly string[]): string {
  return policies.map((policy) => `<code>${escapeHtml(policy)}</code>`).join(', ');
}

/**
 * The warning of a suite with unknown costs: which policies have no cost, how many calls are unpriced, and which of
 * the suite's models the price table lacks. Empty when every cost is known.
 */
function unpricedNote(results: ResultsFile, suite: SuiteResults, unknownCost: readonly string[]): string {
  if (unknownCost.length === 0) return '';
  const calls = suite.summary.rows.reduce((sum, row) => sum + row.unpricedCalls, 0);
  const models = [...new Set([...suite.models.approx, ...suite.models.target])].filter(
    (model) => findPrice(results.priceTable, model) === undefined,
  );
  const missing = models.length === 0 ? '' : ` (not in table <code>${escapeHtml(results.priceTable.name)}</code>: ${modelList(models)})`;
  return `<p class="warning" data-unknown-cost="${escapeHtml(unknownCost.join(' '))}"><strong>Cost unknown</strong> for ${policyList(unknownCost)}: ${calls} calls over all policies were made by models without a price${missing}. Their costs and cost ratios read <code>?</code>, they are not drawn in the latency–cost chart and take no part in the frontier. Price the models with <code>--prices FILE</code>.</p>`;
}

function modelList(models: readonly string[]): string {
  return models.length === 0 ? '(none)' : models.map((model) => `<code>${escapeHtml(model)}</code>`).join(', ');
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** The columns of `dsp bench`'s table, with the policy as code, tagged, and a lossless failure in bold. */
function summaryTable(rows: readonly BenchRowData[], frontier: readonly string[], suite: SuiteResults | null): string {
  const kind = (policy: string): string => suite?.policies.find((entry) => entry.policy === policy)?.kind ?? '';
  const columns = tableColumns('bench', rows);
  const body = rows.map((row) => {
    const onFrontier = frontier.includes(row.policy);
    const isOracle = row.policy === 'oracle' || kind(row.policy) === 'oracle';
    const tags = `${onFrontier ? '<span class="tag">frontier</span>' : ''}${isOracle ? '<span class="tag limit">limit</span>' : ''}`;
    const cells = columns.map((column) => {
      if (column.field === 'policy') return `<code>${escapeHtml(row.policy)}</code>${tags}`;
      if (column.field === 'lossless' && !row.lossless) return `<strong>${escapeHtml(column.cell(row))}</strong>`;
      return escapeHtml(column.cell(row));
    });
    const classes = [onFrontier ? 'frontier' : '', isOracle ? 'oracle' : ''].filter((name) => name !== '').join(' ');
    return `<tr data-policy="${escapeHtml(row.policy)}"${classes === '' ? '' : ` class="${classes}"`}>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  const header = columns.map((column) => `<th title="${escapeHtml(column.about)}">${escapeHtml(column.header)}</th>`).join('');
  return `<table class="summary"><thead><tr>${header}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** For each fixed:K row, the cheapest learned setting at least as fast and cheaper (nothing without both kinds of row). */
function beatenTable(rows: readonly BenchRowData[]): string {
  const beaten = fixedBeatenBy(rows);
  if (beaten.length === 0) return '';
  const row = (policy: string): BenchRowData => rows.find((entry) => entry.policy === policy)!;
  const figures = (entry: BenchRowData): string => `${formatFixed(entry.latencySec)} s, ${formatUsd(entry.costUsd)} $`;
  const body = beaten.map(({ fixed: name, by }) => {
    const beatenRow = row(name);
    const winner = by === null ? undefined : row(by);
    // Only rows of known cost are compared (fixedBeatenBy), so both costs are numbers here.
    const costRatio = winner === undefined ? 0 : winner.costUsd! / beatenRow.costUsd!;
    const cell =
      winner === undefined
        ? 'no dsp setting of this run'
        : `<code>${escapeHtml(winner.policy)}</code>: ${figures(winner)} (latency ×${formatFixed(winner.latencySec / beatenRow.latencySec, 3)}, cost ×${formatFixed(costRatio, 3)})`;
    return `<tr data-fixed="${escapeHtml(name)}"${by === null ? '' : ` data-by="${escapeHtml(by)}"`}><td><code>${escapeHtml(name)}</code>: ${figures(beatenRow)}</td><td class="text">${cell}</td></tr>`;
  });
  const count = beaten.filter((entry) => entry.by !== null).length;
  return `<h3>Fixed k against the learned policy</h3>
<p class="meta">For each fixed k, the cheapest dsp setting of this run that is at least as fast and cheaper: ${count} of ${beaten.length} fixed settings are beaten.</p>
<table class="beaten"><thead><tr><th>fixed k</th><th class="text">beaten by</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** For each fixed:K (K ≥ 2), its headroom over the oracle and the share the best dsp setting as fast captures. */
function headroomTable(rows: readonly BenchRowData[]): string {
  const entries = headroomCaptured(rows);
  if (entries.length === 0) return '';
  const tolerance = formatFixed((headroomLatencyTolerance - 1) * 100, 1);
  const body = entries.map((entry) => {
    const fixed = rows.find((row) => row.policy === entry.fixed)!;
    const best = entry.best === null ? undefined : rows.find((row) => row.policy === entry.best);
    const cell =
      best === undefined || entry.captured === null
        ? `<td class="text" colspan="2">no dsp setting within ${tolerance}% of its latency</td>`
        : `<td>${escapeHtml(formatPercent(entry.captured))}</td><td class="text"><code>${escapeHtml(best.policy)}</code>: ${formatFixed(best.latencySec)} s, ${formatUsd(best.costUsd)} $</td>`;
    return `<tr data-headroom="${escapeHtml(entry.fixed)}"${entry.best === null ? '' : ` data-best="${escapeHtml(entry.best)}"`}><td><code>${escapeHtml(entry.fixed)}</code>: ${formatFixed(fixed.latencySec)} s, ${formatUsd(fixed.costUsd)} $</td><td>${formatUsd(entry.headroomUsd)}</td>${cell}</tr>`;
  });
  return `<h3>Headroom captured</h3>
<p class="meta">The headroom of a fixed k is its cost minus the oracle's: what a policy as fast could save by knowing where A goes wrong. A dsp setting whose mean latency is at most ${tolerance}% above the fixed k's captures (cost of fixed k − its cost) ÷ headroom; the best one is shown (above 100%: cheaper than the oracle, which a k = 0 round can be).</p>
<table class="headroom"><thead><tr><th>fixed k</th><th>headroom $</th><th>captured</th><th class="text">by</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function priceTable(results: ResultsFile, models: readonly string[]): string {
  const rows = models.map((model) => {
    const found = findPrice(results.priceTable, model);
    if (found === undefined) {
      return `<tr><td><code>${escapeHtml(model)}</code></td><td colspan="5" class="text">not in the table: its calls are unpriced (their cost is unknown)</td></tr>`;
    }
    const { key, price } = found;
    const name = key === model ? `<code>${escapeHtml(model)}</code>` : `<code>${escapeHtml(model)}</code> (as <code>${escapeHtml(key)}</code>)`;
    const cached = price.cachedInputUsdPerMTok;
    // The cached-input price has its own source and date when it was read apart from the list prices.
    const cachedSource =
      cached === undefined || price.cachedInputSource === undefined || price.cachedInputSource === price.source
        ? ''
        : `; cached input: ${linkify(price.cachedInputSource)}${price.cachedInputDate === undefined ? '' : ` (read ${escapeHtml(price.cachedInputDate)})`}`;
    return `<tr><td>${name}</td><td>${price.inputUsdPerMTok}</td><td>${cached ?? '-'}</td><td>${price.outputUsdPerMTok}</td><td class="text">${linkify(price.source ?? '-')}${cachedSource}</td><td class="text">${escapeHtml(price.date ?? '-')}</td></tr>`;
  });
  return `<table class="prices"><thead><tr><th>model</th><th>input $ / 1M tokens</th><th>cached input $ / 1M tokens</th><th>output $ / 1M tokens</th><th class="text">source</th><th class="text">read on</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

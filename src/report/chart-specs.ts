/**
 * Vega-Lite specs of the report's charts, one builder per chart: suite results in, spec out. Pure; rendering to
 * SVG is `render-svg.ts`. Every mark that a test or a reader may want to find has a name (`pareto_points`, …),
 * which Vega writes into the SVG as a class (`pareto_points_marks`).
 */
import { assignSlots, distribution, trailingMean, type Distribution } from './chart-data.js';
import type { BenchRowData, PolicyKind, SuiteResults } from './results-schema.js';

/** A Vega-Lite specification (a plain JSON object). */
export type VegaLiteSpec = { [key: string]: unknown };

/** The charts of one suite's section. */
export type ChartName = 'pareto' | 'timeline' | 'learning' | 'speedup';

/** The chart names in report order. */
export const chartNames: readonly ChartName[] = ['pareto', 'timeline', 'learning', 'speedup'];

/** Colour of each policy kind. */
export const kindColours: Record<PolicyKind, string> = {
  sequential: '#666666',
  fixed: '#0072B2',
  additive: '#009E73',
  dsp: '#D55E00',
  oracle: '#000000',
};

const kindShapes: Record<PolicyKind, string> = {
  sequential: 'square',
  fixed: 'circle',
  additive: 'triangle-up',
  dsp: 'diamond',
  oracle: 'cross',
};

/** Colour of each call status in the timeline (Okabe–Ito colours, distinct for colour-blind readers too). */
export const statusColours = {
  committed: '#009E73',
  accepted: '#56B4E9',
  discarded: '#E69F00',
  cancelled: '#CC79A7',
  failed: '#D55E00',
} as const;

const kinds = Object.keys(kindColours) as PolicyKind[];
/** The statuses a replay produces, in legend order (`failed` appears only in the ledgers of live runs). */
const statuses = ['committed', 'accepted', 'discarded', 'cancelled'] as const;

/** Size of the latency–cost plot area, in pixels. */
const paretoWidth = 520;
const paretoHeight = 320;

/** Shared look of every chart. Vega's default font is `sans-serif`; the PNG renderer maps it to a system font. */
export const chartConfig: VegaLiteSpec = {
  background: 'white',
  padding: 8,
  view: { stroke: '#dddddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eeeeee', domainColor: '#888888' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', subtitleFontSize: 11, subtitleFontWeight: 'normal', subtitleColor: '#555555' },
  header: { labelFontSize: 11, titleFontSize: 12 },
};

/** A chart spec made top-level: the schema and the shared config added. */
export function topLevel(spec: VegaLiteSpec): VegaLiteSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', config: chartConfig, ...spec };
}

function kindOf(suite: SuiteResults, policy: string): PolicyKind {
  return suite.policies.find((entry) => entry.policy === policy)?.kind ?? 'fixed';
}

function formatNumber(value: number, digits = 3): string {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)).toString() : String(value);
}

/** The colour scale of policy kinds, limited to the kinds present (so the legend lists only those). */
function kindColourScale(present: readonly PolicyKind[]): VegaLiteSpec {
  const domain = kinds.filter((kind) => present.includes(kind));
  return { domain, range: domain.map((kind) => kindColours[kind]) };
}

function presentKinds(suite: SuiteResults): PolicyKind[] {
  return suite.policies.map((policy) => policy.kind);
}

/**
 * A scale domain around values: their extent plus 6 % of it on each side. When all are equal, 6 % of the value on
 * each side (so a single cost of $0.02 is not drawn on an axis from −1 to 1), or ±1 when they are all 0.
 */
export function paretoDomain(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const margin = high > low ? (high - low) * 0.06 : low !== 0 ? Math.abs(low) * 0.06 : 1;
  return [low - margin, high + margin];
}

/** One row per policy of the latency–cost chart. */
export interface ParetoRow {
  policy: string;
  kind: PolicyKind;
  latencySec: number;
  costUsd: number;
  speedup: number;
  frontier: boolean;
  oracle: boolean;
  /** Text drawn beside the point ('' = none). */
  label: string;
  /** Which side of the point the label is drawn on. */
  labelSide: 'right' | 'left';
  description: string;
}

/** A label's box in plot pixels. */
interface LabelBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The summary rows the latency–cost chart can place: those whose cost is known (an unpriced call makes it unknown). */
function pricedRows(suite: SuiteResults): Array<BenchRowData & { costUsd: number }> {
  return suite.summary.rows.filter((row): row is BenchRowData & { costUsd: number } => row.costUsd !== null);
}

/**
 * Rows of the latency–cost chart: every policy of the summary whose cost is known (the others are named under the
 * chart, never drawn at 0), flagged when on the frontier. Labels are placed
 * greedily, most important first (the oracle, sequential, the featured policy, the frontier fastest first, then
 * the rest), right of the point or else left of it, and left out where they would cover a label already placed
 * (the summary table names every point). Policies at the same point share one label (`fixed:2 (+3 at the same
 * point)`).
 */
export function paretoRows(suite: SuiteResults): ParetoRow[] {
  const rows = pricedRows(suite);
  const pointKey = (row: (typeof rows)[number]): string => `${row.latencySec.toPrecision(9)}|${row.costUsd.toPrecision(9)}`;
  const samePoint = new Map<string, string[]>();
  for (const row of rows) samePoint.set(pointKey(row), [...(samePoint.get(pointKey(row)) ?? []), row.policy]);

  // Pixel positions, exact because the chart's scales use these domains (the data extents plus 6 % each side).
  const [minLatency, maxLatency] = paretoDomain(rows.map((row) => row.latencySec));
  const [minCost, maxCost] = paretoDomain(rows.map((row) => row.costUsd));
  const pixelX = (value: number): number => ((value - minLatency) / (maxLatency - minLatency)) * paretoWidth;
  const pixelY = (value: number): number => paretoHeight - ((value - minCost) / (maxCost - minCost)) * paretoHeight;

  const priority = (policy: string): number => {
    const kind = kindOf(suite, policy);
    if (kind === 'oracle') return 0;
    if (kind === 'sequential') return 1;
    if (policy === suite.featured) return 2;
    const onFrontier = suite.frontier.indexOf(policy);
    return onFrontier >= 0 ? 3 + onFrontier / 1000 : 4;
  };
  const placed: LabelBox[] = [];
  const labels = new Map<string, { text: string; side: 'right' | 'left' }>();
  // One candidate per point: its most important policy, which names the label.
  const candidates = [...samePoint.values()]
    .map((group) => [...group].sort((a, b) => priority(a) - priority(b))[0]!)
    .sort((a, b) => priority(a) - priority(b));
  for (const policy of candidates) {
    const row = rows.find((entry) => entry.policy === policy)!;
    const group = samePoint.get(pointKey(row))!;
    const name = kindOf(suite, policy) === 'oracle' ? 'oracle (limit)' : policy;
    const text = group.length === 1 ? name : `${name} (+${group.length - 1} at the same point)`;
    const x = pixelX(row.latencySec);
    const y = pixelY(row.costUsd);
    const width = text.length * 5.6;
    const sides: Array<['right' | 'left', LabelBox]> = [
      ['right', { left: x + 8, right: x + 10 + width, top: y - 6, bottom: y + 6 }],
      ['left', { left: x - 10 - width, right: x - 8, top: y - 6, bottom: y + 6 }],
    ];
    // A label may run past the right edge (the chart grows) but not past the left one (the axis is there).
    const free = sides.find(
      ([, box]) =>
        box.left >= 0 && !placed.some((other) => box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom),
    );
    if (free === undefined) continue;
    placed.push(free[1]);
    labels.set(policy, { text, side: free[0] });
  }

  return rows.map((row) => {
    const kind = kindOf(suite, row.policy);
    const frontier = suite.frontier.includes(row.policy);
    const label = labels.get(row.policy);
    return {
      policy: row.policy,
      kind,
      latencySec: row.latencySec,
      costUsd: row.costUsd,
      speedup: row.speedup,
      frontier,
      oracle: kind === 'oracle',
      label: label?.text ?? '',
      labelSide: label?.side ?? 'right',
      description: `${row.policy}: latency ${formatNumber(row.latencySec)} s, cost ${formatNumber(row.costUsd)} USD per task, speedup ${formatNumber(row.speedup)}x${frontier ? ', on the frontier' : ''}`,
    };
  });
}

/** (a) Mean latency against mean cost per task, one point per policy, the frontier drawn, the oracle marked. */
export function paretoSpec(suite: SuiteResults): VegaLiteSpec {
  const present = presentKinds(suite);
  const rows = paretoRows(suite);
  // Fixed domains (no rounding outwards) so that the label placement in paretoRows knows where each point lands.
  const x = {
    field: 'latencySec',
    type: 'quantitative',
    title: 'latency per task (s)',
    scale: { zero: false, nice: false, domain: paretoDomain(rows.map((row) => row.latencySec)) },
  };
  const y = {
    field: 'costUsd',
    type: 'quantitative',
    title: 'cost per task (USD)',
    scale: { zero: false, nice: false, domain: paretoDomain(rows.map((row) => row.costUsd)) },
    axis: { format: '.3~g' },
  };
  return {
    title: {
      text: 'Latency against cost',
      subtitle: 'means per task; dashed line and rings: the frontier; black cross: the oracle',
    },
    width: paretoWidth,
    height: paretoHeight,
    data: { values: rows },
    layer: [
      {
        name: 'pareto_frontier',
        transform: [{ filter: 'datum.frontier' }],
        mark: { type: 'line', color: '#999999', strokeDash: [5, 3], strokeWidth: 1.5 },
        encoding: { x, y, order: { field: 'latencySec', type: 'quantitative' } },
      },
      {
        name: 'pareto_frontier_points',
        transform: [{ filter: 'datum.frontier' }],
        mark: { type: 'point', shape: 'circle', size: 260, filled: false, color: '#333333', strokeWidth: 1 },
        encoding: { x, y },
      },
      {
        name: 'pareto_points',
        mark: { type: 'point', filled: true, size: 90, opacity: 0.9 },
        encoding: {
          x,
          y,
          color: { field: 'kind', type: 'nominal', title: 'policy kind', scale: kindColourScale(present) },
          shape: {
            field: 'kind',
            type: 'nominal',
            title: 'policy kind',
            scale: { domain: kinds.filter((kind) => present.includes(kind)), range: kinds.filter((kind) => present.includes(kind)).map((kind) => kindShapes[kind]) },
          },
          description: { field: 'description', type: 'nominal' },
        },
      },
      {
        // Every row gets a text item (empty when its label is on the other side or left out), so that neither
        // label layer is ever empty: an empty layer would add an empty extent to the scales.
        name: 'pareto_labels',
        transform: [{ calculate: "datum.labelSide === 'right' ? datum.label : ''", as: 'text' }],
        mark: { type: 'text', align: 'left', baseline: 'middle', dx: 9, fontSize: 10, color: '#333333' },
        encoding: { x, y, text: { field: 'text' } },
      },
      {
        name: 'pareto_labels_left',
        transform: [{ calculate: "datum.labelSide === 'left' ? datum.label : ''", as: 'text' }],
        mark: { type: 'text', align: 'right', baseline: 'middle', dx: -9, fontSize: 10, color: '#333333' },
        encoding: { x, y, text: { field: 'text' } },
      },
    ],
  };
}

/** One bar of the timeline: a call, or a round marker. */
export interface TimelineRow {
  panel: string;
  kind: 'call' | 'round';
  lane: 'approximation' | 'target';
  slot: number;
  startSec: number;
  endSec: number;
  status: string;
  label: string;
  description: string;
}

/** The panel title of an example: the policy and its figures on the task. */
function panelTitle(example: SuiteResults['examples'][number]): string {
  return `${example.policy}: ${formatNumber(example.latencyMs / 1000)} s, speedup ${formatNumber(example.speedup)}x`;
}

/**
 * Rows of the timeline: every call of each example (one panel per policy), placed in the approximation or
 * target lane, in a sub-row that no overlapping call shares; plus one marker per round with its k.
 */
export function timelineRows(suite: SuiteResults): TimelineRow[] {
  const rows: TimelineRow[] = [];
  for (const example of suite.examples) {
    const panel = panelTitle(example);
    const seconds = (ms: number): number => (ms - example.startMs) / 1000;
    for (const role of ['approx', 'target'] as const) {
      const records = example.records.filter((record) => record.role === role);
      const slots = assignSlots(records);
      records.forEach((record, index) => {
        rows.push({
          panel,
          kind: 'call',
          lane: role === 'approx' ? 'approximation' : 'target',
          slot: slots[index]!,
          startSec: seconds(record.startMs),
          endSec: seconds(record.endMs),
          status: record.status,
          label: String(record.step),
          description: `${role === 'approx' ? 'A' : 'T'} step ${record.step}, round ${record.round + 1}: ${record.status}, ${formatNumber((record.endMs - record.startMs) / 1000)} s`,
        });
      });
    }
    for (const round of example.rounds) {
      rows.push({
        panel,
        kind: 'round',
        lane: 'approximation',
        slot: 0,
        startSec: seconds(round.startMs),
        endSec: seconds(round.endMs),
        status: '',
        label: `k=${round.k}`,
        description: `round ${round.index + 1} from step ${round.startStep}: k = ${round.k}, ${round.acceptedCount} accepted, ended by ${round.end}`,
      });
    }
  }
  return rows;
}

/** (b) The calls of one task on a time axis: lanes for A and T, colour by status, the k of each round. */
export function timelineSpec(suite: SuiteResults): VegaLiteSpec {
  const example = suite.examples[0];
  const x = { field: 'startSec', type: 'quantitative', title: 'seconds since the task started' };
  // Lanes sort alphabetically: approximation above target.
  const y = { field: 'lane', type: 'nominal', title: null, scale: { paddingOuter: 0.35 } };
  const panels = suite.examples.map(panelTitle);
  const rows = timelineRows(suite);
  // Room for every sub-row of the busiest lane: about 11 pixels each, in each of the two lanes.
  const slots = Math.max(1, ...rows.map((row) => row.slot + 1));
  return {
    title: {
      text: 'Timeline of one task',
      subtitle: example === undefined ? 'no example task' : `${example.taskId}; numbers: plan step; dashed: round start with its k`,
    },
    data: { values: rows },
    facet: {
      row: {
        field: 'panel',
        type: 'nominal',
        sort: panels,
        title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' },
      },
    },
    spacing: 14,
    spec: {
      width: 520,
      height: 30 + 2 * 11 * slots,
      layer: [
        {
          name: 'timeline_rounds',
          transform: [{ filter: "datum.kind === 'round'" }],
          mark: { type: 'rule', color: '#555555', strokeDash: [3, 3] },
          encoding: { x },
        },
        {
          name: 'timeline_round_labels',
          transform: [{ filter: "datum.kind === 'round'" }],
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, y: 1, fontSize: 9, color: '#333333' },
          encoding: { x, text: { field: 'label' } },
        },
        {
          name: 'timeline_calls',
          transform: [{ filter: "datum.kind === 'call'" }],
          mark: { type: 'bar', cornerRadius: 2, stroke: 'white', strokeWidth: 1 },
          encoding: {
            x,
            x2: { field: 'endSec' },
            y,
            yOffset: { field: 'slot', type: 'ordinal', sort: 'ascending' },
            color: {
              field: 'status',
              type: 'nominal',
              title: 'call status',
              scale: { domain: statuses, range: statuses.map((status) => statusColours[status]) },
            },
            description: { field: 'description', type: 'nominal' },
          },
        },
        {
          name: 'timeline_steps',
          transform: [{ filter: "datum.kind === 'call'" }],
          mark: { type: 'text', align: 'left', baseline: 'middle', dx: 2, fontSize: 8, color: '#222222' },
          encoding: { x, y, yOffset: { field: 'slot', type: 'ordinal', sort: 'ascending' }, text: { field: 'label' } },
        },
      ],
    },
  };
}

/** Policies whose k the learning chart shows: the adaptive ones (learned first), else the featured one; at most 4. */
export function learningPolicies(suite: SuiteResults, limit = 4): string[] {
  const adaptive = suite.policies.filter((policy) => policy.kind === 'dsp' || policy.kind === 'additive');
  const rank = (name: string): number => (name === suite.featured ? 0 : suite.frontier.includes(name) ? 1 : 2);
  const chosen = adaptive
    .map((policy, index) => ({ policy, index }))
    .sort((a, b) => (a.policy.kind === b.policy.kind ? 0 : a.policy.kind === 'dsp' ? -1 : 1) || rank(a.policy.policy) - rank(b.policy.policy) || a.index - b.index)
    .map(({ policy }) => policy.policy);
  if (chosen.length === 0) {
    const featured = suite.policies.find((policy) => policy.policy === suite.featured);
    if (featured !== undefined && featured.kind !== 'oracle' && featured.kind !== 'sequential') chosen.push(featured.policy);
  }
  return chosen.slice(0, limit);
}

/** How many tasks the learning chart averages over: about a fifteenth of the suite, between 1 and 25. */
export function learningWindow(tasks: number): number {
  return Math.max(1, Math.min(25, Math.ceil(tasks / 15)));
}

/** One point of the learning chart. */
export interface LearningRow {
  policy: string;
  series: 'chosen k' | 'oracle k';
  /** 1-based position of the task in the suite (run order). */
  task: number;
  /** Trailing mean over tasks of the per-task mean k. */
  k: number;
}

/**
 * Per task (in run order), the mean k a policy chose over the task's rounds and the mean of the oracle's k in the
 * same states; tasks without a round are skipped.
 */
export function perTaskK(rounds: SuiteResults['policies'][number]['rounds']): { task: number[]; k: number[]; oracleK: number[] } {
  const byTask = new Map<number, { k: number; oracleK: number; rounds: number }>();
  rounds.task.forEach((task, index) => {
    const entry = byTask.get(task) ?? { k: 0, oracleK: 0, rounds: 0 };
    entry.k += rounds.k[index]!;
    entry.oracleK += rounds.oracleK[index]!;
    entry.rounds += 1;
    byTask.set(task, entry);
  });
  const tasks = [...byTask.keys()].sort((a, b) => a - b);
  return {
    task: tasks,
    k: tasks.map((task) => byTask.get(task)!.k / byTask.get(task)!.rounds),
    oracleK: tasks.map((task) => byTask.get(task)!.oracleK / byTask.get(task)!.rounds),
  };
}

/**
 * Rows of the learning chart: for each task in run order, the mean k chosen and the mean oracle k over the task's
 * rounds, each smoothed by a trailing mean over `learningWindow(tasks)` tasks.
 */
export function learningRows(suite: SuiteResults, policies: readonly string[]): LearningRow[] {
  const rows: LearningRow[] = [];
  for (const name of policies) {
    const policy = suite.policies.find((entry) => entry.policy === name);
    if (policy === undefined) continue;
    const perTask = perTaskK(policy.rounds);
    const window = learningWindow(perTask.task.length);
    const series = [
      ['chosen k', trailingMean(perTask.k, window)],
      ['oracle k', trailingMean(perTask.oracleK, window)],
    ] as const;
    for (const [label, values] of series) {
      values.forEach((k, index) => rows.push({ policy: name, series: label, task: perTask.task[index]! + 1, k }));
    }
  }
  return rows;
}

/** Tasks the learning chart's widest policy ran rounds on (for its smoothing window). */
export function learningTasks(suite: SuiteResults, policies: readonly string[]): number {
  return Math.max(0, ...policies.map((name) => new Set(suite.policies.find((entry) => entry.policy === name)?.rounds.task ?? []).size));
}

/** (c) The mean k chosen per task across the suite beside the oracle's k in the same states (the learning curve). */
export function learningSpec(suite: SuiteResults, limit = 4): VegaLiteSpec {
  const policies = learningPolicies(suite, limit);
  const tasks = learningTasks(suite, policies);
  return {
    title: {
      text: 'k per task against the oracle',
      subtitle: `mean over each task's rounds, tasks in run order; trailing mean over ${learningWindow(tasks)} tasks`,
    },
    data: { values: learningRows(suite, policies) },
    facet: {
      row: { field: 'policy', type: 'nominal', sort: policies, title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' } },
    },
    spacing: 14,
    spec: {
      width: 520,
      height: 110,
      layer: [
        {
          name: 'learning_lines',
          mark: { type: 'line', strokeWidth: 1.5, interpolate: 'monotone' },
          encoding: {
            x: { field: 'task', type: 'quantitative', title: 'task (in run order)' },
            y: { field: 'k', type: 'quantitative', title: 'k', scale: { zero: true } },
            color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['chosen k', 'oracle k'], range: [kindColours.dsp, '#000000'] } },
            strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: ['chosen k', 'oracle k'], range: [[1, 0], [4, 3]] } },
          },
        },
      ],
    },
  };
}

/** One box of the speedup chart. */
export interface SpeedupRow extends Distribution {
  policy: string;
  kind: PolicyKind;
  description: string;
}

/** Rows of the speedup chart: the distribution of per-task speedup of every policy, fastest median first. */
export function speedupRows(suite: SuiteResults): SpeedupRow[] {
  return suite.policies
    .map((policy) => {
      const spread = distribution(policy.perTask.speedup);
      return {
        policy: policy.policy,
        kind: policy.kind,
        ...spread,
        description: `${policy.policy}: per-task speedup median ${formatNumber(spread.median)}x, quartiles ${formatNumber(spread.q1)}–${formatNumber(spread.q3)}x, range ${formatNumber(spread.min)}–${formatNumber(spread.max)}x`,
      };
    })
    .sort((a, b) => b.median - a.median || b.mean - a.mean);
}

/** (d) The distribution of per-task speedup of each policy: whiskers min–max, box quartiles, tick median. */
export function speedupSpec(suite: SuiteResults): VegaLiteSpec {
  const rows = speedupRows(suite);
  const y = { field: 'policy', type: 'nominal', title: null, sort: rows.map((row) => row.policy) };
  const speedupAxis = (field: string): VegaLiteSpec => ({ field, type: 'quantitative', title: 'speedup per task (×)', scale: { zero: false } });
  return {
    title: { text: 'Speedup per task', subtitle: 'sequential latency ÷ latency; whiskers min–max, box quartiles, black tick median' },
    width: 520,
    height: { step: 18 },
    data: { values: rows },
    layer: [
      {
        name: 'speedup_reference',
        data: { values: [{ x: 1 }] },
        mark: { type: 'rule', color: '#999999', strokeDash: [4, 3] },
        encoding: { x: speedupAxis('x') },
      },
      {
        name: 'speedup_whiskers',
        mark: { type: 'rule', color: '#777777' },
        encoding: { x: speedupAxis('min'), x2: { field: 'max' }, y },
      },
      {
        name: 'speedup_boxes',
        mark: { type: 'bar', height: 11, cornerRadius: 1 },
        encoding: {
          x: speedupAxis('q1'),
          x2: { field: 'q3' },
          y,
          color: { field: 'kind', type: 'nominal', title: 'policy kind', scale: kindColourScale(presentKinds(suite)) },
          description: { field: 'description', type: 'nominal' },
        },
      },
      {
        name: 'speedup_medians',
        mark: { type: 'tick', thickness: 2, size: 13 },
        encoding: {
          x: speedupAxis('median'),
          y,
          // The oracle's box is black: its median tick is drawn white.
          color: { condition: { test: "datum.kind === 'oracle'", value: '#ffffff' }, value: '#000000' },
        },
      },
    ],
  };
}

/** The spec of one chart of a suite, top-level (ready to compile). */
export function chartSpec(suite: SuiteResults, chart: ChartName): VegaLiteSpec {
  switch (chart) {
    case 'pareto':
      return topLevel(paretoSpec(suite));
    case 'timeline':
      return topLevel(timelineSpec(suite));
    case 'learning':
      return topLevel(learningSpec(suite));
    case 'speedup':
      return topLevel(speedupSpec(suite));
  }
}

/**
 * Whether a suite has what a chart needs: a timeline an example task, the learning chart a policy to show, the
 * latency–cost chart a policy whose cost is known.
 */
export function chartAvailable(suite: SuiteResults, chart: ChartName): boolean {
  if (chart === 'timeline') return suite.examples.length > 0;
  if (chart === 'learning') return learningPolicies(suite).length > 0;
  if (chart === 'pareto') return pricedRows(suite).length > 0;
  return suite.policies.length > 0;
}

/** The four charts of a suite in one picture (two rows of two), for a README or a slide. */
export function overviewSpec(suite: SuiteResults): VegaLiteSpec {
  // One timeline panel (the featured policy) keeps the picture's rows balanced.
  const compact: SuiteResults = { ...suite, examples: suite.examples.slice(0, 1) };
  const independent = { scale: { color: 'independent', shape: 'independent', strokeDash: 'independent' } };
  const row = (charts: ChartName[]): VegaLiteSpec => ({
    hconcat: charts
      .filter((chart) => chartAvailable(compact, chart))
      .map((chart) => (chart === 'learning' ? learningSpec(compact, 2) : builders[chart](compact))),
    spacing: 40,
    resolve: independent,
  });
  return topLevel({
    title: { text: `Dynamic speculative planning — suite ${suite.suite}`, fontSize: 18, subtitle: `${suite.summary.tasks} tasks, timing ${suite.timing}, prices ${suite.summary.priceTable}` },
    vconcat: [row(['pareto', 'speedup']), row(['timeline', 'learning'])],
    spacing: 30,
    resolve: independent,
  });
}

const builders: Record<ChartName, (suite: SuiteResults) => VegaLiteSpec> = {
  pareto: paretoSpec,
  timeline: timelineSpec,
  learning: learningSpec,
  speedup: speedupSpec,
};

/**
 * Opens the HTML report in headless Chromium: no console error, no request beyond the file itself, one section per
 * suite, and every chart with the marks it should have. Needs a Chromium binary: `DSP_CHROMIUM` when set, else
 * Debian's /usr/bin/chromium. Without one the tests skip with the reason printed, or fail when `CI` is set.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { statusColours } from '../../src/report/chart-specs.js';
import { renderReport } from '../../src/report/render-report.js';
import type { ResultsFile } from '../../src/report/results-schema.js';
import { learningPolicies } from '../../src/report/chart-specs.js';
import { benchResults, handSuite, miniSyntheticSuite } from './fixtures.js';
import { requireSystem } from '../system-requirement.js';

const chromiumPath = process.env.DSP_CHROMIUM || '/usr/bin/chromium';
const browserMissing = existsSync(chromiumPath)
  ? undefined
  : `no browser at ${chromiumPath}: these tests open the report in Chromium; install it (Debian: \`apt-get install -y chromium\`) or point DSP_CHROMIUM at a Chromium binary`;

/** An attribute of every element a locator matches ('' when absent). */
async function attributes(locator: Locator, name: string): Promise<string[]> {
  return Promise.all((await locator.all()).map(async (element) => (await element.getAttribute(name)) ?? ''));
}

describe('the HTML report in a browser', () => {
  let browser: Browser | undefined;
  let page: Page;
  let results: ResultsFile;
  const consoleErrors: string[] = [];
  const outsideRequests: string[] = [];
  // A failed setup is rethrown by every test, so that each one counts as failed (a hook error alone shows as skips).
  let setupError: Error | undefined;
  const ready = (context: Pick<TestContext, 'skip'>): void => {
    requireSystem(context, browserMissing);
    if (setupError !== undefined) throw setupError;
  };

  beforeAll(async () => {
    if (browserMissing !== undefined) return;
    try {
      results = await benchResults([handSuite(), miniSyntheticSuite()]);
      const path = join(mkdtempSync(join(tmpdir(), 'dsp-report-browser-')), 'report.html');
      writeFileSync(path, await renderReport(results));
      const url = pathToFileURL(path).href;
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      page = await browser.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
      await page.route('**/*', async (route) => {
        if (route.request().url() === url) return route.continue();
        outsideRequests.push(route.request().url());
        return route.abort();
      });
      await page.goto(url, { waitUntil: 'load' });
    } catch (error) {
      setupError = error instanceof Error ? error : new Error(String(error));
    }
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console error and no request for anything but the page itself', (context) => {
    ready(context);
    expect(consoleErrors).toEqual([]);
    expect(outsideRequests).toEqual([]);
  });

  it('has one section per suite, each with its four charts, summary, prices and sources', async (context) => {
    ready(context);
    expect(await attributes(page.locator('section.suite'), 'data-suite')).toEqual(['hand', 'mini']);
    for (const [index, suite] of results.suites.entries()) {
      const section = page.locator('section.suite').nth(index);
      expect(await section.locator('figure.chart > svg').count()).toBe(4);
      expect(await attributes(section.locator('table.summary tbody tr'), 'data-policy')).toEqual(
        suite.summary.rows.map((row) => row.policy),
      );
      expect(await section.locator('table.prices tbody tr').count()).toBe(2);
      const targetModel = suite.models.target[0]!;
      expect(await section.locator('table.prices').innerText()).toContain(results.priceTable.models[targetModel]!.source!);
      expect(await section.innerText()).toContain(suite.source);
    }
    // The combined table over both suites comes first.
    expect(await page.locator('section#all table.summary tbody tr').count()).toBe(6);
  });

  it('draws one point per policy on the latency–cost chart, rings the frontier and marks the oracle', async (context) => {
    ready(context);
    for (const [index, suite] of results.suites.entries()) {
      const chart = page.locator('section.suite').nth(index).locator('figure[data-chart="pareto"]');
      const points = await attributes(chart.locator('g.pareto_points_marks > path'), 'aria-label');
      expect(points.map((label) => label.split(':')[0] === 'oracle' ? 'oracle' : label.slice(0, label.indexOf(': latency')))).toEqual(
        suite.summary.rows.map((row) => row.policy),
      );
      expect(await chart.locator('g.pareto_frontier_points_marks > path').count()).toBe(suite.frontier.length);
      expect(await chart.locator('g.pareto_frontier_marks > path').count()).toBe(1);
      expect(await chart.locator('g.pareto_labels_marks > text').allTextContents()).toContain('oracle (limit)');
    }
  });

  it('draws the timeline with one lane per agent, one bar per call, status colours and the k of each round', async (context) => {
    ready(context);
    const chart = page.locator('section.suite').first().locator('figure[data-chart="timeline"]');
    const examples = results.suites[0]!.examples;
    const laneLabels = await chart.locator('g.role-axis-label text').allTextContents();
    expect(laneLabels.filter((label) => label === 'approximation')).toHaveLength(examples.length);
    expect(laneLabels.filter((label) => label === 'target')).toHaveLength(examples.length);
    const bars = await attributes(chart.locator('g.timeline_calls_marks > path'), 'fill');
    const records = examples.flatMap((example) => example.records);
    expect(bars).toHaveLength(records.length);
    expect(new Set(bars)).toEqual(new Set(records.map((record) => statusColours[record.status])));
    expect(new Set(Object.values(statusColours)).size).toBe(5);
    expect(await chart.locator('g.timeline_round_labels_marks > text').allTextContents()).toEqual(
      examples.flatMap((example) => example.rounds.map((round) => `k=${round.k}`)),
    );
  });

  it('draws two lines (chosen k, oracle k) per policy on the learning chart and one box per policy of speedup', async (context) => {
    ready(context);
    for (const [index, suite] of results.suites.entries()) {
      const section = page.locator('section.suite').nth(index);
      expect(await section.locator('figure[data-chart="learning"] g.learning_lines_marks > path').count()).toBe(2 * learningPolicies(suite).length);
      expect(await section.locator('figure[data-chart="speedup"] g.speedup_boxes_marks > path').count()).toBe(suite.policies.length);
    }
  });
});

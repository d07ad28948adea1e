/**
 * The OpenTelemetry spans of a live run: in process with an in-memory exporter, then `dsp run` exporting OTLP/HTTP
 * to a collector on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDsp } from '../../test/fixtures/cli/spawn-dsp.js';
import { startFaultProxy, type FaultProxy } from '../../test/fixtures/serve/fault-proxy.js';
import { seededRandom } from '../core/rng.js';
import { taskForText } from '../envs/openagi/tasks.js';
import { parsePolicySpec } from '../policies/registry.js';
import { type ReplayServer, startReplayServer } from '../server/replay-server.js';
import { loadTraces } from '../traces/format.js';
import { runLiveSuite } from './live-suite.js';
import { travelPlannerLiveEnvironment } from './live-environment.js';
import { otlpTracesUrl } from './otlp-url.js';
import { servedModelArgs, servedPrices } from '../../test/fixtures/serve/served-run.js';

const fixturePath = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'serve', 'openagi-mini.jsonl');
const traces = loadTraces(fixturePath);

describe('the spans of a live run', () => {
  let server: ReplayServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    // Every first attempt of T's first request of task-11 is refused once: one retried request, one failed attempt.
    proxy = await startFaultProxy({
      upstream: server.url,
      firstAttempt: (_draw, body) =>
        body.model === 'target' && body.lastMessage.includes('Call: react-thought') && body.lastMessage.includes('Plan so far: (empty)')
          ? 'rate-limit'
          : 'pass',
      retryAfterMs: 10,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  it('nest run → task → round → call → request, with the GenAI attributes and ours', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const outcome = await runLiveSuite({
      suite: 'openagi-mini',
      tasks: [taskForText(traces[0]!.task, traces[0]!.id)],
      approx: { model: `openai-compatible:approx@${proxy.url}`, strategy: 'direct' },
      target: { model: `openai-compatible:target@${proxy.url}`, strategy: 'react' },
      policy: parsePolicySpec('fixed:2'),
      env: {},
      random: seededRandom(1),
      tracer: provider.getTracer('test'),
    });
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: ReadableSpan): ReadableSpan | undefined =>
      span.parentSpanContext === undefined ? undefined : byId.get(span.parentSpanContext.spanId);
    const named = (prefix: string): ReadableSpan[] => spans.filter((span) => span.name.startsWith(prefix));

    const [run] = named('dsp.run');
    expect(run?.attributes).toMatchObject({ 'dsp.policy': 'fixed:2', 'dsp.tasks': 1, 'dsp.tasks.finished': 1, 'dsp.run.status': 'finished' });
    const [task] = named('dsp.task');
    expect(task?.name).toBe('dsp.task task-11');
    expect(parentOf(task!)).toBe(run);
    expect(task?.attributes).toMatchObject({ 'dsp.task.status': 'finished', 'dsp.task.steps': 2 });

    const result = outcome.results[0]!;
    const rounds = named('dsp.round ');
    expect(rounds.map((round) => [round.attributes['dsp.round'], round.attributes['dsp.k']])).toEqual(result.rounds.map((round) => [round.index, round.k]));
    expect(rounds.every((round) => parentOf(round) === task)).toBe(true);

    // One call span per ledger record, under its round, with its status, cost and speculation.
    const calls = named('invoke_agent ');
    expect(calls).toHaveLength(result.records.length);
    for (const record of result.records) {
      const call = calls.find((span) => span.attributes['dsp.call.id'] === record.id)!;
      expect(call.name).toBe(`invoke_agent ${record.role}`);
      expect(call.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': record.role,
        'dsp.call.status': record.status,
        'dsp.round': record.round,
        'dsp.speculative': record.prefix === 'speculative',
      });
      expect(parentOf(call)?.attributes['dsp.round']).toBe(record.round);
    }
    const failed = calls.filter((span) => span.attributes['dsp.call.status'] === 'failed');
    expect(failed).toHaveLength(1);

    // The requests: GenAI client spans under their calls, two per react step, the refused one with error.type 429.
    const requests = named('chat ');
    expect(requests.length).toBeGreaterThan(result.records.length);
    for (const request of requests) {
      expect(request.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai-compatible' });
      expect(['approx', 'target']).toContain(request.attributes['gen_ai.request.model']);
      expect(parentOf(request)?.name).toMatch(/^invoke_agent /);
    }
    const refused = requests.filter((request) => request.attributes['error.type'] === '429');
    expect(refused).toHaveLength(1);
    const answered = requests.find((request) => request.attributes['error.type'] === undefined && request.attributes['gen_ai.request.model'] === 'target')!;
    expect(answered.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(answered.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    // Children lie within their parents.
    for (const span of [...rounds, ...calls]) {
      const parent = parentOf(span)!;
      expect(toMs(span.startTime)).toBeGreaterThanOrEqual(toMs(parent.startTime) - 1);
      expect(toMs(span.endTime)).toBeLessThanOrEqual(toMs(parent.endTime) + 1);
    }
  });
});

describe('the spans of a live run with tools', () => {
  it('has an execute_tool span per tool execution under its round, and the Planner\'s model request under its execution', async () => {
    const examples = loadTraces(join(import.meta.dirname, '..', '..', 'data', 'examples', 'travelplanner-mini.jsonl'));
    const server = await startReplayServer({ traces: examples, speed: 100 });
    try {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const outcome = await runLiveSuite({
        suite: 'travelplanner-react',
        tasks: [{ id: examples[0]!.id, text: examples[0]!.task }],
        approx: { model: `openai-compatible:approx@${server.url}`, strategy: 'direct' },
        target: { model: `openai-compatible:target@${server.url}`, strategy: 'react' },
        policy: parsePolicySpec('fixed:4'),
        environment: travelPlannerLiveEnvironment(),
        maxSteps: 30,
        env: {},
        tracer: provider.getTracer('test'),
      });
      await provider.forceFlush();
      expect(outcome.failures).toEqual([]);
      const result = outcome.results[0]!;
      const toolRecords = result.toolRecords ?? [];
      const spans = exporter.getFinishedSpans();
      const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
      const parentOf = (span: ReadableSpan): ReadableSpan | undefined =>
        span.parentSpanContext === undefined ? undefined : byId.get(span.parentSpanContext.spanId);
      const tools = spans.filter((span) => span.name.startsWith('execute_tool '));
      // Speculative executions too: the guesses ran searches the committed plan did not keep.
      expect(toolRecords.some((record) => record.prefix === 'speculative')).toBe(true);
      expect(tools).toHaveLength(toolRecords.length);
      for (const record of toolRecords) {
        const span = tools.find((candidate) => candidate.attributes['dsp.tool.id'] === record.id)!;
        const tool = /^(\w+)\[/.exec(record.action as string)![1]!;
        expect(span.name).toBe(`execute_tool ${tool}`);
        expect(span.attributes).toMatchObject({
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool,
          'dsp.tool.effect': record.effect,
          'dsp.tool.status': record.status,
          'dsp.step': record.step,
          'dsp.speculative': record.prefix === 'speculative',
        });
        expect(parentOf(span)?.attributes['dsp.round']).toBe(record.round);
      }
      // The Planner ran once, committed, and its model request hangs from its execution.
      const planner = tools.filter((span) => span.attributes['gen_ai.tool.name'] === 'Planner');
      expect(planner.map((span) => [span.attributes['dsp.tool.status'], span.attributes['dsp.speculative']])).toEqual([['committed', false]]);
      const plannerRequests = spans.filter((span) => span.name.startsWith('chat ') && parentOf(span) === planner[0]);
      expect(plannerRequests).toHaveLength(1);
      expect(plannerRequests[0]!.attributes['dsp.request.kind']).toBe('planner');
    } finally {
      await server.close();
    }
  });
});

describe('dsp run with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let server: ReplayServer;
  let collector: Server;
  const received: Array<{ path: string; contentType: string; body: OtlpTraces }> = [];
  beforeAll(async () => {
    server = await startReplayServer({ traces, speed: 20 });
    collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          path: request.url ?? '',
          contentType: request.headers['content-type'] ?? '',
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces,
        });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((done) => collector.listen(0, '127.0.0.1', done));
  });
  afterAll(async () => {
    await new Promise<void>((done) => collector.close(() => done()));
    await server.close();
  });

  it('sends the spans of the run to a local OTLP/HTTP collector, with the GenAI attributes', async () => {
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const pricesPath = join(mkdtempSync(join(tmpdir(), 'dsp-otlp-')), 'prices.json');
    writeFileSync(
      pricesPath,
      JSON.stringify(servedPrices),
    );
    const dsp = spawnDsp(
      [
        'run',
        '--tasks-from',
        fixturePath,
        ...servedModelArgs(server.url),
        '--policy',
        'fixed:2',
        '--prices',
        pricesPath,
      ],
      { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'dsp-test' },
    );
    try {
      expect(await dsp.exited, dsp.stderr()).toBe(0);
      expect(dsp.stdout()).toContain(`  telemetry      spans exported over OTLP/HTTP to ${endpoint}/v1/traces`);
      expect(received.length).toBeGreaterThan(0);
      expect(received.every((post) => post.path === '/v1/traces' && post.contentType.startsWith('application/json'))).toBe(true);
      const resourceSpans = received.flatMap((post) => post.body.resourceSpans);
      expect(resourceSpans.every((entry) => attribute(entry.resource.attributes, 'service.name') === 'dsp-test')).toBe(true);
      const spans = resourceSpans.flatMap((entry) => entry.scopeSpans.flatMap((scope) => scope.spans));
      expect(spans.filter((span) => span.name === 'dsp.run')).toHaveLength(1);
      expect(spans.filter((span) => span.name.startsWith('dsp.task ')).map((span) => span.name).sort()).toEqual(
        ['dsp.task task-106', 'dsp.task task-11', 'dsp.task task-15', 'dsp.task task-3'],
      );
      const chat = spans.filter((span) => span.name === 'chat target');
      expect(chat.length).toBeGreaterThan(0);
      const first = chat[0]!;
      expect(attribute(first.attributes, 'gen_ai.operation.name')).toBe('chat');
      expect(attribute(first.attributes, 'gen_ai.request.model')).toBe('target');
      expect(Number(attribute(first.attributes, 'gen_ai.usage.input_tokens'))).toBeGreaterThan(0);
      expect(Number(attribute(first.attributes, 'gen_ai.usage.output_tokens'))).toBeGreaterThan(0);
      const call = spans.find((span) => span.name === 'invoke_agent target')!;
      for (const key of ['dsp.k', 'dsp.round', 'dsp.call.status', 'dsp.cost_usd', 'dsp.speculative']) {
        expect(attribute(call.attributes, key), key).toBeDefined();
      }
    } finally {
      dsp.child.kill('SIGKILL');
    }
  });

  it('is read from the standard variables', () => {
    expect(otlpTracesUrl({})).toBeUndefined();
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' })).toBe('http://127.0.0.1:4318/v1/traces');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' })).toBe(
      'http://b:4318/custom',
    );
  });
});

describe('the root entry', () => {
  it('never loads the OpenTelemetry SDK or exporter, whatever it imports', () => {
    const root = resolve(import.meta.dirname, '..', 'index.ts');
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
        else packages.add(specifier);
      }
    };
    visit(root);
    expect(seen.size).toBeGreaterThan(10);
    expect([...packages].filter((name) => name.startsWith('@opentelemetry/') && name !== '@opentelemetry/api')).toEqual([]);
    // The exporter module exists, and only the CLI reaches it.
    expect(readdirSync(import.meta.dirname)).toContain('otlp.ts');
    expect(seen.has(resolve(import.meta.dirname, 'otlp.ts'))).toBe(false);
  });
});

/** The parts of an OTLP JSON export the test reads. */
interface OtlpTraces {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{ spans: Array<{ name: string; attributes: OtlpAttribute[] }> }>;
  }>;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

function attribute(attributes: readonly OtlpAttribute[], key: string): string | number | boolean | undefined {
  const value = attributes.find((entry) => entry.key === key)?.value;
  return value?.stringValue ?? value?.intValue ?? value?.doubleValue ?? value?.boolValue;
}

function toMs(time: [number, number]): number {
  return time[0] * 1000 + time[1] / 1e6;
}

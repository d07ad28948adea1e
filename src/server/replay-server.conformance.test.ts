/**
 * The agent adapter conformance suite against `dsp serve` over real HTTP on 127.0.0.1: the adapter talks to the
 * replay server through the `openai-compatible` provider, exactly as `dsp run` does.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { describeAgentConformance } from '../../test/conformance/agent-conformance.js';
import type { AgentContext } from '../core/types.js';
import { standardTasks } from '../envs/openagi/tasks.js';
import { createLanguageModel } from '../providers/providers.js';
import type { Trace } from '../traces/schema.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const tasks = standardTasks();
const noisyImage = tasks[13]!;
const lowResolutionNoisyImage = tasks[12]!;

const traces: Trace[] = [
  {
    format: 'dsp-trace/1',
    id: 'conformance/answering',
    suite: 'conformance',
    task: noisyImage.text,
    timing: 'synthetic',
    models: { approx: 'approx', target: 'target' },
    steps: [
      { target: { action: 'Image Denoising', latencyMs: 40, inputTokens: 321, outputTokens: 45, reasoningTokens: 12 } },
      // Long enough (1 s at speed 20) that the suite cancels it while it streams.
      { target: { action: 'TERMINATE', latencyMs: 20_000, inputTokens: 400, outputTokens: 60 } },
    ],
  },
  {
    format: 'dsp-trace/1',
    id: 'conformance/unparsable',
    suite: 'conformance',
    task: lowResolutionNoisyImage.text,
    timing: 'synthetic',
    models: { approx: 'approx', target: 'target' },
    steps: [
      {
        target: { action: { unparsed: 'I cannot tell which module comes next.' }, latencyMs: 20, inputTokens: 10, outputTokens: 9 },
        approx: { action: { unparsed: 'No idea.' }, latencyMs: 20, inputTokens: 10, outputTokens: 3 },
      },
    ],
  },
];

let server: ReplayServer;
let closedPortUrl: string;
let requests = 0;
let lastBody = '';

/** A fetch that counts requests (connection attempts included) and keeps the last request body. */
const recordingFetch: typeof fetch = (input, init) => {
  requests += 1;
  lastBody = typeof init?.body === 'string' ? init.body : '';
  return fetch(input, init);
};

function model(name: 'approx' | 'target', url = server.url) {
  return createLanguageModel(`openai-compatible:${name}@${url}`, { env: {}, fetch: recordingFetch }).model;
}

function context(task: { id: string; text: string }, prefix: string[]): AgentContext {
  return { task, prefix, step: prefix.length + 1, speculative: false };
}

beforeAll(async () => {
  server = await startReplayServer({ traces, speed: 20 });
  // A port that was just free: nothing listens there, so connections are refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  closedPortUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 9}/v1`;
});

afterAll(async () => {
  await server.close();
});

describeAgentConformance('dsp serve over HTTP (openai-compatible provider)', {
  answering: () => ({
    model: model('target'),
    context: context(noisyImage, []),
    expectedAction: 'Image Denoising',
    expectedUsage: { inputTokens: 321, outputTokens: 45, reasoningTokens: 12 },
    expectedModel: 'target',
  }),
  stalling: () => ({ model: model('target'), context: context(noisyImage, ['Image Denoising']) }),
  failing: () => {
    const before = requests;
    return {
      model: model('target'),
      context: context({ id: 'unknown', text: 'Given a poem, how to return a song step by step?' }, []),
      expectedStatus: 404,
      expectedMessage: /no trace for the task/,
      attempts: () => requests - before,
    };
  },
  unreachable: () => {
    const before = requests;
    return { model: model('target', closedPortUrl), context: context(noisyImage, []), attempts: () => requests - before };
  },
  unparsable: () => ({ model: model('target'), context: context(lowResolutionNoisyImage, []) }),
  lastRequestMessages: () => {
    const body = JSON.parse(lastBody) as { messages: Array<{ content: string }> };
    return body.messages.map((message) => message.content);
  },
  requestCount: () => requests,
});

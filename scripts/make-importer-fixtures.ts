/**
 * Writes the small, hand-made importer fixtures under test/fixtures/importers/ (run logs and datasets in the DSP
 * authors' formats, invented for the tests — nothing is copied from their files):
 *
 *   npx tsx scripts/make-importer-fixtures.ts
 *
 * `dsp-logs/logs/react/dyn_k/bs_2_ep_1/` holds one well-formed run (task 3). `dsp-logs/other/` holds variants of
 * it, each with one thing changed: a malformed record (4), a missing simulation log (5), a simulation log whose
 * final plan disagrees (6), a line without a timestamp (7), a last line cut short (8, still importable) and a plan
 * that does not end with TERMINATE (9). `datasets/` holds small k-labelled datasets and malformed ones.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', 'test', 'fixtures', 'importers');
const task = 'Given blurry image, how to return the regular image step by step?';

/** Prefixes every line with the authors' timestamp format, one second apart from 10:00:00. */
function timestamped(lines: readonly string[]): string {
  return lines.map((line, index) => `01/02/2025, 10:00:${String(index).padStart(2, '0')}: ${line}\n`).join('');
}

const target = [
  `task description: ${task}`,
  'react launch api for thought.',
  'Target step 1 thought prompt token: 380',
  'react launch api for thought.',
  'Target step 2 thought prompt token: 395',
  'react launch api for thought.',
  'Target step 3 thought prompt token: 390',
  'Target step 1 thought generation token: 100',
  'react launch api for response.',
  'Target step 1 response prompt token: 500',
  'Target step 1 response generation token: 10',
  'Target: Step 1 - Image Deblurring',
  'Intermediate Target Step 1 - Image Deblurring -gen 110 -prompt 880',
  'Target: Step 1 -time 6.12',
  // A speculative call on a wrong prefix that finished before the break: never the committed record of step 3.
  'Intermediate Target Step 3 - Image Colorization -gen 95 -prompt 900',
  'Target: Step 3 -time 5.0',
  'Intermediate Target Step 2 - Image Denoising -gen 120 -prompt 910',
  'Target: Step 2 -time 7.01',
  'Mismatch at 1. Cancel starts. ',
  "sas tasks: ['Image Deblurring', 'Image Super-Resolution', 'Image Colorization']",
  "flatten_tas: [(0, 'Image Deblurring'), (1, 'Image Denoising'), (2, 'Image Colorization')]",
  'step 1 app: Image Super-Resolution, tar: Image Denoising',
  "return sas tasks: ['Image Deblurring', 'Image Denoising']",
  'react launch api for thought.',
  'Target step 3 thought prompt token: 420',
  'Intermediate Target Step 3 - Image Super-Resolution -gen 200 -prompt 1000',
  'Target: Step 3 -time 4.5',
  // The same step twice in one round: the last completed record counts.
  'Intermediate Target Step 4 - TERMINATE -gen 50 -prompt 1010',
  'Target: Step 4 -time 3.0',
  'Intermediate Target Step 4 - TERMINATE -gen 60 -prompt 1020',
  'Target: Step 4 -time 3.3',
  'Mismatch at 1. Cancel starts. ',
  "sas tasks: ['Image Super-Resolution', 'TERMINATE']",
  "flatten_tas: [(0, 'Image Super-Resolution'), (1, 'TERMINATE')]",
  "return sas tasks: ['Image Super-Resolution', 'TERMINATE']",
];

const approximation = [
  `task description: ${task}`,
  'Approximation: Step 1 -prompt token 364',
  'Predictor time: 0.5s',
  'Predict K: 3',
  'Approximation: Step 1 - Image Deblurring -time 1.5 -token 10',
  'Approximation: Step 2 -prompt token 379',
  'Approximation: Step 2 - Image Super-Resolution -time 1.2 -token 10',
  'Approximation: Step 3 -prompt token 390',
  // A guess on a wrong prefix (after the wrong step-2 guess): not A's guess on the true prefix.
  'Approximation: Step 3 - Image Colorization -time 0.9 -token 8',
  'Approximation: Step 3 -prompt token 409',
  'Predictor time: 0.4s',
  'Predict K: 2',
  'Approximation: Step 3 - Image Super-Resolution -time 1.61 -token 10',
  'Approximation: Step 4 -prompt token 418',
  'Approximation: Step 4 - TERMINATE -time 1.0 -token 9',
];

const simulation = [
  `task description: ${task}`,
  'in breaking, The approximation agent thinks step 1 should be Image Deblurring',
  'The target agent thinks step 1 should be Image Deblurring, which agrees with the approximation agent.',
  'The approximation agent thinks step 2 should be Image Super-Resolution',
  'The target agent thinks step 2 should be Image Denoising, correcting what the approximation agent thinks which is Image Super-Resolution.',
  'in breaking, The approximation agent thinks step 3 should be Image Super-Resolution',
  'The target agent thinks step 3 should be Image Super-Resolution, which agrees with the approximation agent.',
  'The approximation agent thinks step 4 should be TERMINATE',
  'The target agent thinks step 4 should be TERMINATE, which agrees with the approximation agent.',
  '2025-01-02 10:00:20.000000 - 2025-01-02 10:00:00.000000 = 0:00:20.000000',
  "final result for the speculative planning ['Image Deblurring', 'Image Denoising', 'Image Super-Resolution', 'TERMINATE']",
  'max concurrent calls: 3',
  'total target token prompt: 3810',
  'total target token generation: 490',
  'total target step time: 20.93',
  'accuracy of approximation agent: 0.75',
  'step number: 4',
];

interface RunFiles {
  approximation?: string;
  target?: string;
  simulation?: string;
}

const good: RunFiles = { approximation: timestamped(approximation), target: timestamped(target), simulation: timestamped(simulation) };

function writeRun(folder: string, taskId: number, files: RunFiles): void {
  for (const kind of ['approximation', 'target', 'simulation'] as const) {
    const text = files[kind];
    if (text === undefined) continue;
    const path = join(root, folder, `${kind}_datapoint${taskId}.log`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

function replaceLine(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture template lacks ${from}`);
  return text.replace(from, to);
}

rmSync(join(root, 'dsp-logs'), { recursive: true, force: true });
writeRun('dsp-logs/logs/react/dyn_k/bs_2_ep_1', 3, good);
// 4: a malformed record in the target log (line 17).
writeRun('dsp-logs/other', 4, { ...good, target: replaceLine(good.target!, '-gen 120 -prompt 910', '-gen many -prompt 910') });
// 5: the simulation log is missing.
writeRun('dsp-logs/other', 5, { approximation: good.approximation, target: good.target });
// 6: the simulation's final plan disagrees with the target log.
writeRun('dsp-logs/other', 6, { ...good, simulation: replaceLine(good.simulation!, "['Image Deblurring', 'Image Denoising',", "['Image Deblurring', 'Image Colorization',") });
// 7: a line without a timestamp in the middle of the approximation log (line 6).
writeRun('dsp-logs/other', 7, { ...good, approximation: replaceLine(good.approximation!, '01/02/2025, 10:00:05: Approximation: Step 2 -prompt', 'Approximation: Step 2 -prompt') });
// 8: the approximation log ends with a fragment cut short (no timestamp, no final newline): tolerated.
writeRun('dsp-logs/other', 8, { ...good, approximation: `${good.approximation}5638 prompt` });
// 9: the plan ends without the terminal action (e.g. a step limit): terminal false.
const noTerminal = (text: string): string => text.replaceAll('TERMINATE', 'Image Captioning');
writeRun('dsp-logs/other', 9, { approximation: noTerminal(good.approximation!), target: noTerminal(good.target!), simulation: noTerminal(good.simulation!) });

// ----------------------------------------------------------------------------------------------------------------
// Datasets

const instruction = 'Now, please predict how many steps approximation can do correctly next.';
const stepwiseInstruction = 'Now, please predict whether approximation should continue.';
const blurry = task;
const noisy = 'Given noisy image, how to return the regular image step by step?';
const lowResolution = 'Given low-resolutioned image, how to return the regular image step by step?';
const grayscale = 'Given grayscale image, how to return the regular image step by step?';
const lowResolutionNoisy = 'Given low-resolutioned noisy image, how to return the regular image step by step?';

function state(taskText: string, history: readonly string[], closing = instruction): string {
  return [taskText, ...(history.length > 0 ? ['Previous history:', ...history] : []), closing].join('\n');
}

const valueFunction = [
  // Blurry: step 1 accepted, break at 2 (A guessed Super-Resolution, T said Denoising), break at 3, then the end.
  {
    trajectory: [
      { state: state(blurry, []), reward: 1, k: 2 },
      { state: state(blurry, ['Approximation Step 1: Image Deblurring']), reward: 1, k: 1 },
      { state: state(blurry, ['Approximation Step 1: Image Deblurring', 'Approximation Step 2: Image Super-Resolution']), reward: 0, k: 0 },
    ],
  },
  {
    trajectory: [
      {
        state: state(blurry, ['Approximation Step 1: Image Deblurring', 'Approximation Step 2: Image Super-Resolution', 'Target Step 1: Image Deblurring', 'Target Step 2: Image Denoising']),
        reward: 1,
        k: 1,
      },
    ],
  },
  {
    trajectory: [
      {
        state: state(blurry, [
          'Approximation Step 1: Image Deblurring',
          'Approximation Step 2: Image Super-Resolution',
          'Target Step 1: Image Deblurring',
          'Target Step 2: Image Denoising',
          'Approximation Step 3: TERMINATE',
          'Target Step 3: Image Super-Resolution',
        ]),
        reward: 1,
        k: 1,
      },
    ],
  },
  // Noisy: no T step recorded; the labels say A's first two guesses were accepted and step 3 ended the plan.
  {
    trajectory: [
      { state: state(noisy, []), reward: 1, k: 3 },
      { state: state(noisy, ['Approximation Step 1: Image Denoising']), reward: 1, k: 2 },
      { state: state(noisy, ['Approximation Step 1: Image Denoising', 'Approximation Step 2: Image Super-Resolution']), reward: 1, k: 1 },
    ],
  },
  // Low-resolution: the labels call steps 1-2 accepted but no history records a guess: nothing to rebuild.
  { trajectory: [{ state: state(lowResolution, []), reward: 1, k: 3 }] },
  // Low-resolution noisy: step 1 recorded, then a label reaching step 4 whose guesses were never recorded.
  { trajectory: [{ state: state(lowResolutionNoisy, []), reward: 1, k: 1 }] },
  {
    trajectory: [
      { state: state(lowResolutionNoisy, ['Approximation Step 1: Image Super-Resolution', 'Target Step 1: Image Denoising']), reward: 1, k: 3 },
    ],
  },
];

const predictK = [{ input: state(grayscale, []), output: 3 }];
const stepwise = [
  { input: state(grayscale, [], stepwiseInstruction), output: 1 },
  { input: state(grayscale, ['Approximation Step 1: Colorization'], stepwiseInstruction), output: 1 },
  { input: state(grayscale, ['Approximation Step 1: Colorization', 'Approximation Step 2: Image Super-Resolution'], stepwiseInstruction), output: 0 },
];

function writeJson(name: string, value: unknown): void {
  const path = join(root, 'datasets', name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

rmSync(join(root, 'datasets'), { recursive: true, force: true });
writeJson('value-func.json', valueFunction);
writeJson('predict-k.json', predictK);
writeJson('stepwise.json', stepwise);
// Record 2 has a k that is not an integer.
writeJson('bad-label.json', [
  { trajectory: [{ state: state(blurry, []), reward: 1, k: 1 }] },
  { trajectory: [{ state: state(noisy, []), reward: 1, k: 'two' }] },
]);
// Record 1's state has a history line in an unknown form.
writeJson('bad-history.json', [{ input: state(blurry, ['Approx Step 1: Image Deblurring']), output: 1 }]);

process.stdout.write(`wrote fixtures under ${root}\n`);

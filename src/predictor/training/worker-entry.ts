/**
 * The trainer thread: receives jobs (closed segments) in order, trains the shared `TrainerCore` maths on them and
 * posts back a fresh weights snapshot after each job that trained. A job that throws is rolled back and reported,
 * never swallowed; the thread keeps serving. Runs from `dist/` as `.js` and from `src/` under tsx as `.ts`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeCause } from '../../core/errors.js';
import { progressSlot, type TrainerReply, type TrainerRequest, type TrainerWorkerData } from './protocol.js';
import { runTrainingJob } from './trainer.js';
import { TrainerCore } from './trainer-core.js';

const data = workerData as TrainerWorkerData;
const progress = new Int32Array(data.progress);
const core = new TrainerCore(data.settings, data.state);
const requests = parentPort!;
/** Whether the weights changed since the last snapshot sent. */
let changed = false;
let flushScheduled = false;

function send(message: TrainerReply, transfer: ArrayBuffer[] = []): void {
  data.replyPort.postMessage(message, transfer);
  if (message.sequence !== undefined) {
    Atomics.store(progress, progressSlot.answered, message.sequence);
    Atomics.notify(progress, progressSlot.answered);
  }
}

/** Sends the newest weights if they changed (answering `sequence` when it is a `snapshot` request). */
function sendSnapshot(sequence?: number): void {
  const reply: TrainerReply = sequence === undefined ? { type: 'weights' } : { type: 'weights', sequence };
  if (!changed) {
    if (sequence !== undefined) send(reply);
    return;
  }
  changed = false;
  const weights = core.snapshotWeights();
  const buffers = [weights.value, weights.hazard?.survival, weights.hazard?.acceptance].flatMap((array) => (array === undefined ? [] : [array.buffer as ArrayBuffer]));
  send({ ...reply, weights }, buffers);
}

process.on('exit', () => {
  Atomics.store(progress, progressSlot.exited, 1);
  Atomics.notify(progress, progressSlot.answered);
});

requests.on('message', (request: TrainerRequest) => {
  switch (request.type) {
    case 'train': {
      if (data.fault?.kind === 'exit' && data.fault.job === request.job) process.exit(3);
      try {
        const trained = runTrainingJob(core, request.segments, request.job, data.fault?.kind === 'throw' ? data.fault : undefined);
        changed ||= trained;
        send({ type: 'job-done', sequence: request.sequence, job: request.job, trained });
      } catch (error) {
        const stack = error instanceof Error ? error.stack : undefined;
        const message = describeCause(error);
        send({
          type: 'job-done',
          sequence: request.sequence,
          job: request.job,
          trained: false,
          error: stack === undefined ? { message } : { message, stack },
        });
      }
      if (data.pushSnapshots && changed && !flushScheduled) {
        // After the jobs already queued: a backlog of jobs yields one snapshot, not one per job.
        flushScheduled = true;
        setImmediate(() => {
          flushScheduled = false;
          sendSnapshot();
        });
      }
      return;
    }
    case 'snapshot':
      sendSnapshot(request.sequence);
      return;
    case 'export':
      send({ type: 'state', sequence: request.sequence, state: core.exportState() });
      return;
    case 'close':
      if (data.pushSnapshots) sendSnapshot();
      send({ type: 'closed', sequence: request.sequence });
      requests.close();
      data.replyPort.close();
      return;
  }
});

/**
 * The message protocol between the DSP policy (main thread) and its trainer worker. Requests go to the worker's
 * `parentPort`; replies come back on a dedicated `MessagePort`, so the main thread can read them either from a
 * listener (live) or synchronously with `receiveMessageOnPort` at deterministic points (replay). After posting
 * the reply to request `sequence`, the worker stores `sequence` in the shared `answered` slot and notifies it.
 *
 * Weights travel as whole `Float64Array` snapshots, transferred (never touched again by the sender). In live mode
 * the worker sends one after a job that trained, coalescing a backlog of jobs into one snapshot (so a busy trainer
 * does not flood the planner's heap); in deterministic mode it sends one only when asked (`snapshot`).
 */
import type { MessagePort } from 'node:worker_threads';
import type { Segment } from '../maths/segment.js';
import type { TrainerFault } from './trainer.js';
import type { PredictorWeights, TrainerSettings, TrainerStateData } from './trainer-core.js';

/** What the main thread asks of the worker. `sequence` numbers requests 1, 2, 3… in posting order. */
export type TrainerRequest =
  | { type: 'train'; sequence: number; job: number; segments: Segment[] }
  | { type: 'snapshot'; sequence: number }
  | { type: 'export'; sequence: number }
  | { type: 'close'; sequence: number };

/** What the worker answers, one reply per request, in request order. */
export type TrainerReply =
  | {
      type: 'job-done';
      sequence: number;
      job: number;
      /** Whether the job ran a training (the buffer held a batch). */
      trained: boolean;
      /** Set when the job failed; the worker rolled back to its last good weights. */
      error?: { message: string; stack?: string };
    }
  | {
      type: 'weights';
      /** The `snapshot` request answered, or undefined for a snapshot sent on the worker's own (live mode). */
      sequence?: number;
      /** The newest weights, when they changed since the last snapshot sent. */
      weights?: PredictorWeights;
    }
  | { type: 'state'; sequence: number; state: TrainerStateData }
  | { type: 'closed'; sequence: number };

/** The worker's start-up data. */
export interface TrainerWorkerData {
  settings: TrainerSettings;
  state?: TrainerStateData;
  fault?: TrainerFault;
  /** Send a snapshot after jobs that trained (live), rather than only when asked (deterministic). */
  pushSnapshots: boolean;
  /** Where replies go. */
  replyPort: MessagePort;
  /** Two Int32 slots shared with the main thread, see `progressSlot`. */
  progress: SharedArrayBuffer;
}

/** Slots of the shared progress array. */
export const progressSlot = {
  /** The sequence number of the last request answered. */
  answered: 0,
  /** 1 once the worker thread is exiting. */
  exited: 1,
} as const;

/**
 * The entry `dsp-agent/server`: the OpenAI-compatible replay server (`dsp serve`), which answers chat completions
 * from recorded traces on loopback.
 *
 * This entry loads `node:http`; the root entry `dsp-agent` never does.
 */
export {
  startReplayServer,
  isLoopbackHost,
  type ReplayServer,
  type ReplayServerOptions,
  type ReplayStats,
  type RoleStats,
} from './server/replay-server.js';

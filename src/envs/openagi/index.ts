/** The OpenAGI environment: modules, tasks, the action space, matching and the terminal action. */
export { openAgiModules, terminateAction, type OpenAgiModule, type OpenAgiModality } from './modules.js';
export {
  standardTaskTexts,
  standardTasks,
  standardTaskCount,
  standardTaskId,
  parseTaskSelection,
  selectStandardTasks,
  taskForText,
  normalizeTaskText,
  readTaskFile,
  parseTaskList,
} from './tasks.js';
export { openAgiActionSpace, parseOpenAgiAction, openAgiActionsMatch, isOpenAgiTerminal } from './actions.js';

/**
 * The OpenAGI action space: the 15 modules and `TERMINATE`, robust parsing of a model's reply (the last
 * `<tool>…</tool>` tag, else the last bold `**module name**`, else a parse failure), matching after canonicalising
 * names (`Image Super Resolution` = `Image Super-Resolution`; case, spaces and hyphens ignored).
 */
import type { ActionsMatch } from '../../core/actions.js';
import type { Action } from '../../core/types.js';
import { type ActionParse, type ActionSpace, createNamedActionSpace } from '../../agents/action-space.js';
import { openAgiModules, terminateAction } from './modules.js';

/** The OpenAGI action space, for strategies and the engine. */
export const openAgiActionSpace: ActionSpace = createNamedActionSpace({
  name: 'openagi',
  heading:
    'Modules (each takes the output of the previous step; "image → text" means it takes an image and gives text):',
  actions: [
    ...openAgiModules.map((module) => ({
      name: module.name,
      description: `${module.description} (${module.input.replace('-', ' + ')} → ${module.output})`,
    })),
    { name: terminateAction, description: 'ends the plan: answer it once the task is solved' },
  ],
  terminalAction: terminateAction,
});

/** Reads the module a reply names (see the module comment for the rules). */
export function parseOpenAgiAction(reply: string): ActionParse {
  return openAgiActionSpace.parse(reply);
}

/** A's guess equals T's action when their canonical names are equal. */
export const openAgiActionsMatch: ActionsMatch = openAgiActionSpace.actionsMatch;

/** True for `TERMINATE` (in any spelling). */
export function isOpenAgiTerminal(action: Action): boolean {
  return openAgiActionSpace.isTerminal(action);
}

/**
 * Action spaces: what a planning strategy tells the model it may answer, and how it reads the answer back.
 * `createNamedActionSpace` builds one from a list of action names (tools, modules) with robust parsing:
 * the last `<tool>…</tool>` tag, else the last bold `**span**` that names a known action, else a parse failure.
 * Names are matched after canonicalisation (case, spaces, hyphens and punctuation ignored), so
 * `Image Super-Resolution` is `Image Super Resolution`.
 */
import type { ActionsMatch } from '../core/actions.js';
import { exactMatch } from '../core/actions.js';
import type { Action } from '../core/types.js';

/** A stretch of a reply: UTF-16 offsets, `end` exclusive (`reply.slice(start, end)`). */
export interface TextSpan {
  start: number;
  end: number;
}

/** The outcome of parsing a reply. */
export type ActionParse =
  | {
      ok: true;
      action: Action;
      /** Where the action was found. */
      source: 'tool-tag' | 'bold';
      /** False when the name is not one of the space's actions (kept as written, so the plan shows it). */
      known: boolean;
      /**
       * The text the action was read from (the tag's content without quotes, or the bold name), where the reply's
       * token log-probabilities give the agent's confidence in its action. Optional for other action spaces.
       */
      span?: TextSpan;
    }
  | { ok: false; reason: string };

/** What a strategy needs to know about the actions of an environment. */
export interface ActionSpace {
  /** A short name, e.g. `openagi`. */
  readonly name: string;
  /** The action space for the system prompt: the actions and what they do, one per line. */
  readonly describe: () => string;
  /** Reads the action from a model's reply. */
  readonly parse: (reply: string) => ActionParse;
  /** An action as the model should write it inside `<tool>…</tool>`. */
  readonly render: (action: Action) => string;
  /** Whether A's guess equals T's action. */
  readonly actionsMatch: ActionsMatch;
  /** Whether an action ends the plan. */
  readonly isTerminal: (action: Action) => boolean;
}

/** One named action of a `createNamedActionSpace`. */
export interface NamedAction {
  /** The action's canonical spelling, e.g. `Image Deblurring`. */
  name: string;
  /** One line on what it does, shown to the model. */
  description?: string;
}

/** Options of `createNamedActionSpace`. */
export interface NamedActionSpaceOptions {
  name: string;
  actions: readonly NamedAction[];
  /** The action that ends the plan, if any (must be one of `actions`). */
  terminalAction?: string;
  /** Text shown before the list of actions. Default: "Available actions:". */
  heading?: string;
}

/**
 * The canonical key of a name: lower case, letters and digits only. `Image Super-Resolution`,
 * `image super resolution` and `ImageSuperResolution` have the same key.
 */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The content of the last `<tool>…</tool>` tag (or of a last unclosed `<tool>` up to the line end), trimmed. */
export function lastToolTag(reply: string): string | undefined {
  const span = lastToolTagSpan(reply);
  return span === undefined ? undefined : reply.slice(span.start, span.end);
}

/** Where `lastToolTag` finds its text: the last tag's content, trimmed (an empty span for an empty tag). */
export function lastToolTagSpan(reply: string): TextSpan | undefined {
  const openTag = '<tool>'.length;
  const closed = [...reply.matchAll(/<tool>([\s\S]*?)<\/tool>/gi)];
  const last = closed[closed.length - 1];
  if (last !== undefined) return trimmedSpan(reply, { start: last.index + openTag, end: last.index + openTag + last[1]!.length });
  const unclosed = /<tool>([^\n<]*)$/i.exec(reply.trimEnd());
  return unclosed === null ? undefined : trimmedSpan(reply, { start: unclosed.index + openTag, end: unclosed.index + openTag + unclosed[1]!.length });
}

/**
 * Where the named action space reads its action from a reply: the last tag's content without the quotes and the
 * final dot around it (see `createNamedActionSpace`); undefined when the reply has no tag.
 */
export function toolTagActionSpan(reply: string): TextSpan | undefined {
  const tag = lastToolTagSpan(reply);
  if (tag === undefined) return undefined;
  let { start, end } = tag;
  while (start < end && '"\'`'.includes(reply[start]!)) start += 1;
  while (end > start && '"\'`.'.includes(reply[end - 1]!)) end -= 1;
  return trimmedSpan(reply, { start, end });
}

/** Every bold `**span**` of a reply, in order, trimmed. */
export function boldSpans(reply: string): string[] {
  return boldSpanPositions(reply).map((span) => reply.slice(span.start, span.end));
}

/** Where each bold `**span**` of a reply is, its text trimmed. */
function boldSpanPositions(reply: string): TextSpan[] {
  return [...reply.matchAll(/\*\*([^*\n]+?)\*\*/g)].map((match) =>
    trimmedSpan(reply, { start: match.index + 2, end: match.index + 2 + match[1]!.length }),
  );
}

/** A span without the white space at either end (as `String.prototype.trim` would cut it). */
function trimmedSpan(text: string, span: TextSpan): TextSpan {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start += 1;
  while (end > start && /\s/.test(text[end - 1]!)) end -= 1;
  return { start, end };
}

/** Builds an action space from a list of names. Actions are the names' canonical spellings (strings). */
export function createNamedActionSpace(options: NamedActionSpaceOptions): ActionSpace {
  const byKey = new Map<string, string>();
  for (const action of options.actions) byKey.set(canonicalName(action.name), action.name);
  const terminalKey = options.terminalAction === undefined ? undefined : canonicalName(options.terminalAction);
  if (terminalKey !== undefined && !byKey.has(terminalKey)) {
    throw new Error(`terminal action ${options.terminalAction} is not one of the actions`);
  }
  const known = (text: string): string | undefined => byKey.get(canonicalName(text));

  const actionsMatch: ActionsMatch = (guess, targetAction) =>
    typeof guess === 'string' && typeof targetAction === 'string'
      ? canonicalName(guess) === canonicalName(targetAction)
      : exactMatch(guess, targetAction);

  return {
    name: options.name,
    describe: () =>
      [
        options.heading ?? 'Available actions:',
        ...options.actions.map((action) =>
          action.description === undefined ? `- ${action.name}` : `- ${action.name}: ${action.description}`,
        ),
      ].join('\n'),
    parse: (reply) => {
      const span = toolTagActionSpan(reply);
      if (span !== undefined) {
        const unquoted = reply.slice(span.start, span.end);
        if (unquoted === '') return { ok: false, reason: 'the last <tool> tag is empty' };
        const name = known(unquoted);
        return name === undefined
          ? { ok: true, action: unquoted, source: 'tool-tag', known: false, span }
          : { ok: true, action: name, source: 'tool-tag', known: true, span };
      }
      const bold = boldSpanPositions(reply)
        .map((position) => ({ name: known(reply.slice(position.start, position.end)), span: position }))
        .filter((found): found is { name: string; span: TextSpan } => found.name !== undefined);
      const lastBold = bold[bold.length - 1];
      if (lastBold !== undefined) return { ok: true, action: lastBold.name, source: 'bold', known: true, span: lastBold.span };
      return { ok: false, reason: 'no <tool>…</tool> tag and no bold **action name**' };
    },
    render: (action) => (typeof action === 'string' ? action : JSON.stringify(action)),
    actionsMatch,
    isTerminal: (action) => terminalKey !== undefined && typeof action === 'string' && canonicalName(action) === terminalKey,
  };
}

/** The marker of an action that could not be parsed (see `unparsedAction`). */
export const unparsedKey = 'unparsed';

/**
 * What an agent returns for a reply with no parsable action when it is told to count that as a mismatch: an
 * object that equals no action of any space, carrying the start of the reply for the ledger and traces.
 */
export function unparsedAction(reply: string): Action {
  return { [unparsedKey]: reply.slice(0, 500) };
}

/** True for an action made by `unparsedAction`. */
export function isUnparsedAction(action: Action): action is { [unparsedKey]: string } {
  return (
    typeof action === 'object' &&
    action !== null &&
    !Array.isArray(action) &&
    Object.keys(action).length === 1 &&
    typeof action[unparsedKey] === 'string'
  );
}

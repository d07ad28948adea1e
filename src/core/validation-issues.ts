/**
 * How a schema check's findings are told to a user: the one describer behind every "field …: …" message (trace
 * lines, imported datasets, results files, predictor states, price files). It takes the issues structurally (a zod
 * issue has this shape), so the core needs no schema library.
 */

/** One problem a schema check found: where, as keys from the checked value's root, and what is wrong. */
export interface ValidationIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * The first issue as `field a.b[0].c: message`, the path written as in jq (`steps[0].target.latencyMs`,
 * `models["gpt-4.1"]`). An issue about the whole value has no field: its message alone. No issue at all: `invalid`.
 */
export function describeValidationIssues(issues: readonly ValidationIssue[]): string {
  const issue = issues[0];
  if (issue === undefined) return 'invalid';
  if (issue.path.length === 0) return issue.message;
  return `field ${formatFieldPath(issue.path)}: ${plainMessage(issue.message)}`;
}

const missingFieldPattern = /^Invalid input: expected (.+), received undefined$/;

/** A field that is absent is said to be missing (`missing (expected number)`), not to have received `undefined`. */
function plainMessage(message: string): string {
  const missing = missingFieldPattern.exec(message);
  return missing === null ? message : `missing (expected ${missing[1]})`;
}

const identifierPattern = /^[A-Za-z_$][\w$]*$/;

/** A path of keys as in jq: `suites[0].policies[1].perTask`; a key that is not an identifier is quoted, `["a b"]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!identifierPattern.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

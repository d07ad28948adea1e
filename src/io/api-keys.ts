/**
 * The providers' API keys and keeping them out of what dsp shows and writes. Keys are read from the environment
 * only; `redactSecrets` removes every configured key from a text, `redactSecretsIn` from every string of a value
 * (a trace, a results file) before it is written, and `hideUrlCredentials` hides the credentials of a URL echoed
 * in a message. No SDK is loaded here, so the report writer can redact without loading the providers.
 */

/** The providers a spec may name. */
export const providerNames = ['openai', 'deepseek', 'anthropic', 'openai-compatible'] as const;

/** A provider a spec may name. */
export type ProviderName = (typeof providerNames)[number];

/** The environment variable holding each provider's API key. */
export const apiKeyVariables: Readonly<Record<ProviderName, string>> = {
  openai: 'OPENAI_API_KEY',
  deepseek: 'DEEPSEEK_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': 'DSP_OPENAI_COMPATIBLE_API_KEY',
};

/** The environment's variables, where keys are read from. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Keys this long or longer are redacted wherever they appear; a shorter key only where it stands as a whole token
 * (not inside a longer run of letters, digits, `_`, `-` or `.`), so that a 3-letter key does not eat every word
 * that contains those letters, yet `Bearer abc` still loses it.
 */
const substringKeyLength = 8;
const tokenCharacter = '[A-Za-z0-9_.\\-]';

/** A configured key: its variable and its value (trimmed, as the providers use it). */
interface ConfiguredKey {
  variable: string;
  value: string;
}

/** The keys set in `env`, longest first (a short key inside a long one must not break the long one's redaction). */
function configuredKeys(env: Environment): ConfiguredKey[] {
  const keys: ConfiguredKey[] = [];
  for (const variable of Object.values(apiKeyVariables)) {
    const value = env[variable]?.trim();
    if (value !== undefined && value !== '') keys.push({ variable, value });
  }
  return keys.sort((first, second) => second.value.length - first.value.length);
}

/**
 * Replaces every API key set in `env` (the variables of `apiKeyVariables`) with `[redacted VARIABLE]`, whatever
 * its length (a key shorter than 8 characters as a whole token only: see above). Use on any text shown to a user
 * or written to a file that could hold a provider's echo.
 */
export function redactSecrets(text: string, env: Environment = process.env): string {
  return redactKeys(text, configuredKeys(env));
}

function redactKeys(text: string, keys: readonly ConfiguredKey[]): string {
  let redacted = text;
  for (const { variable, value } of keys) {
    if (!redacted.includes(value)) continue;
    const replacement = `[redacted ${variable}]`;
    if (value.length >= substringKeyLength) {
      redacted = redacted.split(value).join(replacement);
    } else {
      const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const token = new RegExp(`(?<!${tokenCharacter})${escaped}(?!${tokenCharacter})`, 'g');
      redacted = redacted.replace(token, () => replacement);
    }
  }
  return redacted;
}

/**
 * A copy of a JSON-like value with every string (values and object keys) passed through `redactSecrets`; other
 * values are kept as they are. Typed arrays, dates and other class instances are kept as they are.
 */
export function redactSecretsIn<T>(value: T, env: Environment = process.env): T {
  const keys = configuredKeys(env);
  if (keys.length === 0) return value;
  const visit = (item: unknown): unknown => {
    if (typeof item === 'string') return redactKeys(item, keys);
    if (Array.isArray(item)) return item.map(visit);
    if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      return Object.fromEntries(Object.entries(item).map(([key, member]) => [redactKeys(key, keys), visit(member)]));
    }
    return item;
  };
  return visit(value) as T;
}

/** `text` with the credentials of every URL in it hidden: `http://user:pass@host/v1` → `http://***@host/v1`. */
export function hideUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi, '$1***@');
}

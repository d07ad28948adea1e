/**
 * Where the standard OpenTelemetry environment asks for spans to go, without loading any OpenTelemetry package:
 * `dsp run` decides from it whether to load the exporter (`otlp.ts`).
 */

/**
 * The OTLP/HTTP traces URL the environment asks for: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended; undefined when neither is set.
 */
export function otlpTracesUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces !== undefined && traces !== '') return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base === undefined || base === '') return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

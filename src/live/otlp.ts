/**
 * OTLP/HTTP export of a live run's spans, set up from the standard OpenTelemetry environment: when
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (with `/v1/traces` appended)
 * is set, spans are batched and sent there as OTLP JSON; `OTEL_SERVICE_NAME` names the service (default `dsp`).
 * Anything else the exporter reads from the environment (`OTEL_EXPORTER_OTLP_HEADERS`, …) applies as usual.
 *
 * Only `dsp run` loads this module (the OpenTelemetry SDK and exporter are never loaded by the library's root
 * entry), and only when an endpoint is set.
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { otlpTracesUrl } from './otlp-url.js';
import { tracerName } from './telemetry.js';

/** A running OTLP export. */
export interface OtlpExport {
  /** The tracer to give `runLiveSuite`. */
  tracer: Tracer;
  /** Where the spans go. */
  url: string;
  /** Sends the spans still buffered and stops (waits at most the exporter's timeout). */
  shutdown(): Promise<void>;
}

/** Starts exporting spans over OTLP/HTTP when the environment asks for it; undefined otherwise. */
export function startOtlpExport(env: Readonly<Record<string, string | undefined>>): OtlpExport | undefined {
  const url = otlpTracesUrl(env);
  if (url === undefined) return undefined;
  const serviceName = env.OTEL_SERVICE_NAME?.trim();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName === undefined || serviceName === '' ? 'dsp' : serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 5000 }))],
  });
  return { tracer: provider.getTracer(tracerName), url, shutdown: () => provider.shutdown() };
}

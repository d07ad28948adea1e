/**
 * Vega-Lite spec → SVG text, in Node, with no browser and no network: Vega-Lite compiles the spec to Vega, and a
 * headless Vega view renders it with `toSVG()`. Warnings of both are collected instead of printed.
 */
import { logger as vegaLogger, parse, View, Warn } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from './chart-specs.js';

/** Options of `renderSvg`. */
export interface RenderSvgOptions {
  /**
   * Prefixed to every `id` in the SVG (and the references to it), so that several SVGs can share one HTML page.
   * Default: none.
   */
  idPrefix?: string;
  /** Receives each warning of Vega-Lite or Vega. Default: warnings are dropped. */
  onWarning?: (message: string) => void;
}

/** Renders a top-level Vega-Lite spec to standalone SVG text. */
export async function renderSvg(spec: VegaLiteSpec, options: RenderSvgOptions = {}): Promise<string> {
  const logger = vegaLogger(Warn, undefined, (_method, level, args) => {
    options.onWarning?.(`${level} ${args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ')}`);
  });
  // The spec is built as plain JSON; Vega-Lite validates it while compiling.
  const compiled = compile(spec as unknown as TopLevelSpec, { logger }).spec;
  const view = new View(parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return options.idPrefix === undefined ? svg : prefixIds(svg, options.idPrefix);
  } finally {
    view.finalize();
  }
}

/** Prefixes every `id="…"` and every `url(#…)` / `href="#…"` reference in SVG text. */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\sid="([^"]+)"/g, (_match, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_match, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_match, id: string) => `href="#${prefix}${id}"`);
}

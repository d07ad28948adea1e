/**
 * SVG text → PNG bytes with resvg (no browser). Vega writes text in the generic `sans-serif` family; resvg maps a
 * generic family to a named one, so this module finds a sans-serif font installed on the machine and maps
 * `sans-serif` to it. System fonts are always loaded too.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/** Options of `renderPng`. */
export interface RenderPngOptions {
  /** Pixels per SVG unit. Default 2 (sharp on high-density screens). */
  scale?: number;
  /** Extra font files to load (TTF/OTF/TTC). Default none. */
  fontFiles?: string[];
  /** The family `sans-serif` maps to. Default: the first of Liberation Sans, Arial, Helvetica, DejaVu Sans, Noto Sans found. */
  sansSerifFamily?: string;
}

/** A font found on the machine. */
export interface FoundFont {
  family: string;
  path: string;
}

/** Font files worth mapping `sans-serif` to, best first, by file name. */
const preferredFonts: ReadonlyArray<{ file: string; family: string }> = [
  { file: 'liberationsans-regular.ttf', family: 'Liberation Sans' },
  { file: 'arial.ttf', family: 'Arial' },
  { file: 'helvetica.ttc', family: 'Helvetica' },
  { file: 'dejavusans.ttf', family: 'DejaVu Sans' },
  { file: 'notosans-regular.ttf', family: 'Noto Sans' },
];

/** Folders where operating systems keep fonts. */
function fontFolders(): string[] {
  return [
    '/usr/share/fonts',
    '/usr/local/share/fonts',
    join(homedir(), '.fonts'),
    join(homedir(), '.local/share/fonts'),
    '/System/Library/Fonts',
    '/Library/Fonts',
    'C:\\Windows\\Fonts',
  ];
}

let cachedFont: FoundFont | null | undefined;

/** The best sans-serif font installed (searched once, four folder levels deep), or null when there is none. */
export function findSansSerifFont(): FoundFont | null {
  if (cachedFont !== undefined) return cachedFont;
  const found = new Map<string, string>();
  const visit = (folder: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && depth < 4) visit(join(folder, entry.name), depth + 1);
      else if (!found.has(entry.name.toLowerCase())) found.set(entry.name.toLowerCase(), join(folder, entry.name));
    }
  };
  for (const folder of fontFolders()) if (existsSync(folder)) visit(folder, 0);
  const best = preferredFonts.find((font) => found.has(font.file));
  cachedFont = best === undefined ? null : { family: best.family, path: found.get(best.file)! };
  return cachedFont;
}

function rasteriser(svg: string, options: RenderPngOptions): Resvg {
  const font = findSansSerifFont();
  const family = options.sansSerifFamily ?? font?.family;
  const fontFiles = [...(options.fontFiles ?? []), ...(font === null ? [] : [font.path])];
  return new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    font: {
      loadSystemFonts: true,
      fontFiles,
      ...(family === undefined ? {} : { sansSerifFamily: family, defaultFontFamily: family }),
    },
  });
}

/** Renders SVG text to PNG bytes on a white background. */
export function renderPng(svg: string, options: RenderPngOptions = {}): Uint8Array {
  return rasteriser(svg, options).render().asPng();
}

/** Renders SVG text to raw RGBA pixels (row by row, 4 bytes a pixel) on a white background. */
export function renderPixels(svg: string, options: RenderPngOptions = {}): { width: number; height: number; pixels: Uint8Array } {
  const image = rasteriser(svg, options).render();
  return { width: image.width, height: image.height, pixels: new Uint8Array(image.pixels) };
}

/** Width and height of PNG bytes, read from the IHDR chunk; null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((byte, index) => bytes[index] !== byte)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

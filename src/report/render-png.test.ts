import { describe, expect, it } from 'vitest';
import { requireSystem } from '../../test/system-requirement.js';
import { findSansSerifFont, pngSize, renderPixels, renderPng } from './render-png.js';

const fontMissing =
  findSansSerifFont() === null
    ? 'no sans-serif font on this machine (Liberation Sans, Arial, Helvetica, DejaVu Sans or Noto Sans): install one (Debian: `apt-get install -y fonts-liberation`)'
    : undefined;

const textSvg = (text: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="45" font-family="sans-serif" font-size="36">${text}</text></svg>`;

/** Pixels clearly darker than the white background. */
function inkPixels(svg: string): number {
  const { pixels } = renderPixels(svg, { scale: 1 });
  let count = 0;
  for (let index = 0; index < pixels.length; index += 4) {
    if (pixels[index]! + pixels[index + 1]! + pixels[index + 2]! < 3 * 128) count += 1;
  }
  return count;
}

describe('PNG export', () => {
  it('writes a PNG of the SVG size times the scale', () => {
    const png = renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect x="10" y="10" width="50" height="20" fill="#0072B2"/></svg>');
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngSize(png)).toEqual({ width: 240, height: 160 });
  });

  it('draws text: a sans-serif system font is found and used', (context) => {
    requireSystem(context, fontMissing);
    expect(inkPixels(textSvg(''))).toBe(0);
    expect(inkPixels(textSvg('Ag 1.5x'))).toBeGreaterThan(150);
  });

  it('reads no size from bytes that are not a PNG', () => {
    expect(pngSize(new Uint8Array(30))).toBeNull();
    expect(pngSize(new TextEncoder().encode('<svg></svg>'))).toBeNull();
  });
});

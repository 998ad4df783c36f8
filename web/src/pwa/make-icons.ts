/**
 * Draws the app icons (two overlapping rings on the theme colour) as PNGs with nothing but zlib.
 * Run: `npx tsx web/src/pwa/make-icons.ts` from the repository root; it writes web/public/icons/.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const THEME: Rgb = [0x23, 0x5e, 0x5a];
const INK: Rgb = [0xf7, 0xf4, 0xee];
const ACCENT: Rgb = [0xf2, 0xb8, 0x8c];
type Rgb = readonly [number, number, number];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat([new TextEncoder().encode(type), data]);
  return concat([uint32(data.length), body, uint32(crc32(body))]);
}

function png(size: number, pixel: (x: number, y: number) => Rgb): Uint8Array {
  const raw = new Uint8Array(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const header = new Uint8Array(13);
  header.set(uint32(size), 0);
  header.set(uint32(size), 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const signature = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const compressed = new Uint8Array(deflateSync(raw, { level: 9 }));
  return concat([signature, chunk('IHDR', header), chunk('IDAT', compressed), chunk('IEND', new Uint8Array())]);
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => Math.round((a[i] ?? 0) * (1 - t) + (b[i] ?? 0) * t)) as unknown as Rgb;

/** `scale` shrinks the drawing toward the centre (maskable icons keep it inside the safe zone). */
function icon(size: number, scale: number): Uint8Array {
  const rings = [
    { cx: 0.4, colour: INK },
    { cx: 0.6, colour: ACCENT },
  ];
  const samples = 4;
  return png(size, (px, py) => {
    let colour: Rgb = THEME;
    const hits = rings.map(() => 0);
    for (let sy = 0; sy < samples; sy++) {
      for (let sx = 0; sx < samples; sx++) {
        const u = ((px + (sx + 0.5) / samples) / size - 0.5) / scale + 0.5;
        const v = ((py + (sy + 0.5) / samples) / size - 0.5) / scale + 0.5;
        rings.forEach((ring, i) => {
          const d = Math.hypot(u - ring.cx, v - 0.5);
          if (d <= 0.22 && d >= 0.15) hits[i] = (hits[i] ?? 0) + 1;
        });
      }
    }
    rings.forEach((ring, i) => {
      colour = mix(colour, ring.colour, (hits[i] ?? 0) / (samples * samples));
    });
    return colour;
  });
}

const out = new URL('../../public/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), icon(192, 1));
writeFileSync(new URL('icon-512.png', out), icon(512, 1));
writeFileSync(new URL('icon-maskable-512.png', out), icon(512, 0.72));
writeFileSync(new URL('apple-touch-icon.png', out), icon(180, 0.85));

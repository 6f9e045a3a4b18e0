import type { Rgb } from "./viewer-engine";

export function hexToRgb(colour: string | Rgb): Rgb {
  if (Array.isArray(colour)) return colour;
  const hex = colour.replace("#", "");
  const full =
    hex.length === 3
      ? hex
          .split("")
          .map((c) => c + c)
          .join("")
      : hex;
  const value = Number.parseInt(full, 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

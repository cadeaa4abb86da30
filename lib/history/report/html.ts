/**
 * Writing HTML safely: every piece of text that reaches the page (values,
 * client names and keys are student data) goes through `esc`, which makes it
 * inert in element content and in quoted attributes alike.
 */
const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => entities[c]);
}

/** A number for an SVG coordinate: short, and never NaN or Infinity. */
export function num(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 10) / 10) : '0';
}

/** A time in ms as people read it: `1,520.3 ms`. */
export function ms(value: number): string {
  return `${value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 1 })} ms`;
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/**
 * Terminal styling, honouring NO_COLOR and non-TTY output (CI logs stay plain).
 */
const enabled = (stream: NodeJS.WriteStream = process.stdout) => !process.env.NO_COLOR && process.env.FORCE_COLOR !== '0' && !!stream.isTTY;

function wrap(open: number, close: number) {
  return (text: string) => (enabled() ? `\x1b[${open}m${text}\x1b[${close}m` : text);
}

export const style = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

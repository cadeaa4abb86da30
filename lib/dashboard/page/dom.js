// Small DOM helpers for the dashboard's page: elements from a tag, attributes
// and children, and the formats the page shows numbers and times in.

/** h('td', { class: 'num', dataset: { field: 'term' } }, '12') */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(element.dataset, value);
    // An object, set through the CSSOM: the page's CSP forbids style="…" attributes.
    else if (name === 'style') Object.assign(element.style, value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element: s('rect', { x: 1, y: 2, width: 3, height: 4 }) */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== undefined && child !== null) element.append(child);
  return element;
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

export function bytes(n) {
  if (n === undefined || n === null) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A value as the page shows it: quoted, cut at `max` characters. */
export function shortValue(value, max = 40) {
  const text = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(text);
}

/** The colour of each member, in the table, the charts and the replication view. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#9c755f'];
export function memberColour(members, name) {
  return PALETTE[members.indexOf(name) % PALETTE.length];
}

/** A message of the server (the console's words): ✔ or ✖, the text, the aside dimmed. */
export function message(m) {
  const mark = m.ok === true ? h('span', { class: 'mark ok' }, '✔') : m.ok === false ? h('span', { class: 'mark bad' }, '✖') : null;
  return h('span', { class: 'message' }, mark, ' ', h('span', { class: 'text' }, m.text), m.aside ? h('span', { class: 'aside' }, ` ${m.aside}`) : null);
}

// Element building with text only: data never becomes markup (no innerHTML anywhere on the page).

/**
 * @typedef {string | Node | null | undefined | false} Child
 * @param {string} tag @param {Record<string, string>} [attributes] @param {...Child} children
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** Replaces a container's content. @param {string} id @param {...Child} children */
export function fill(id, ...children) {
  const container = document.getElementById(id);
  if (!container) return;
  container.replaceChildren();
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    container.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** A table with a caption and column headers. @param {string} caption @param {string[]} headers @param {Node[]} rows */
export function table(caption, headers, rows) {
  return el(
    'table',
    {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, ...headers.map((header) => el('th', { scope: 'col' }, header)))),
    el('tbody', {}, ...rows),
  );
}

/**
 * A horizontally scrollable region for wide tables on phones; focusable so keyboard users can scroll it.
 * @param {string} label @param {Node} child
 */
export const scrollable = (label, child) =>
  el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label }, child);

/** `2026-12-01 23:36:07` in local time: a date as well, since lists outlive the day they start on. @param {Date} date */
export function dateTime(date) {
  const two = (/** @type {number} */ value) => String(value).padStart(2, '0');
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A <time> showing the local date and time. @param {string | null} at */
export function time(at) {
  if (!at) return el('span', { class: 'muted' }, '—');
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return el('span', { class: 'muted' }, '—');
  return el('time', { datetime: date.toISOString() }, dateTime(date));
}

/**
 * An SVG element (charts are drawn with attributes and classes only: no inline style, which the page's
 * Content-Security-Policy forbids). @param {string} tag @param {Record<string, string>} [attributes]
 * @param {...(Node | string)} children
 */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

/** @param {number | null} value */
export const ms = (value) =>
  value === null ? '—' : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
/** @param {number | null} value */
export const percent = (value) =>
  value === null ? '—' : `${(value * 100).toFixed(value >= 0.999 ? 0 : 1)} %`;
/** Uptime needs two decimals: 99.95 % and 99.5 % are very different months. @param {number | null} value */
export const uptime = (value) =>
  value === null ? '—' : value === 1 ? '100 %' : `${(Math.floor(value * 10_000) / 100).toFixed(2)} %`;

/** A state word with a colour class; the word itself carries the meaning (never colour alone). @param {string} state */
export function badge(state) {
  const word = state.replace('_', '-');
  return el('span', { class: `badge state-${word}` }, word);
}

/** Only http(s) links are ever rendered, whatever a config or event says. @param {string} href */
export function safeHref(href) {
  try {
    const url = new URL(href, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

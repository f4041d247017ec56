// Message catalogues and the current language. Every text the applet shows comes from
// messages/{en,fr,ja}.js through t(); a key missing from French or Japanese falls back to
// English (tests/ui checks none does).
//
// Language at start, first match wins:
//   1. the `lang` query parameter (DSM passes its own language when it opens the applet):
//      en, fr, ja, any tag starting with them (fr-FR, ja-JP), or DSM's codes enu, fre, jpn;
//   2. the language last chosen in the applet (localStorage);
//   3. the browser's languages (navigator.languages);
//   4. English.
import { useEffect, useState } from 'preact/hooks';
import en from './messages/en.js';
import fr from './messages/fr.js';
import ja from './messages/ja.js';

export const catalogues = { en, fr, ja };
export const languages = ['en', 'fr', 'ja'];
const SAVED = 'postern.lang';
const DSM_CODES = { enu: 'en', fre: 'fr', jpn: 'ja' };

export function normalize(tag) {
  if (!tag) return null;
  const t = String(tag).toLowerCase();
  if (DSM_CODES[t]) return DSM_CODES[t];
  const base = t.split(/[-_]/)[0];
  return languages.includes(base) ? base : null;
}

function initial() {
  const query = normalize(new URLSearchParams(location.search).get('lang'));
  if (query) return query;
  const saved = normalize(localStorage.getItem(SAVED));
  if (saved) return saved;
  for (const tag of navigator.languages || [navigator.language]) {
    const found = normalize(tag);
    if (found) return found;
  }
  return 'en';
}

let current = initial();
const listeners = new Set();
document.documentElement.lang = current;

export function lang() { return current; }

export function setLang(code) {
  current = normalize(code) || 'en';
  localStorage.setItem(SAVED, current);
  document.documentElement.lang = current;
  listeners.forEach((fn) => fn(current));
}

/** The text for `key` in the current language, {name} placeholders filled from vars. */
export function t(key, vars) {
  let text = catalogues[current][key];
  if (text === undefined) text = en[key];
  if (text === undefined) text = key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

/** True when the catalogues have `key` (used for per-setting labels and help). */
export function has(key) { return key in en; }

/** Re-renders the calling component when the language changes. */
export function useLang() {
  const [value, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => listeners.delete(set);
  }, []);
  return value;
}

export function formatNumber(n) { return new Intl.NumberFormat(current).format(n); }
export function formatDate(seconds) {
  if (!seconds) return '—';
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(seconds * 1000));
}

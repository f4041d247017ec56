// The admin JSON API client (/api/v1, same origin). Keeps the CSRF token the login returned
// (sessionStorage: it survives a reload of this tab only) and sends it on every change.
// Errors: throws ApiError {status, message, field}; a 401 outside /login also tells the
// listeners registered with onSessionEnd, so the applet returns to the sign-in page.

const TOKEN = 'postern.csrf';
let csrf = sessionStorage.getItem(TOKEN) || '';
const endListeners = new Set();

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.field = field || null;
  }
}

export function onSessionEnd(fn) {
  endListeners.add(fn);
  return () => endListeners.delete(fn);
}

function forget() {
  csrf = '';
  sessionStorage.removeItem(TOKEN);
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, '');
  }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && path !== '/login') {
    forget();
    endListeners.forEach((fn) => fn());
  }
  if (!res.ok) throw new ApiError(res.status, data && data.error, data && data.field);
  return data;
}

export async function signIn(password) {
  const data = await api('POST', '/login', { password });
  csrf = data.csrf_token;
  sessionStorage.setItem(TOKEN, csrf);
  return data;
}

export async function signOut() {
  try { await api('POST', '/logout', {}); } finally { forget(); }
}

export const hasToken = () => csrf !== '';

export const enc = encodeURIComponent;

/** True when webapp-api/openapi.json (at build time) documents METHOD PATH. */
export function hasRoute(method, path) {
  // eslint-disable-next-line no-undef
  return __API_ROUTES__.includes(`${method} ${path}`);
}

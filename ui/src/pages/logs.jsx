// Logs: SMTP sessions, deliveries, authentication failures and the daemon log, newest
// first, searchable and paged. Authentication failures come from GET /auth-failures
// (entries {time, protocol, session, ip, login, account, mechanism, reason}) when the API
// documents it, each with "block this IP" (POST /auth-failures/block {ip}, confirmed).
import { useState } from 'preact/hooks';
import { api, enc, hasRoute } from '../api.js';
import { t, useLang, formatNumber } from '../i18n.js';
import { useLoad } from '../components/useLoad.js';
import { ErrorNote, Busy, ActionButton, confirmAction } from '../components/feedback.jsx';

const PAGE = 100;
const logNames = ['smtp', 'delivery', 'auth', 'daemon'];

/** The client IP a log line names (ip=1.2.3.4 or [1.2.3.4]), or null. */
export function lineIp(line) {
  const m = /\bip=([0-9a-fA-F:.]+)/.exec(line) || /\[([0-9a-fA-F:.]+)\]/.exec(line);
  return m ? m[1] : null;
}

function Tabs({ name }) {
  return (
    <nav class="tabs" aria-label={t('nav.logs')}>
      {logNames.map((n) => <a href={`#/logs/${n}`} aria-current={n === name ? 'page' : undefined}>{t('logs.' + n)}</a>)}
    </nav>
  );
}

export function Logs({ sub }) {
  useLang();
  const name = logNames.includes(sub) ? sub : 'smtp';
  if (name === 'auth' && hasRoute('GET', '/auth-failures')) return <AuthFailures />;
  return <LogLines key={name} name={name} />;
}

function AuthFailures() {
  useLang();
  const [offset, setOffset] = useState(0);
  const path = `/auth-failures?limit=${PAGE}&offset=${offset}`;
  const { data, error, loading, reload } = useLoad(() => api('GET', path), [path]);
  const [note, setNote] = useState(null);
  const [actionError, setActionError] = useState(null);
  const canBlock = hasRoute('POST', '/auth-failures/block');
  const block = async (ip) => {
    if (!(await confirmAction(t('logs.blockConfirm', { ip }), t('logs.block')))) return;
    setActionError(null); setNote(null);
    try {
      await api('POST', '/auth-failures/block', { ip });
      setNote(t('logs.blocked', { ip }));
    } catch (err) { setActionError(err); }
  };
  const total = (data && data.total) || 0;
  return (
    <section aria-labelledby="logs-title">
      <div class="title-row"><h1 id="logs-title">{t('nav.logs')}</h1>
        <button type="button" onClick={reload} disabled={loading}>{t('common.refresh')}</button></div>
      <Tabs name="auth" />
      <ErrorNote error={error} />
      <ErrorNote error={actionError} />
      {note ? <p class="saved" role="status">{note}</p> : null}
      {!canBlock ? <p class="note" data-not-available="logs.block">{t('common.notAvailable', { what: t('logs.block') })}</p> : null}
      {!data ? (error ? null : <Busy label={t('common.loading')} />) : (
        <>
          <p>{t('logs.failures', { total: formatNumber(total), from: total ? offset + 1 : 0, to: Math.min(offset + PAGE, total) })}</p>
          {(data.entries || []).length === 0 ? <p class="empty">{t('common.none')}</p> : (
            <div class="table-wrap"><table id="auth-failures">
              <thead><tr>{['time', 'protocol', 'ip', 'login', 'account', 'mechanism', 'reason'].map((c) => <th scope="col">{t('logs.' + c)}</th>)}
                <th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
              <tbody>{data.entries.map((e) => (
                <tr data-ip={e.ip}>
                  <td><time datetime={e.time}>{e.time}</time></td>
                  <td lang="en">{e.protocol}</td>
                  <td><code>{e.ip}</code></td>
                  <td><code>{e.login}</code></td>
                  <td>{e.account == null ? '—' : <code>{e.account}</code>}</td>
                  <td lang="en">{e.mechanism}</td>
                  <td><code lang="en">{e.reason}</code></td>
                  <td>{canBlock && e.ip ? <ActionButton class="danger small" onAction={() => block(e.ip)} label={t('logs.blockNamed', { ip: e.ip })}>{t('logs.block')}</ActionButton> : null}</td>
                </tr>
              ))}</tbody>
            </table></div>
          )}
          <div class="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('logs.newer')}</button>
            <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>{t('logs.older')}</button>
          </div>
        </>
      )}
    </section>
  );
}

function LogLines({ name }) {
  useLang();
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const [offset, setOffset] = useState(0);
  const path = `/logs/${name}?limit=${PAGE}&offset=${offset}` + (applied ? '&q=' + enc(applied) : '');
  const { data, error, loading, reload } = useLoad(() => api('GET', path), [path]);
  const [note, setNote] = useState(null);
  const [actionError, setActionError] = useState(null);
  const canBlock = name === 'auth' && hasRoute('POST', '/blocks');

  const block = async (ip) => {
    if (!(await confirmAction(t('logs.blockConfirm', { ip }), t('logs.block')))) return;
    setActionError(null); setNote(null);
    try {
      await api('POST', '/blocks', { ip });
      setNote(t('logs.blocked', { ip }));
    } catch (err) { setActionError(err); }
  };
  return (
    <section aria-labelledby="logs-title">
      <div class="title-row"><h1 id="logs-title">{t('nav.logs')}</h1>
        <button type="button" onClick={reload} disabled={loading}>{t('common.refresh')}</button></div>
      <Tabs name={name} />
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); setOffset(0); setApplied(q); }}>
        <div class="field"><label for="logs-q">{t('logs.search')}</label>
          <input id="logs-q" type="search" value={q} onInput={(e) => setQ(e.target.value)} /></div>
        <button type="submit">{t('queue.filter')}</button>
      </form>
      <ErrorNote error={error} />
      <ErrorNote error={actionError} />
      {note ? <p class="saved" role="status">{note}</p> : null}
      {name === 'auth' && !canBlock ? <p class="note" data-not-available="logs.block">{t('common.notAvailable', { what: t('logs.block') })}</p> : null}
      {!data ? <Busy label={t('common.loading')} /> : (
        <>
          <p>{t('logs.count', { total: formatNumber(data.total || 0), from: data.total ? offset + 1 : 0, to: Math.min(offset + PAGE, data.total || 0) })}</p>
          <ol class="log" id="log-lines">{(data.lines || []).map((line) => {
            const ip = canBlock && /\bauth-failure\b/.test(line) ? lineIp(line) : null;
            return (
              <li><code lang="en">{line}</code>
                {ip ? <ActionButton class="danger small" onAction={() => block(ip)} label={t('logs.blockNamed', { ip })}>{t('logs.block')}</ActionButton> : null}</li>
            );
          })}</ol>
          <div class="pager">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>{t('logs.newer')}</button>
            <button type="button" disabled={offset + PAGE >= (data.total || 0)} onClick={() => setOffset(offset + PAGE)}>{t('logs.older')}</button>
          </div>
        </>
      )}
    </section>
  );
}

// Logs: SMTP sessions, deliveries, authentication failures and the daemon log, newest
// first, searchable and paged. On the auth log each failed login offers "block this IP"
// when the API documents the automatic blocks route (POST /blocks {ip}).
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

export function Logs({ sub }) {
  useLang();
  const name = logNames.includes(sub) ? sub : 'smtp';
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
      <nav class="tabs" aria-label={t('nav.logs')}>
        {logNames.map((n) => <a href={`#/logs/${n}`} aria-current={n === name ? 'page' : undefined}>{t('logs.' + n)}</a>)}
      </nav>
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
            const ip = canBlock && / failed /.test(line) ? lineIp(line) : null;
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

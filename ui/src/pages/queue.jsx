// Queue: queued recipients filtered by route, held state and text; per message: details
// (header section), retry now, hold / release, delete (confirmed, no bounce).
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { t, useLang, formatDate, formatNumber } from '../i18n.js';
import { useLoad } from '../components/useLoad.js';
import { ErrorNote, Busy, ActionButton, confirmAction } from '../components/feedback.jsx';

export function Queue() {
  useLang();
  const [filter, setFilter] = useState({ route: '', held: '', q: '' });
  const [applied, setApplied] = useState(filter);
  const query = new URLSearchParams(Object.entries(applied).filter(([, v]) => v !== '')).toString();
  const { data, error, loading, reload } = useLoad(() => api('GET', '/queue' + (query ? '?' + query : '')), [query]);
  const [actionError, setActionError] = useState(null);
  const [details, setDetails] = useState(null);

  const act = async (id, action) => {
    setActionError(null);
    try {
      if (action === 'delete') {
        if (!(await confirmAction(t('queue.deleteConfirm', { id }), t('common.delete')))) return;
        await api('DELETE', `/queue/${enc(id)}`);
        if (details && details.id === id) setDetails(null);
      } else {
        await api('POST', `/queue/${enc(id)}/${action}`, {});
      }
      await reload();
    } catch (err) { setActionError(err); }
  };
  const show = async (id) => {
    setActionError(null);
    try { setDetails(await api('GET', `/queue/${enc(id)}`)); } catch (err) { setActionError(err); }
  };
  return (
    <section aria-labelledby="queue-title">
      <div class="title-row"><h1 id="queue-title">{t('nav.queue')}</h1>
        <button type="button" onClick={reload} disabled={loading}>{t('common.refresh')}</button></div>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setApplied(filter); }} role="search">
        <div class="field"><label for="queue-route">{t('queue.route')}</label>
          <select id="queue-route" value={filter.route} onChange={(e) => setFilter({ ...filter, route: e.target.value })}>
            <option value="">{t('queue.all')}</option><option value="local">{t('queue.local')}</option><option value="remote">{t('queue.remote')}</option>
          </select></div>
        <div class="field"><label for="queue-held">{t('queue.state')}</label>
          <select id="queue-held" value={filter.held} onChange={(e) => setFilter({ ...filter, held: e.target.value })}>
            <option value="">{t('queue.all')}</option><option value="true">{t('queue.heldOnly')}</option><option value="false">{t('queue.notHeld')}</option>
          </select></div>
        <div class="field"><label for="queue-q">{t('queue.search')}</label>
          <input id="queue-q" type="search" value={filter.q} onInput={(e) => setFilter({ ...filter, q: e.target.value })} /></div>
        <button type="submit">{t('queue.filter')}</button>
      </form>
      <ErrorNote error={error} />
      <ErrorNote error={actionError} />
      {!data ? <Busy label={t('common.loading')} /> : !data.length ? <p class="empty">{t('queue.empty')}</p> : (
        <div class="table-wrap">
          <table id="queue-table">
            <caption class="sr-only">{t('queue.caption', { n: data.length })}</caption>
            <thead><tr>
              <th scope="col">{t('queue.id')}</th><th scope="col">{t('queue.sender')}</th><th scope="col">{t('queue.recipient')}</th>
              <th scope="col">{t('queue.route')}</th><th scope="col">{t('queue.attempts')}</th><th scope="col">{t('queue.nextTry')}</th>
              <th scope="col">{t('queue.lastError')}</th><th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
            </tr></thead>
            <tbody>{data.map((m) => (
              <tr data-id={m.id} data-recipient={m.recipient}>
                <td><button type="button" class="link" onClick={() => show(m.id)}>{m.id}</button></td>
                <td>{m.sender || '<>'}</td><td>{m.recipient}</td>
                <td>{t('queue.' + (m.route === 'local' ? 'local' : 'remote'))}{m.held ? ` · ${t('queue.held')}` : ''}</td>
                <td>{formatNumber(m.attempts || 0)}</td><td>{m.held ? '—' : formatDate(m.next_try)}</td>
                <td lang="en">{m.last_error || ''}</td>
                <td><div class="row-actions">
                  <ActionButton onAction={() => act(m.id, 'retry')} label={t('queue.retryNamed', { id: m.id })}>{t('queue.retry')}</ActionButton>
                  {m.held
                    ? <ActionButton onAction={() => act(m.id, 'release')} label={t('queue.releaseNamed', { id: m.id })}>{t('queue.release')}</ActionButton>
                    : <ActionButton onAction={() => act(m.id, 'hold')} label={t('queue.holdNamed', { id: m.id })}>{t('queue.hold')}</ActionButton>}
                  <button type="button" class="danger" onClick={() => act(m.id, 'delete')} aria-label={t('queue.deleteNamed', { id: m.id })}>{t('common.delete')}</button>
                </div></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      {details ? (
        <article class="card wide" aria-labelledby="queue-details">
          <h2 id="queue-details">{t('queue.details', { id: details.id })}</h2>
          <pre class="headers">{details.headers}</pre>
          <button type="button" onClick={() => setDetails(null)}>{t('common.close')}</button>
        </article>
      ) : null}
    </section>
  );
}

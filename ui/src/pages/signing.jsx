// DKIM signing and TLS reports (issue 11): the hosted domains' DKIM keys with the TXT
// record to publish for each (generate, delete: confirmed), the TLS reports sent on demand
// for a day, and the dkim.* / tlsrpt.* settings. Says "not available yet" while
// openapi.json lacks GET /dkim/keys.
import { useState } from 'preact/hooks';
import { api, enc, hasRoute } from '../api.js';
import { t, useLang } from '../i18n.js';
import { ListPanel } from '../components/listpanel.jsx';
import { ErrorNote, ActionButton } from '../components/feedback.jsx';
import { SettingsForm, useSettings, keysWith } from '../components/settings.jsx';

function SendReports() {
  const [date, setDate] = useState('');
  const [results, setResults] = useState(null);
  const [error, setError] = useState(null);
  const send = async () => {
    setError(null); setResults(null);
    try {
      const out = await api('POST', '/tlsrpt/send', date ? { date } : {});
      setResults(out.results);
    } catch (err) { setError(err); }
  };
  return (
    <article class="card wide" aria-labelledby="tlsrpt-title">
      <h2 id="tlsrpt-title">{t('tlsrpt.title')}</h2>
      <p>{t('tlsrpt.intro')}</p>
      <div class="field">
        <label for="tlsrpt-date">{t('tlsrpt.date')}</label>
        <input id="tlsrpt-date" type="date" value={date} onInput={(e) => setDate(e.target.value)} />
      </div>
      <ActionButton onAction={send}>{t('tlsrpt.send')}</ActionButton>
      <ErrorNote error={error} />
      {results ? (results.length === 0 ? <p class="empty">{t('tlsrpt.nothing')}</p> : (
        <table id="tlsrpt-results">
          <thead><tr><th>{t('tlsrpt.domain')}</th><th>{t('tlsrpt.status')}</th><th>{t('tlsrpt.recipients')}</th></tr></thead>
          <tbody>
            {results.map((r) => (
              <tr><td>{r.domain}</td><td>{t('tlsrpt.status.' + r.status)}</td><td>{(r.recipients || []).join(', ') || '—'}</td></tr>
            ))}
          </tbody>
        </table>
      )) : null}
    </article>
  );
}

export function Signing() {
  useLang();
  const settings = useSettings();
  if (!hasRoute('GET', '/dkim/keys')) {
    return (
      <section aria-labelledby="signing-title">
        <h1 id="signing-title">{t('nav.signing')}</h1>
        <p class="note" data-not-available="nav.signing">{t('common.notAvailable', { what: t('nav.signing') })}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="signing-title">
      <h1 id="signing-title">{t('nav.signing')}</h1>
      <ListPanel id="dkim" title={t('dkim.list')} path="/dkim/keys" intro={t('dkim.intro')} addLabel={t('dkim.generate')}
        columns={[
          { label: t('dkim.domain'), value: (k) => k.domain },
          { label: t('dkim.selector'), value: (k) => k.selector },
          { label: t('dkim.recordName'), value: (k) => <code class="wrap">{k.record_name}</code> },
          { label: t('dkim.recordValue'), value: (k) => <code class="wrap">{k.record_value}</code> },
        ]}
        fields={[
          { name: 'domain', label: t('dkim.domain'), required: true },
          { name: 'selector', label: t('dkim.selector'), help: t('dkim.selectorHelp') },
        ]}
        deletePath={(k) => `/dkim/keys/${enc(k.domain)}`} deleteText={(k) => t('dkim.deleteConfirm', { domain: k.domain })} />
      {hasRoute('POST', '/tlsrpt/send') ? <SendReports /> : null}
      {settings.data ? <SettingsForm legend={t('signing.settings')} keys={keysWith(settings.data.schema, ['dkim.', 'tlsrpt.'])} data={settings.data} /> : null}
    </section>
  );
}

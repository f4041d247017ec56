// MTA-STS publishing: the mta_sts_publish.* settings, the policy file the admin port serves at
// /.well-known/mta-sts.txt (with its id), warnings about the certificate, how to make the
// policy reachable from the Internet, and for each hosted domain the DNS records to add.
// Everything shown comes from GET /mta-sts, reloaded after the settings are saved.
import { api } from '../api.js';
import { t, useLang } from '../i18n.js';
import { useLoad } from '../components/useLoad.js';
import { ErrorNote, Busy } from '../components/feedback.jsx';
import { SettingsForm, useSettings, keysWith } from '../components/settings.jsx';

function Records({ domain }) {
  return (
    <article class="card wide" aria-labelledby={'sts-' + domain.domain}>
      <h3 id={'sts-' + domain.domain}>{domain.domain}</h3>
      <p>{t('sts.url')}: <code class="wrap">{domain.policy_url}</code></p>
      <table class="sts-records">
        <caption>{t('sts.records')}</caption>
        <thead><tr><th scope="col">{t('sts.name')}</th><th scope="col">{t('sts.type')}</th><th scope="col">{t('sts.value')}</th><th scope="col">{t('sts.purpose')}</th></tr></thead>
        <tbody>
          {domain.records.map((r) => (
            <tr data-type={r.type}>
              <td><code class="wrap">{r.name}</code></td><td>{r.type}</td><td><code class="wrap">{r.value}</code></td>
              <td><span lang="en">{r.purpose}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

export function MtaSts() {
  useLang();
  const { data, error, reload } = useLoad(() => api('GET', '/mta-sts'));
  const settings = useSettings();
  return (
    <section aria-labelledby="sts-title">
      <h1 id="sts-title">{t('nav.mtaSts')}</h1>
      <p>{t('sts.intro')}</p>
      {settings.data ? (
        <SettingsForm legend={t('sts.settings')} keys={keysWith(settings.data.schema, ['mta_sts_publish.'])}
          data={settings.data} onSaved={reload} />
      ) : null}
      <ErrorNote error={error} />
      {!data ? <Busy label={t('common.loading')} /> : (
        <div>
          <article class="card wide" aria-labelledby="sts-policy">
            <h2 id="sts-policy">{t('sts.policy')}</h2>
            <dl><dt>{t('sts.id')}</dt><dd><code id="sts-id">{data.id}</code></dd></dl>
            <pre id="sts-policy-text">{data.policy}</pre>
            {data.warnings.length ? (
              <div class="note-warn" role="note" aria-labelledby="sts-warn">
                <h3 id="sts-warn">{t('sts.warnings')}</h3>
                <ul>{data.warnings.map((w) => <li><span lang="en">{w}</span></li>)}</ul>
              </div>
            ) : null}
          </article>
          <article class="card wide" aria-labelledby="sts-reach">
            <h2 id="sts-reach">{t('sts.reach')}</h2>
            <p>{t('sts.reachText')}</p>
          </article>
          <h2>{t('sts.records')}</h2>
          {data.domains.length ? data.domains.map((d) => <Records domain={d} />) : <p>{t('sts.noDomains')}</p>}
        </div>
      )}
    </section>
  );
}

// Message delivery, in MailPlus's tabs: General (authentication, LAN bypass, sender check,
// host name, banner, limits), Delivery (direct / one smart host / smart-host rules with the
// rule editor, per-host credentials, queue timing), Relay control (trusted list, domain
// list), Security and SPF (their settings when the registry has them; lists and the SPF
// cache when the API documents their routes).
import { api, enc, hasRoute } from '../api.js';
import { t, useLang, formatDate, formatNumber } from '../i18n.js';
import { SettingsForm, useSettings, keysWith } from '../components/settings.jsx';
import { ListPanel } from '../components/listpanel.jsx';
import { ErrorNote, Busy, confirmAction } from '../components/feedback.jsx';
import { useLoad } from '../components/useLoad.js';
import { useState } from 'preact/hooks';

const splitList = (v) => v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

export const GENERAL_KEYS = [
  'smtp.require_auth', 'smtp.lan_skip_auth', 'smtp.auth_plaintext_lan', 'smtp.check_sender_login',
  'smtp.sender_login_lan_exempt', 'smtp.disable_autoforward', 'network.lan', 'smtp.hostname', 'smtp.banner',
  'postmaster.recipients',
];
export const LIMIT_KEYS = [
  'smtp.max_message_size_mb', 'smtp.max_recipients', 'smtp.max_hops', 'smtp.max_connections', 'smtp.max_line_length',
  'smtp.max_errors', 'smtp.data_memory_mb', 'smtp.command_timeout_s', 'smtp.data_timeout_s', 'smtp.bare_newline',
];
const SMARTHOST_KEYS = ['delivery.smarthost_host', 'delivery.smarthost_port', 'delivery.smarthost_tls',
  'delivery.smarthost_verify', 'delivery.smarthost_username', 'delivery.smarthost_password'];
const DELIVERY_ADVANCED = ['delivery.per_destination_concurrency', 'delivery.connection_reuse_s', 'delivery.connect_timeout_s', 'delivery.command_timeout_s',
  'delivery.mx_port', 'delivery.mta_sts', 'delivery.mta_sts_port', 'queue.retry_min_s', 'queue.retry_max_s', 'queue.lifetime',
  'queue.delay_warning'];

const tabs = ['general', 'delivery', 'relay', 'security', 'spf'];

function General({ settings }) {
  const extra = settings.data ? keysWith(settings.data.schema, ['smtp.'], [...GENERAL_KEYS, ...LIMIT_KEYS, 'smtp.listen']) : [];
  return (
    <>
      <SettingsForm legend={t('general.auth')} keys={GENERAL_KEYS} data={settings.data} />
      <SettingsForm legend={t('general.limits')} keys={[...LIMIT_KEYS, ...extra]} data={settings.data} />
    </>
  );
}

function RuleEditor() {
  useLang();
  return (
    <ListPanel id="rules" title={t('rules.title')} path="/relay-rules" intro={t('rules.intro')} addLabel={t('rules.create')}
      columns={[
        { label: t('rules.name'), value: (r) => r.name },
        { label: t('rules.kind'), value: (r) => t('rules.kind.' + r.kind) },
        { label: t('rules.patterns'), value: (r) => (r.patterns || []).join(', ') },
        { label: t('rules.host'), value: (r) => `${r.host}:${r.port}` },
        { label: t('rules.tls'), value: (r) => t('choice.delivery.smarthost_tls.' + r.tls) },
        { label: t('rules.auth'), value: (r) => (r.username ? `${r.username} (${r.password_set ? t('common.passwordStored') : t('settings.secretUnset')})` : t('rules.noAuth')) },
      ]}
      fields={[
        { name: 'name', label: t('rules.name'), required: true },
        { name: 'kind', label: t('rules.kind'), type: 'select', initial: 'recipient',
          options: [['recipient', t('rules.kind.recipient')], ['sender', t('rules.kind.sender')]] },
        { name: 'patterns', label: t('rules.patterns'), type: 'textarea', required: true, help: t('rules.patternsHelp'), toBody: splitList },
        { name: 'host', label: t('rules.host'), required: true },
        { name: 'port', label: t('rules.port'), type: 'number', min: 1, max: 65535, initial: '587', toBody: Number },
        { name: 'tls', label: t('rules.tls'), type: 'select', initial: 'starttls',
          options: ['starttls', 'implicit', 'opportunistic'].map((c) => [c, t('choice.delivery.smarthost_tls.' + c)]) },
        { name: 'verify', label: t('rules.verify'), type: 'checkbox', initial: true },
        { name: 'username', label: t('rules.username') },
        { name: 'password', label: t('rules.password'), type: 'password' },
      ]}
      deletePath={(r) => `/relay-rules/${enc(r.name)}`} deleteText={(r) => t('rules.delete', { name: r.name })} />
  );
}

function Delivery({ settings }) {
  useLang();
  const [mode, setMode] = useState(null);
  const current = mode || (settings.data ? settings.data.values['delivery.mode'] : 'direct');
  return (
    <>
      <SettingsForm legend={t('delivery.mode')} keys={['delivery.mode', ...(current === 'smarthost' ? SMARTHOST_KEYS : [])]}
        data={settings.data} watch={(k, v) => { if (k === 'delivery.mode') setMode(v); }} onSaved={() => setMode(null)} />
      {current === 'rules' ? <RuleEditor /> : <p class="note">{t('delivery.rulesHint')}</p>}
      <ListPanel id="credentials" title={t('credentials.title')} path="/credentials" intro={t('credentials.intro')}
        columns={[
          { label: t('credentials.host'), value: (c) => c.host },
          { label: t('credentials.username'), value: (c) => c.username },
          { label: t('credentials.password'), value: (c) => (c.password_set ? t('common.passwordStored') : t('settings.secretUnset')) },
        ]}
        fields={[
          { name: 'host', label: t('credentials.host'), required: true },
          { name: 'username', label: t('credentials.username'), required: true },
          { name: 'password', label: t('credentials.password'), type: 'password', required: true },
        ]}
        deletePath={(c) => `/credentials/${enc(c.host)}`} deleteText={(c) => t('credentials.delete', { name: c.host })} />
      <SettingsForm legend={t('delivery.advanced')} keys={DELIVERY_ADVANCED} data={settings.data} />
    </>
  );
}

function Relay() {
  useLang();
  return (
    <>
      <ListPanel id="trusted" title={t('relay.trusted')} path="/trusted-networks" intro={t('relay.trustedIntro')} addLabel={t('common.create')}
        columns={[{ label: t('relay.ruleName'), value: (n) => n.name }, { label: t('relay.networks'), value: (n) => (n.networks || []).join(', ') }]}
        fields={[
          { name: 'name', label: t('relay.ruleName'), required: true },
          { name: 'networks', label: t('relay.networks'), type: 'textarea', required: true, help: t('relay.networksHelp'), toBody: splitList },
        ]}
        deletePath={(n) => `/trusted-networks/${enc(n.name)}`} deleteText={(n) => t('relay.deleteTrusted', { name: n.name })} />
      <ListPanel id="relaydomains" title={t('relay.domains')} path="/relay-domains" intro={t('relay.domainsIntro')} addLabel={t('common.create')}
        columns={[{ label: t('relay.domain'), value: (d) => d.domain }, { label: t('relay.nextHop'), value: (d) => d.next_hop || t('relay.viaMx') }]}
        fields={[
          { name: 'domain', label: t('relay.domain'), required: true },
          { name: 'next_hop', label: t('relay.nextHop'), help: t('relay.nextHopHelp') },
        ]}
        deletePath={(d) => `/relay-domains/${enc(d.domain)}`} deleteText={(d) => t('relay.deleteDomain', { name: d.domain })} />
    </>
  );
}

function NotYet({ what }) {
  useLang();
  return <p class="note" data-not-available={what}>{t('common.notAvailable', { what: t(what) })}</p>;
}

function SecurityLists() {
  useLang();
  // SEC-1: GET/POST /security-rules, DELETE /security-rules/{id}. Types are stored as ip, cidr,
  // sender, recipient, domain; action (reject|discard) is for blacklist rules only (null on white).
  return (
    <ListPanel id="seclists" title={t('security.lists')} path="/security-rules" intro={t('security.listsIntro')}
      columns={[
        { label: t('security.list'), value: (r) => t('security.list.' + r.list) },
        { label: t('security.type'), value: (r) => t('security.type.' + (r.type === 'sender_domain' ? 'domain' : r.type)) },
        { label: t('security.value'), value: (r) => r.value },
        { label: t('security.action'), value: (r) => (r.action ? t('security.action.' + r.action) : '—') },
      ]}
      fields={[
        { name: 'list', label: t('security.list'), type: 'select', initial: 'black', options: ['black', 'white'].map((v) => [v, t('security.list.' + v)]) },
        { name: 'type', label: t('security.type'), type: 'select', initial: 'ip',
          options: ['ip', 'cidr', 'sender', 'recipient', 'domain'].map((v) => [v, t('security.type.' + v)]) },
        { name: 'value', label: t('security.value'), required: true },
        { name: 'action', label: t('security.action'), type: 'select', initial: 'reject', options: ['reject', 'discard'].map((v) => [v, t('security.action.' + v)]),
          when: (d) => d.list === 'black' },
      ]}
      deletePath={(r) => `/security-rules/${enc(r.id)}`} deleteText={(r) => t('security.delete', { name: r.value })} />
  );
}

function Security({ settings }) {
  useLang();
  const keys = settings.data ? keysWith(settings.data.schema, ['security.', 'policy.']) : [];
  const lists = hasRoute('GET', '/security-rules');
  return (
    <>
      {lists ? <SecurityLists /> : <NotYet what="security.lists" />}
      {keys.length ? <SettingsForm legend={t('security.policy')} keys={keys} data={settings.data} /> : <NotYet what="security.policy" />}
    </>
  );
}

function SpfCache() {
  useLang();
  // SPF-4: GET /spf/cache -> [{ip, domain, result, explanation, problem, expires_at}];
  // DELETE /spf/cache flushes it -> {cleared}.
  const { data, error, reload } = useLoad(() => api('GET', '/spf/cache'));
  const [note, setNote] = useState(null);
  const [actionError, setActionError] = useState(null);
  const canFlush = hasRoute('DELETE', '/spf/cache');
  const flush = async () => {
    if (!(await confirmAction(t('spf.flushConfirm'), t('spf.flush')))) return;
    setNote(null); setActionError(null);
    try {
      const r = await api('DELETE', '/spf/cache');
      setNote(t('spf.flushed', { count: formatNumber((r && r.cleared) || 0) }));
      await reload();
    } catch (err) { setActionError(err); }
  };
  return (
    <section class="panel" aria-labelledby="spfcache-title">
      <h2 id="spfcache-title">{t('spf.cache')}</h2>
      <div class="actions">
        <button type="button" onClick={reload}>{t('common.refresh')}</button>
        {canFlush ? <button type="button" class="danger" id="spf-flush" onClick={flush}>{t('spf.flush')}</button> : null}
      </div>
      <ErrorNote error={error} />
      <ErrorNote error={actionError} />
      {note ? <p class="saved" role="status">{note}</p> : null}
      {!data ? <Busy label={t('common.loading')} /> : !data.length ? <p>{t('common.none')}</p> : (
        <div class="table-wrap"><table id="spfcache-table">
          <thead><tr><th scope="col">{t('spf.ip')}</th><th scope="col">{t('spf.domain')}</th>
            <th scope="col">{t('spf.result')}</th><th scope="col">{t('spf.expires')}</th></tr></thead>
          <tbody>{data.map((e) => <tr><td><code>{e.ip}</code></td><td>{e.domain}</td>
            <td><code lang="en" title={e.explanation || e.problem || undefined}>{e.result}</code></td>
            <td>{e.expires_at ? formatDate(e.expires_at) : '—'}</td></tr>)}</tbody>
        </table></div>
      )}
    </section>
  );
}

function Spf({ settings }) {
  useLang();
  const keys = settings.data ? keysWith(settings.data.schema, ['spf.']) : [];
  return (
    <>
      {keys.length ? <SettingsForm legend={t('spf.options')} keys={keys} data={settings.data} /> : <NotYet what="spf.options" />}
      {hasRoute('GET', '/spf/cache') ? <SpfCache /> : <NotYet what="spf.cache" />}
    </>
  );
}

export function MessageDelivery({ sub }) {
  useLang();
  const settings = useSettings();
  const tab = tabs.includes(sub) ? sub : 'general';
  const Body = { general: General, delivery: Delivery, relay: Relay, security: Security, spf: Spf }[tab];
  return (
    <section aria-labelledby="delivery-title">
      <h1 id="delivery-title">{t('nav.delivery')}</h1>
      <nav class="tabs" aria-label={t('nav.delivery')}>
        {tabs.map((name) => <a href={`#/delivery/${name}`} aria-current={name === tab ? 'page' : undefined}>{t('tab.' + name)}</a>)}
      </nav>
      <ErrorNote error={settings.error} />
      <Body key={tab} settings={settings} />
    </section>
  );
}

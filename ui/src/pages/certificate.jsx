// TLS certificate: what is in use, upload a PEM chain and key (checked by the API), or
// generate a new self-signed certificate (confirmed; shows progress), the expiry warning the
// API gives 30 days ahead, then the tls.* settings (protocol floor, legacy LAN devices).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t, useLang, formatDate } from '../i18n.js';
import { useLoad } from '../components/useLoad.js';
import { ErrorNote, Busy, ActionButton, confirmAction } from '../components/feedback.jsx';
import { SettingsForm, useSettings, keysWith } from '../components/settings.jsx';

function readFile(input) {
  return new Promise((resolve, reject) => {
    const file = input.files && input.files[0];
    if (!file) return resolve(null);
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = reject;
    reader.readAsText(file);
  });
}

export function Certificate() {
  useLang();
  const { data, error, reload } = useLoad(() => api('GET', '/tls/certificate'));
  const settings = useSettings();
  const [pem, setPem] = useState({ certificate: '', private_key: '' });
  const [uploadError, setUploadError] = useState(null);
  const [fieldError, setFieldError] = useState({});
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState(null);

  const upload = async (e) => {
    e.preventDefault();
    setUploadError(null); setFieldError({});
    if (!pem.certificate || !pem.private_key) {
      setFieldError({ [!pem.certificate ? 'certificate' : 'private_key']: t('form.required') });
      return;
    }
    setBusy(true);
    try {
      await api('PUT', '/tls/certificate', pem);
      setPem({ certificate: '', private_key: '' });
      await reload();
    } catch (err) {
      if (err.field === 'certificate' || err.field === 'private_key') setFieldError({ [err.field]: err.message });
      else setUploadError(err);
    } finally { setBusy(false); }
  };
  const generate = async () => {
    if (!(await confirmAction(t('cert.generateConfirm'), t('cert.generate')))) return;
    setActionError(null);
    try { await api('POST', '/tls/certificate/generate', {}); await reload(); } catch (err) { setActionError(err); }
  };
  const pemField = (name, label) => (
    <div class={'field' + (fieldError[name] ? ' invalid' : '')}>
      <label for={'pem-' + name}>{label}</label>
      <textarea id={'pem-' + name} rows="6" spellcheck={false} value={pem[name]} aria-invalid={fieldError[name] ? 'true' : 'false'}
        aria-describedby={fieldError[name] ? `pem-${name}-error` : undefined}
        onInput={(e) => setPem({ ...pem, [name]: e.target.value })} />
      <label class="file" for={'pem-file-' + name}>{t('cert.fromFile')}</label>
      <input id={'pem-file-' + name} type="file" accept=".pem,.crt,.key,.cer,text/plain"
        onChange={async (e) => { const text = await readFile(e.target); if (text !== null) setPem((p) => ({ ...p, [name]: text })); }} />
      {fieldError[name] ? <p class="field-error" id={`pem-${name}-error`} role="alert">{fieldError[name]}</p> : null}
    </div>
  );
  return (
    <section aria-labelledby="cert-title">
      <h1 id="cert-title">{t('nav.certificate')}</h1>
      <ErrorNote error={error} />
      {!data ? <Busy label={t('common.loading')} /> : (
        <article class="card wide">
          <h2>{t('cert.current')}</h2>
          <dl>
            <dt>{t('cert.subject')}</dt><dd>{data.subject}</dd>
            <dt>{t('cert.issuer')}</dt><dd>{data.issuer}{data.self_signed ? ` (${t('cert.selfSigned')})` : ''}</dd>
            <dt>{t('cert.names')}</dt><dd>{(data.names || []).join(', ')}</dd>
            <dt>{t('cert.validFrom')}</dt><dd>{data.not_before}</dd>
            <dt>{t('cert.expires')}</dt><dd>{formatDate(data.expires_at)}</dd>
            <dt>{t('cert.daysLeft')}</dt><dd class={data.expiry_warning ? 'warn-text' : ''}>{data.days_left}</dd>
            <dt>{t('cert.fingerprint')}</dt><dd><code class="wrap">{data.sha256}</code></dd>
            <dt>{t('cert.chain')}</dt><dd>{data.chain_length}</dd>
          </dl>
          {data.expiry_warning ? (
            <p class="warning" role="alert" id="cert-expiry-warning"><strong>{t('cert.expiryWarning')}:</strong> <span lang="en">{data.expiry_warning}</span></p>
          ) : null}
          <ActionButton onAction={generate}>{t('cert.generate')}</ActionButton>
          <ErrorNote error={actionError} />
        </article>
      )}
      <form class="card wide" onSubmit={upload} noValidate aria-labelledby="cert-upload">
        <h2 id="cert-upload">{t('cert.upload')}</h2>
        <p>{t('cert.uploadIntro')}</p>
        {pemField('certificate', t('cert.chainPem'))}
        {pemField('private_key', t('cert.keyPem'))}
        <ErrorNote error={uploadError} />
        <div class="actions"><button type="submit" class="primary" disabled={busy}>{t('cert.uploadButton')}</button>{busy ? <Busy /> : null}</div>
      </form>
      <p>{t('cert.legacyNote')}</p>
      {settings.data ? <SettingsForm legend={t('cert.settings')} keys={keysWith(settings.data.schema, ['tls.'])} data={settings.data} /> : null}
    </section>
  );
}

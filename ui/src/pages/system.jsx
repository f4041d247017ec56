// System: listeners, DNS, logs and admin-panel settings (everything the other sections do
// not show), and the admin password.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t, useLang } from '../i18n.js';
import { SettingsForm, useSettings, keysWith } from '../components/settings.jsx';
import { ErrorNote, Busy } from '../components/feedback.jsx';

const LISTEN = ['smtp.listen', 'submission.listen', 'submissions.listen', 'imap.listen', 'imaps.listen', 'admin.listen', 'admin.plain_http_listen'];

function AdminPassword() {
  useLang();
  const [form, setForm] = useState({ current_password: '', password: '' });
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setErrors({}); setError(null); setDone(false);
    setBusy(true);
    try {
      await api('PUT', '/admin/password', form);
      setForm({ current_password: '', password: '' });
      setDone(true);
    } catch (err) {
      if (err.field in form) setErrors({ [err.field]: err.message });
      else setError(err);
    } finally { setBusy(false); }
  };
  const field = (name, label, auto) => (
    <div class={'field' + (errors[name] ? ' invalid' : '')}>
      <label for={'admin-' + name}>{label}</label>
      <input id={'admin-' + name} type="password" autocomplete={auto} value={form[name]} aria-invalid={errors[name] ? 'true' : 'false'}
        aria-describedby={errors[name] ? `admin-${name}-error` : undefined} onInput={(e) => setForm({ ...form, [name]: e.target.value })} />
      {errors[name] ? <p class="field-error" id={`admin-${name}-error`} role="alert">{errors[name]}</p> : null}
    </div>
  );
  return (
    <form class="settings" onSubmit={submit} noValidate>
      <fieldset>
        <legend>{t('system.password')}</legend>
        {field('current_password', t('system.currentPassword'), 'current-password')}
        {field('password', t('system.newPassword'), 'new-password')}
      </fieldset>
      <ErrorNote error={error} />
      <div class="actions"><button type="submit" class="primary" disabled={busy}>{t('common.apply')}</button>
        {busy ? <Busy /> : done ? <span class="saved" role="status">{t('system.passwordChanged')}</span> : null}</div>
    </form>
  );
}

export function System() {
  useLang();
  const settings = useSettings();
  const s = settings.data;
  return (
    <section aria-labelledby="system-title">
      <h1 id="system-title">{t('nav.system')}</h1>
      <ErrorNote error={settings.error} />
      <SettingsForm legend={t('system.listeners')} keys={LISTEN} data={s} />
      <SettingsForm legend={t('system.dns')} keys={s ? keysWith(s.schema, ['dns.']) : []} data={s} />
      <SettingsForm legend={t('system.admin')} keys={s ? keysWith(s.schema, ['admin.', 'log.'], LISTEN) : []} data={s} />
      <AdminPassword />
    </section>
  );
}

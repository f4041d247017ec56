// Accounts: hosted domains, users (with a password reset) and aliases.
import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { t, useLang } from '../i18n.js';
import { ListPanel } from '../components/listpanel.jsx';
import { ErrorNote } from '../components/feedback.jsx';

const splitList = (v) => v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

function PasswordReset({ address }) {
  useLang();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const id = 'pw-' + address.replace(/[^a-z0-9]/gi, '-');
  if (!open) return <button type="button" onClick={() => { setOpen(true); setDone(false); }}>{done ? t('users.passwordChanged') : t('users.setPassword')}</button>;
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await api('PUT', `/users/${enc(address)}/password`, { password: value });
      setValue(''); setOpen(false); setDone(true);
    } catch (err) { setError(err); }
  };
  return (
    <form class="inline" onSubmit={save}>
      <label for={id}>{t('users.newPassword', { address })}</label>
      <input id={id} type="password" autocomplete="new-password" value={value} onInput={(e) => setValue(e.target.value)} />
      <button type="submit" class="primary">{t('common.save')}</button>
      <button type="button" onClick={() => setOpen(false)}>{t('common.cancel')}</button>
      <ErrorNote error={error} />
    </form>
  );
}

export function Accounts() {
  useLang();
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">{t('nav.accounts')}</h1>
      <ListPanel id="domains" title={t('accounts.domains')} path="/domains" intro={t('accounts.domainsIntro')}
        columns={[{ label: t('accounts.domain'), value: (d) => d.name }]}
        fields={[{ name: 'name', label: t('accounts.domain'), required: true, help: t('accounts.domainHelp') }]}
        deletePath={(d) => `/domains/${enc(d.name)}`} deleteText={(d) => t('accounts.deleteDomain', { name: d.name })} />
      <ListPanel id="users" title={t('accounts.users')} path="/users"
        columns={[{ label: t('accounts.address'), value: (u) => u.address }]}
        fields={[
          { name: 'address', label: t('accounts.address'), required: true, help: t('accounts.addressHelp') },
          { name: 'password', label: t('accounts.password'), type: 'password', required: true, help: t('accounts.passwordHelp') },
        ]}
        extra={(u) => <PasswordReset address={u.address} />}
        deletePath={(u) => `/users/${enc(u.address)}`} deleteText={(u) => t('accounts.deleteUser', { name: u.address })} />
      <ListPanel id="aliases" title={t('accounts.aliases')} path="/aliases"
        columns={[{ label: t('accounts.alias'), value: (a) => a.address }, { label: t('accounts.targets'), value: (a) => (a.targets || []).join(', ') }]}
        fields={[
          { name: 'address', label: t('accounts.alias'), required: true },
          { name: 'targets', label: t('accounts.targets'), type: 'textarea', required: true, help: t('accounts.targetsHelp'), toBody: splitList },
        ]}
        deletePath={(a) => `/aliases/${enc(a.address)}`} deleteText={(a) => t('accounts.deleteAlias', { name: a.address })} />
    </section>
  );
}

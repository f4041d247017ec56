// Sign-in page: the admin password (POST /login). Says why when the session has expired,
// when the password is wrong, and when too many failures locked this address out.
import { useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { t, useLang } from '../i18n.js';
import { Busy } from '../components/feedback.jsx';
import { LanguageSwitch } from '../components/language.jsx';

export function SignIn({ expired, onSignedIn }) {
  useLang();
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!password) { setError(t('signin.empty')); return; }
    setBusy(true); setError('');
    try {
      await signIn(password);
      setPassword('');
      onSignedIn();
    } catch (err) {
      setError(err.status === 401 ? t('signin.wrong') : err.status === 429 ? t('signin.locked')
        : err.status === 0 ? t('error.network') : t('error.refused'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <form onSubmit={submit} class="card" aria-labelledby="signin-title">
        <h1 id="signin-title">{t('signin.title')}</h1>
        <p>{t('signin.intro')}</p>
        {expired ? <p class="notice" role="status">{t('signin.expired')}</p> : null}
        <div class="field">
          <label for="signin-password">{t('signin.password')}</label>
          <input id="signin-password" type="password" autocomplete="current-password" autofocus value={password}
            aria-invalid={error ? 'true' : 'false'} aria-describedby={error ? 'signin-error' : undefined}
            onInput={(e) => setPassword(e.target.value)} />
          {error ? <p class="field-error" id="signin-error" role="alert">{error}</p> : null}
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{t('signin.submit')}</button>
          {busy ? <Busy /> : null}
        </div>
        <LanguageSwitch />
      </form>
    </main>
  );
}

// The applet's frame: sign-in page until a session exists, then a header (language switch,
// sign out), the section navigation and the current section. Sections are addressed by the
// URL hash (#/overview, #/delivery/relay, ...) so the browser's back button works.
// A 401 from any call (session expired, daemon restarted) brings back the sign-in page with a
// note, and the section is shown again after signing in.
import { useEffect, useState } from 'preact/hooks';
import { api, hasToken, onSessionEnd, signOut } from './api.js';
import { t, lang, useLang } from './i18n.js';
import { LanguageSwitch } from './components/language.jsx';
import { ConfirmHost } from './components/feedback.jsx';
import { forgetSettings } from './components/settings.jsx';
import { SignIn } from './pages/signin.jsx';
import { Overview } from './pages/overview.jsx';
import { Accounts } from './pages/accounts.jsx';
import { MessageDelivery } from './pages/delivery.jsx';
import { Certificate } from './pages/certificate.jsx';
import { MtaSts } from './pages/mtasts.jsx';
import { Signing } from './pages/signing.jsx';
import { Queue } from './pages/queue.jsx';
import { Logs } from './pages/logs.jsx';
import { Blocks } from './pages/blocks.jsx';
import { System } from './pages/system.jsx';

const sections = [
  ['overview', Overview],
  ['accounts', Accounts],
  ['delivery', MessageDelivery],
  ['certificate', Certificate],
  ['mtaSts', MtaSts],
  ['signing', Signing],
  ['queue', Queue],
  ['logs', Logs],
  ['blocks', Blocks],
  ['system', System],
];

function currentRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { section: parts[0] || 'overview', sub: parts[1] || '' };
}

export function App() {
  useLang();
  const [signedIn, setSignedIn] = useState(null); // null: checking
  const [expired, setExpired] = useState(false);
  const [route, setRoute] = useState(currentRoute());

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    const stop = onSessionEnd(() => { forgetSettings(); setExpired(true); setSignedIn(false); });
    if (!hasToken()) setSignedIn(false);
    else api('GET', '/session').then(() => setSignedIn(true), () => setSignedIn(false));
    return () => { window.removeEventListener('hashchange', onHash); stop(); };
  }, []);

  useEffect(() => { document.title = t('app.title'); }, [lang()]);

  if (signedIn === null) return <ConfirmHost />;
  if (!signedIn) {
    return <SignIn expired={expired} onSignedIn={() => { setExpired(false); setSignedIn(true); }} />;
  }
  const entry = sections.find(([name]) => name === route.section) || sections[0];
  const Page = entry[1];
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>{t('app.skip')}</a>
      <header class="top">
        <span class="brand">{t('app.title')}</span>
        <LanguageSwitch />
        <button type="button" onClick={async () => { await signOut(); forgetSettings(); setSignedIn(false); }}>{t('app.signOut')}</button>
      </header>
      <nav class="sections" aria-label={t('app.sections')}>
        <ul>
          {sections.map(([name]) => (
            <li><a href={'#/' + name} aria-current={name === entry[0] ? 'page' : undefined}>{t('nav.' + name)}</a></li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Page sub={route.sub} />
      </main>
      <ConfirmHost />
    </div>
  );
}

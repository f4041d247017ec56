// The language switch (English, Français, 日本語); the choice is remembered.
import { t, setLang, languages, useLang } from '../i18n.js';

export function LanguageSwitch() {
  const current = useLang();
  return (
    <label class="lang">
      <span>{t('app.language')}</span>
      <select value={current} onChange={(e) => setLang(e.target.value)}>
        {languages.map((code) => <option value={code} lang={code}>{t('lang.' + code)}</option>)}
      </select>
    </label>
  );
}

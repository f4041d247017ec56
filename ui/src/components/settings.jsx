// Settings forms generated from the API's settings schema (GET /settings/schema): each
// registry entry's type picks the input, its bounds become min/max/maxlength, its default
// and doc become the help under the field. Secrets are write-only: the field starts empty,
// says whether a value is stored, and an empty field leaves the stored value alone.
// Saving sends only what changed, in one PATCH /settings (all or nothing); an error naming
// a field is shown beside that field.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t, has, useLang } from '../i18n.js';
import { ErrorNote, Busy, Saved } from './feedback.jsx';

let cache = null;
const holders = new Set();

/** {schema: Map key -> entry, values, secretsSet}; shared by every form, refreshed on save
 *  (every mounted useSettings() then shows the new values). */
export async function loadSettings(force) {
  if (!cache || force) {
    const [schema, current] = await Promise.all([api('GET', '/settings/schema'), api('GET', '/settings')]);
    cache = {
      schema: new Map(schema.map((item) => [item.key, item])),
      values: current.settings || {},
      secretsSet: current.secrets_set || {},
    };
    holders.forEach((fn) => fn(cache));
  }
  return cache;
}

export function forgetSettings() { cache = null; }

export function useSettings() {
  const [state, setState] = useState({ data: cache, error: null });
  const reload = async (force) => {
    try { setState({ data: await loadSettings(force), error: null }); }
    catch (error) { setState((s) => ({ data: s.data, error })); }
  };
  useEffect(() => {
    const onNew = (data) => setState({ data, error: null });
    holders.add(onNew);
    reload(false);
    return () => holders.delete(onNew);
  }, []);
  return { ...state, reload };
}

/** Keys of the schema starting with one of `prefixes`, minus `except`, in registry order. */
export function keysWith(schema, prefixes, except = []) {
  return [...schema.keys()].filter((k) => prefixes.some((p) => k.startsWith(p)) && !except.includes(k));
}

export function settingLabel(key) { return has('s.' + key) ? t('s.' + key) : key; }

function fieldId(key) { return 'set-' + key.replace(/[^a-z0-9]/gi, '-'); }

/** A value as the user reads it: on/off, an enum's translated choice, "empty". */
function shownValue(item, value) {
  const type = (item.type || '').toLowerCase();
  if (value === '') return t('settings.empty');
  if (type === 'bool') return value === 'true' ? t('settings.on') : t('settings.off');
  if (has(`choice.${item.key}.${value}`)) return t(`choice.${item.key}.${value}`);
  return value;
}

function SettingHelp({ item }) {
  const id = fieldId(item.key) + '-help';
  const help = has('h.' + item.key) ? <span>{t('h.' + item.key)}</span> : <span lang="en">{item.doc}</span>;
  const bounds = item.type === 'int' && item.min !== undefined && item.max !== undefined
    ? ' ' + t('settings.range', { min: item.min, max: item.max }) : '';
  const dflt = item.secret ? '' : ' ' + t('settings.default', { value: shownValue(item, item.default) });
  return <small class="help" id={id}>{help}{bounds}{dflt}</small>;
}

export function SettingField({ item, value, secretSet, onInput, error }) {
  useLang();
  const id = fieldId(item.key);
  const describedBy = `${id}-help${error ? ` ${id}-error` : ''}`;
  const common = { id, name: item.key, 'aria-describedby': describedBy, 'aria-invalid': error ? 'true' : 'false' };
  let input;
  const type = (item.type || '').toLowerCase();
  if (type === 'bool') {
    input = <input type="checkbox" {...common} checked={value === 'true'} onChange={(e) => onInput(e.target.checked ? 'true' : 'false')} />;
    return (
      <div class={'field checkbox' + (error ? ' invalid' : '')}>
        {input}<label for={id}>{settingLabel(item.key)}</label>
        <SettingHelp item={item} />
        {error ? <p class="field-error" id={`${id}-error`} role="alert"><span lang="en">{error}</span></p> : null}
      </div>
    );
  }
  if (type === 'enum' && item.choices) {
    input = (
      <select {...common} value={value} onChange={(e) => onInput(e.target.value)}>
        {item.choices.map((c) => <option value={c}>{has(`choice.${item.key}.${c}`) ? t(`choice.${item.key}.${c}`) : c}</option>)}
      </select>
    );
  } else if (type === 'int') {
    input = <input type="number" {...common} value={value} min={item.min} max={item.max} step="1" onInput={(e) => onInput(e.target.value)} />;
  } else if (item.secret || type === 'secret') {
    input = (
      <input type="password" {...common} value={value} autocomplete="new-password" maxLength={item.max_length}
        placeholder={secretSet ? t('settings.secretSet') : t('settings.secretUnset')} onInput={(e) => onInput(e.target.value)} />
    );
  } else {
    input = <input type="text" {...common} value={value} maxLength={item.max_length} spellcheck={false} onInput={(e) => onInput(e.target.value)} />;
  }
  return (
    <div class={'field' + (error ? ' invalid' : '')}>
      <label for={id}>{settingLabel(item.key)}</label>
      {input}
      <SettingHelp item={item} />
      {error ? <p class="field-error" id={`${id}-error`} role="alert"><span lang="en">{error}</span></p> : null}
    </div>
  );
}

/** A form for `keys` (those present in the schema). `watch` is told of every draft change. */
export function SettingsForm({ keys, legend, data, onSaved, watch, children }) {
  useLang();
  const [draft, setDraft] = useState({});
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  if (!data) return <Busy label={t('common.loading')} />;
  const present = keys.filter((k) => data.schema.has(k));
  if (!present.length) return null;
  const valueOf = (k) => (k in draft ? draft[k] : (data.schema.get(k).secret ? '' : (data.values[k] ?? '')));
  const set = (k, v) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    setSaved(false);
    if (watch) watch(k, v);
  };
  const submit = async (e) => {
    e.preventDefault();
    const changes = {};
    for (const [k, v] of Object.entries(draft)) {
      const item = data.schema.get(k);
      if (item.secret && v === '') continue;
      if (!item.secret && v === (data.values[k] ?? '')) continue;
      const type = (item.type || '').toLowerCase();
      changes[k] = type === 'bool' ? v === 'true' : type === 'int' && v !== '' && /^-?\d+$/.test(v) ? Number(v) : v;
    }
    setErrors({}); setFormError(null);
    if (!Object.keys(changes).length) { setSaved(true); return; }
    setBusy(true);
    try {
      await api('PATCH', '/settings', changes);
      await loadSettings(true);
      setDraft({});
      setSaved(true);
      if (onSaved) onSaved();
    } catch (err) {
      if (err.field && present.includes(err.field)) setErrors({ [err.field]: err.message });
      else setFormError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="settings" onSubmit={submit} noValidate>
      <fieldset>
        {legend ? <legend>{legend}</legend> : null}
        {present.map((k) => (
          <SettingField key={k} item={data.schema.get(k)} value={valueOf(k)} secretSet={!!data.secretsSet[k]}
            onInput={(v) => set(k, v)} error={errors[k]} />
        ))}
        {children}
      </fieldset>
      <ErrorNote error={formError} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>{t('common.apply')}</button>
        {busy ? <Busy label={t('common.saving')} /> : <Saved show={saved} />}
      </div>
    </form>
  );
}

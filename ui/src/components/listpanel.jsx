// A list managed through the API (domains, users, trusted networks, rules...): a table of
// items with a delete button each (confirmed), and an add form whose fields are described
// by the caller. An API error naming one of the form's fields is shown beside it.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t, useLang } from '../i18n.js';
import { ErrorNote, Busy, confirmAction } from './feedback.jsx';
import { useLoad } from './useLoad.js';

/**
 * props: id, title, path (GET/POST), columns [{label, value(item)}], fields [{name, label,
 * type ('text'|'password'|'textarea'|'select'|'number'|'checkbox'), options [[value,label]],
 * help, required, toBody(value), when(draft): shown and sent only when true}], deletePath(item), deleteText(item), extra(item, reload),
 * intro, empty.
 */
export function ListPanel(props) {
  useLang();
  const { id, title, path, columns, fields, deletePath, deleteText, extra, intro, empty, addLabel } = props;
  const { data, error, reload } = useLoad(() => api('GET', path), [path]);
  const blank = () => Object.fromEntries(fields.map((f) => [f.name, f.initial ?? (f.type === 'checkbox' ? false : '')]));
  const [draft, setDraft] = useState(blank);
  const [fieldErrors, setFieldErrors] = useState({});
  const [formError, setFormError] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    setFieldErrors({}); setFormError(null);
    const shown = fields.filter((f) => !f.when || f.when(draft));
    const missing = shown.filter((f) => f.required && (draft[f.name] === '' || draft[f.name] === undefined));
    if (missing.length) {
      setFieldErrors(Object.fromEntries(missing.map((f) => [f.name, t('form.required')])));
      return;
    }
    const body = {};
    for (const f of shown) {
      const v = draft[f.name];
      if (v === '' && !f.required) continue;
      body[f.name] = f.toBody ? f.toBody(v) : v;
    }
    setBusy(true);
    try {
      await api('POST', path, body);
      setDraft(blank());
      await reload();
    } catch (err) {
      if (err.field && fields.some((f) => f.name === err.field)) setFieldErrors({ [err.field]: err.message || t('error.refused'), fromApi: true });
      else setFormError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (item) => {
    if (!(await confirmAction(deleteText(item), t('common.delete')))) return;
    setActionError(null);
    try {
      await api('DELETE', deletePath(item));
      await reload();
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <section class="panel" aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{title}</h2>
      {intro ? <p>{intro}</p> : null}
      <ErrorNote error={error} />
      <ErrorNote error={actionError} />
      {!data ? (error ? null : <Busy label={t('common.loading')} />) : data.length === 0 ? <p class="empty">{empty || t('common.none')}</p> : (
        <div class="table-wrap">
          <table id={id + '-table'}>
            <thead><tr>{columns.map((c) => <th scope="col">{c.label}</th>)}<th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
            <tbody>{data.map((item) => (
              <tr>
                {columns.map((c) => <td>{c.value(item)}</td>)}
                <td><div class="row-actions">
                  {extra ? extra(item, reload) : null}
                  <button type="button" class="danger" onClick={() => remove(item)}
                    aria-label={t('common.deleteNamed', { name: columns[0].value(item) })}>{t('common.delete')}</button>
                </div></td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      )}
      <form class="add" onSubmit={submit} noValidate aria-labelledby={id + '-add'}>
        <h3 id={id + '-add'}>{addLabel || t('common.add')}</h3>
        <div class="add-fields">
          {fields.filter((f) => !f.when || f.when(draft)).map((f) => {
            const fid = `${id}-${f.name}`;
            const err = fieldErrors[f.name];
            const aria = { id: fid, name: f.name, 'aria-invalid': err ? 'true' : 'false',
              'aria-describedby': [f.help ? fid + '-help' : '', err ? fid + '-error' : ''].filter(Boolean).join(' ') || undefined };
            const set = (v) => setDraft({ ...draft, [f.name]: v });
            let input;
            if (f.type === 'textarea') input = <textarea {...aria} rows="3" value={draft[f.name]} onInput={(e) => set(e.target.value)} />;
            else if (f.type === 'select') input = <select {...aria} value={draft[f.name]} onChange={(e) => set(e.target.value)}>{f.options.map(([v, l]) => <option value={v}>{l}</option>)}</select>;
            else if (f.type === 'checkbox') input = <input type="checkbox" {...aria} checked={draft[f.name]} onChange={(e) => set(e.target.checked)} />;
            else input = <input type={f.type || 'text'} {...aria} value={draft[f.name]} autocomplete={f.type === 'password' ? 'new-password' : 'off'} min={f.min} max={f.max} onInput={(e) => set(e.target.value)} />;
            return (
              <div class={'field' + (f.type === 'checkbox' ? ' checkbox' : '') + (err ? ' invalid' : '')}>
                {f.type === 'checkbox' ? <>{input}<label for={fid}>{f.label}</label></> : <><label for={fid}>{f.label}</label>{input}</>}
                {f.help ? <small class="help" id={fid + '-help'}>{f.help}</small> : null}
                {err ? <p class="field-error" id={fid + '-error'} role="alert"><span lang={fieldErrors.fromApi ? 'en' : undefined}>{err}</span></p> : null}
              </div>
            );
          })}
        </div>
        <ErrorNote error={formError} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{addLabel || t('common.add')}</button>
          {busy ? <Busy /> : null}
        </div>
      </form>
    </section>
  );
}


// Small shared pieces: an API error message, a busy indicator, a "saved" notice, and the
// confirmation dialog every destructive action goes through.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, useLang } from '../i18n.js';

/** The error of an API call, in the user's words when we know the case. The API's own
 *  explanation (English) follows, marked as English for screen readers. */
export function ErrorNote({ error, id }) {
  useLang();
  if (!error) return null;
  let text;
  if (error.status === 0) text = t('error.network');
  else if (error.status === 403) text = t('error.csrf');
  else if (error.status === 404) text = t('error.notFound');
  else if (error.status === 409) text = t('error.conflict');
  else if (error.status === 429) text = t('error.throttled');
  else text = t('error.refused');
  return (
    <p class="error" role="alert" id={id}>
      {text}{error.message && error.status !== 0 ? <> <span lang="en" class="api-text">{error.message}</span></> : null}
    </p>
  );
}

export function Busy({ label }) {
  useLang();
  return (
    <span class="busy" role="status">
      <progress aria-label={label || t('common.working')} />
      <span>{label || t('common.working')}</span>
    </span>
  );
}

export function Saved({ show }) {
  useLang();
  return show ? <span class="saved" role="status">{t('common.saved')}</span> : null;
}

let openDialog = null;

/** Asks the user to confirm; resolves true or false. */
export function confirmAction(message, okLabel) {
  return new Promise((resolve) => openDialog({ message, okLabel, resolve }));
}

export function ConfirmHost() {
  useLang();
  const [request, setRequest] = useState(null);
  const ref = useRef(null);
  openDialog = setRequest;
  useEffect(() => {
    if (request && ref.current && !ref.current.open) ref.current.showModal();
  }, [request]);
  const close = (answer) => {
    if (ref.current && ref.current.open) ref.current.close();
    if (request) request.resolve(answer);
    setRequest(null);
  };
  return (
    <dialog ref={ref} class="confirm" aria-labelledby="confirm-text" onCancel={(e) => { e.preventDefault(); close(false); }}>
      <p id="confirm-text">{request ? request.message : ''}</p>
      <div class="actions">
        <button type="button" onClick={() => close(false)} autofocus>{t('common.cancel')}</button>
        <button type="button" class="danger" onClick={() => close(true)}>
          {request && request.okLabel ? request.okLabel : t('common.confirm')}
        </button>
      </div>
    </dialog>
  );
}

/** A button whose action is async: disabled and showing progress while it runs. */
export function ActionButton({ onAction, children, class: cls, label, ...rest }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try { await onAction(); } finally { setBusy(false); }
  };
  return (
    <button type="button" class={cls} onClick={run} disabled={busy} aria-busy={busy ? 'true' : 'false'} aria-label={label} {...rest}>
      {children}{busy ? <Busy /> : null}
    </button>
  );
}

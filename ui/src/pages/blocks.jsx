// Automatic blocks: addresses blocked for abuse (auth failures, connection policy) and
// those blocked by hand, with the time they are lifted; unblock is confirmed. Expected
// route shape (SEC/ACC): GET /blocks -> [{ip, reason, since, until}] (until 0 = until lifted),
// POST /blocks {ip}, DELETE /blocks/{ip} (lift). Says "not available yet" while openapi.json lacks GET /blocks.
import { enc, hasRoute } from '../api.js';
import { t, useLang, formatDate } from '../i18n.js';
import { ListPanel } from '../components/listpanel.jsx';

export function Blocks() {
  useLang();
  return (
    <section aria-labelledby="blocks-title">
      <h1 id="blocks-title">{t('nav.blocks')}</h1>
      {hasRoute('GET', '/blocks') ? (
        <ListPanel id="blocks" title={t('blocks.list')} path="/blocks" intro={t('blocks.intro')} addLabel={t('blocks.add')}
          columns={[
            { label: t('blocks.ip'), value: (b) => b.ip },
            { label: t('blocks.reason'), value: (b) => b.reason || '—' },
            { label: t('blocks.since'), value: (b) => (b.since ? formatDate(b.since) : '—') },
            { label: t('blocks.until'), value: (b) => (b.until ? formatDate(b.until) : t('blocks.forever')) },
          ]}
          fields={[{ name: 'ip', label: t('blocks.ip'), required: true }]}
          deletePath={(b) => `/blocks/${enc(b.ip)}`} deleteText={(b) => t('blocks.unblockConfirm', { ip: b.ip })} />
      ) : <p class="note" data-not-available="nav.blocks">{t('common.notAvailable', { what: t('nav.blocks') })}</p>}
    </section>
  );
}

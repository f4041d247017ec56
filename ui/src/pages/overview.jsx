// Overview: service status, listeners and router port mapping, queue sizes, messages per
// hour over the last day, recent rejects grouped by status code (from the SMTP log's 5xx
// replies), certificate expiry, and warnings about risky or incomplete settings.
import { api } from '../api.js';
import { t, useLang, formatNumber, formatDate } from '../i18n.js';
import { useLoad } from '../components/useLoad.js';
import { ErrorNote, Busy } from '../components/feedback.jsx';
import { loadSettings } from '../components/settings.jsx';

const DAY = 86400;

async function loadOverview() {
  const [status, ports, certificate, settings, trusted, rejects] = await Promise.all([
    api('GET', '/status'),
    api('GET', '/ports'),
    api('GET', '/tls/certificate').catch(() => null),
    loadSettings(true),
    api('GET', '/trusted-networks').catch(() => []),
    api('GET', '/logs/smtp?q=' + encodeURIComponent('reply 5') + '&limit=500').catch(() => ({ lines: [] })),
  ]);
  return { status, ports, certificate, settings, trusted, rejects };
}

/** 5xx replies from the SMTP log, grouped by enhanced status code, most frequent first. */
export function groupRejects(lines) {
  const groups = new Map();
  for (const line of lines) {
    const m = /reply (5\d\d)(?: (\d\.\d{1,3}\.\d{1,3}))? ?(.*)$/.exec(line);
    if (!m) continue;
    const code = m[2] ? `${m[1]} ${m[2]}` : m[1];
    const g = groups.get(code) || { code, count: 0, sample: m[3] };
    g.count += 1;
    groups.set(code, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** Warnings computed from the settings and lists; each is a catalogue key. */
export function warningsFor({ settings, trusted, certificate, status }) {
  const v = settings.values;
  const out = [];
  // "No LAN subnet": nothing in network.lan beyond the built-in loopback default.
  const split = (text) => (text || '').split(',').map((s) => s.trim()).filter(Boolean);
  const loopback = split(settings.schema.has('network.lan') ? settings.schema.get('network.lan').default : '');
  const noLan = split(v['network.lan']).every((n) => loopback.includes(n));
  if (noLan) out.push('warn.noLan');
  if (noLan && !trusted.length && v['smtp.require_auth'] === 'true') out.push('warn.authOnly');
  if (v['smtp.require_auth'] === 'false') out.push('warn.noAuth');
  if (v['delivery.mode'] === 'smarthost' && !v['delivery.smarthost_host']) out.push('warn.noSmarthost');
  if (certificate && certificate.self_signed) out.push('warn.selfSigned');
  if (certificate && certificate.expires_at && certificate.expires_at - Date.now() / 1000 < 30 * DAY) out.push('warn.certExpiring');
  if (status.queue && status.queue.held > 0) out.push('warn.held');
  return out;
}

function HourChart({ sent, bounced }) {
  useLang();
  const hours = sent || [];
  const max = Math.max(1, ...hours, ...(bounced || []));
  const w = 12, gap = 3, height = 80; // not `h`: that is the JSX factory
  const total = hours.reduce((a, b) => a + b, 0);
  const totalBounced = (bounced || []).reduce((a, b) => a + b, 0);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${hours.length * (w + gap)} ${height}`} role="img" aria-label={t('overview.chartLabel', { sent: total, bounced: totalBounced })}>
        {hours.map((n, i) => {
          const bh = Math.round((n / max) * (height - 2));
          const b = bounced ? Math.round(((bounced[i] || 0) / max) * (height - 2)) : 0;
          return (
            <g>
              <rect class="bar-sent" x={i * (w + gap)} y={height - bh} width={w} height={bh}><title>{t('overview.hourTip', { n, ago: hours.length - i - 1 })}</title></rect>
              {b ? <rect class="bar-bounced" x={i * (w + gap)} y={height - b} width={w} height={b} /> : null}
            </g>
          );
        })}
      </svg>
      <figcaption>{t('overview.chartCaption', { sent: formatNumber(total), bounced: formatNumber(totalBounced) })}</figcaption>
    </figure>
  );
}

export function Overview() {
  useLang();
  const { data, error, loading, reload } = useLoad(loadOverview);
  if (!data) return (<section><h1>{t('nav.overview')}</h1>{error ? <ErrorNote error={error} /> : <Busy label={t('common.loading')} />}</section>);
  const { status, ports, certificate, rejects } = data;
  const q = status.queue || {};
  const warnings = warningsFor(data);
  const days = certificate && certificate.expires_at ? Math.floor((certificate.expires_at - Date.now() / 1000) / DAY) : null;
  const rejectGroups = groupRejects(rejects.lines || []);
  return (
    <section aria-labelledby="overview-title">
      <div class="title-row">
        <h1 id="overview-title">{t('nav.overview')}</h1>
        <button type="button" onClick={reload} disabled={loading}>{t('common.refresh')}</button>
      </div>
      <ErrorNote error={error} />
      <div class="cards">
        <article class="card" aria-labelledby="ov-status">
          <h2 id="ov-status">{t('overview.status')}</h2>
          <p class="ok-text">{t('overview.running')}</p>
          <dl>
            <dt>{t('overview.uptime')}</dt><dd>{t('overview.uptimeValue', { hours: formatNumber(Math.floor((status.uptime_s || 0) / 3600)), minutes: Math.floor(((status.uptime_s || 0) % 3600) / 60) })}</dd>
            <dt>{t('overview.sessions')}</dt><dd>{formatNumber(status.smtp_sessions || 0)}</dd>
          </dl>
        </article>
        <article class="card" aria-labelledby="ov-queue">
          <h2 id="ov-queue">{t('overview.queue')}</h2>
          <dl>
            <dt>{t('overview.queueTotal')}</dt><dd data-test="queue-total">{formatNumber(q.recipients || 0)}</dd>
            <dt>{t('overview.queueLocal')}</dt><dd>{formatNumber(q.local || 0)}</dd>
            <dt>{t('overview.queueRemote')}</dt><dd>{formatNumber(q.remote || 0)}</dd>
            <dt>{t('overview.queueDeferred')}</dt><dd>{formatNumber(q.deferred || 0)}</dd>
            <dt>{t('overview.queueHeld')}</dt><dd>{formatNumber(q.held || 0)}</dd>
            <dt>{t('overview.queueOldest')}</dt><dd>{formatDate(q.oldest_received_at)}</dd>
          </dl>
        </article>
        <article class="card" aria-labelledby="ov-cert">
          <h2 id="ov-cert">{t('overview.certificate')}</h2>
          {certificate ? (
            <dl>
              <dt>{t('cert.names')}</dt><dd>{(certificate.names || []).join(', ') || '—'}</dd>
              <dt>{t('cert.expires')}</dt><dd>{formatDate(certificate.expires_at)}</dd>
              <dt>{t('cert.daysLeft')}</dt><dd class={days !== null && days < 30 ? 'warn-text' : ''}>{days === null ? '—' : formatNumber(days)}</dd>
            </dl>
          ) : <p>{t('cert.none')}</p>}
          <a href="#/certificate">{t('overview.manageCert')}</a>
        </article>
      </div>

      <article class="card wide" aria-labelledby="ov-warnings">
        <h2 id="ov-warnings">{t('overview.warnings')}</h2>
        {warnings.length ? (
          <ul class="warnings">{warnings.map((key) => <li class="warning" data-warning={key}>{t(key)}</li>)}</ul>
        ) : <p class="ok-text">{t('overview.noWarnings')}</p>}
      </article>

      <article class="card wide" aria-labelledby="ov-hours">
        <h2 id="ov-hours">{t('overview.perHour')}</h2>
        <HourChart sent={status.sent_per_hour} bounced={status.bounced_per_hour} />
      </article>

      <article class="card wide" aria-labelledby="ov-rejects">
        <h2 id="ov-rejects">{t('overview.rejects')}</h2>
        {rejectGroups.length ? (
          <table>
            <thead><tr><th scope="col">{t('overview.rejectCode')}</th><th scope="col">{t('overview.rejectCount')}</th><th scope="col">{t('overview.rejectSample')}</th></tr></thead>
            <tbody>{rejectGroups.slice(0, 10).map((g) => <tr><td>{g.code}</td><td>{formatNumber(g.count)}</td><td lang="en">{g.sample}</td></tr>)}</tbody>
          </table>
        ) : <p>{t('overview.noRejects')}</p>}
      </article>

      <article class="card wide" aria-labelledby="ov-ports">
        <h2 id="ov-ports">{t('overview.ports')}</h2>
        <p>{t('overview.portsIntro')}</p>
        <div class="table-wrap">
          <table>
            <thead><tr>
              <th scope="col">{t('overview.service')}</th><th scope="col">{t('overview.listen')}</th>
              <th scope="col">{t('overview.routerPort')}</th><th scope="col">{t('overview.advice')}</th>
            </tr></thead>
            <tbody>{ports.map((p) => (
              <tr>
                <td>{t('service.' + p.service)}</td>
                <td>{(p.listen || []).join(', ') || t('overview.disabled')}</td>
                <td>{p.router_port ? t('overview.forward', { router: p.router_port, port: (p.listen && p.listen[0] ? p.listen[0].split(':').pop() : '') }) : t('overview.noForward')}</td>
                <td>{t('advice.' + p.service)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      </article>
    </section>
  );
}

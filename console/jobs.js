// Jobs: the list with live status (polled) and a job's details with players for its outputs.
import { confirmDialog } from './dialog.js';
import {
  announce,
  between,
  formatBytes,
  formatSeconds,
  formatTime,
  h,
  replace,
  STATUSES,
  statusBadge,
  TERMINAL,
  tableWrap,
} from './dom.js';
import { loadDraft, mayReplaceDraft } from './draft.js';
import { showResults } from './results.js';

const LIST_POLL_MS = 2000;
const JOB_POLL_MS = 1000;

function progressCell(job) {
  const pct = Math.round(job.progress ?? 0);
  return h(
    'div',
    { class: 'progress-cell' },
    h('progress', { max: 100, value: pct, 'aria-label': `progress of ${job.id}` }),
    h('span', { class: 'pct' }, `${pct}%`),
  );
}

/** Whole seconds left as `45 s`, `2 min 5 s`, `1 h 3 min`. */
function formatEta(s) {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
}

/**
 * What the job page's meter says: the bar's percent (every stage; it moves with the frames while they
 * render) and, from the job's renderProgress, the frames drawn and the time left at their rate so far.
 */
function progressReading(job) {
  const percent = Math.max(0, Math.min(100, Math.round(job.progress ?? 0)));
  const r = job.renderProgress;
  const parts = [`${percent}%`];
  const spoken = [`${percent} percent`];
  if (r?.framesTotal) {
    parts.push(`${r.framesDone}/${r.framesTotal} frames`);
    spoken.push(`${r.framesDone} of ${r.framesTotal} frames`);
  }
  if (!TERMINAL.includes(job.status) && typeof r?.etaSeconds === 'number') {
    parts.push(`about ${formatEta(r.etaSeconds)} left`);
    spoken.push(`about ${formatEta(r.etaSeconds)} left`);
  }
  return { percent, text: parts.join(' · '), spoken: spoken.join(', ') };
}

/**
 * The job page's progress bar. Outside the status live region on purpose: it changes every poll, and a
 * screen reader should hear status and stage changes, not each frame count (the bar says those on demand).
 */
function progressMeter() {
  const bar = h('progress', {
    id: 'job-progress',
    max: 100,
    value: 0,
    role: 'progressbar',
    'aria-label': 'job progress',
    'aria-valuemin': 0,
    'aria-valuemax': 100,
    'aria-valuenow': 0,
  });
  const text = h('span', { class: 'job-progress-text' });
  const el = h('div', { class: 'job-progress' }, bar, text);
  return {
    el,
    update(job) {
      const { percent, text: shown, spoken } = progressReading(job);
      bar.value = percent;
      bar.setAttribute('aria-valuenow', String(percent));
      bar.setAttribute('aria-valuetext', spoken);
      text.textContent = shown;
    },
  };
}

/** Polls `fn` every `ms` while the page is visible; returns the stop function. */
function poll(fn, ms) {
  let stopped = false;
  let timer;
  const tick = async () => {
    if (stopped) return;
    if (document.visibilityState !== 'hidden') await fn().catch(() => {});
    if (!stopped) timer = setTimeout(tick, ms);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export function jobListView(root, ctx) {
  const status = (ctx.query.get('status') ?? '').toUpperCase();
  const filter = h(
    'select',
    {
      id: 'status-filter',
      onchange: (e) => ctx.navigate(e.target.value ? `#/jobs?status=${e.target.value}` : '#/jobs'),
    },
    h('option', { value: '' }, 'All'),
    STATUSES.map((s) => h('option', { value: s, selected: s === status }, s)),
  );
  const tbody = h('tbody');
  const empty = h(
    'p',
    { class: 'muted', hidden: true },
    'No jobs yet. ',
    h('a', { href: '#/submit' }, 'Submit one'),
    '.',
  );
  const error = h('p', { class: 'bad', role: 'alert', hidden: true });
  const more = h('button', { type: 'button', hidden: true, onclick: () => void load(true) }, 'Load more');
  const updated = h('span', { class: 'muted small' });
  replace(
    root,
    h('h1', { tabindex: -1 }, 'Jobs'),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { for: 'status-filter' }, 'Status'),
      filter,
      h('a', { class: 'button primary', href: '#/submit' }, 'New render'),
      updated,
    ),
    error,
    h(
      'div',
      tableWrap('Jobs table'),
      h(
        'table',
        { class: 'jobs' },
        h(
          'caption',
          { class: 'visually-hidden' },
          `Jobs${status ? ` with status ${status}` : ''}, updated live`,
        ),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Job', 'Preview', 'Type', 'Status', 'Stage', 'Progress', 'Created', 'Took'].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        tbody,
      ),
    ),
    empty,
    more,
  );

  // Rows are keyed by id and updated in place, so focus and reading position survive every poll.
  const rows = new Map();
  let cursor;
  // The title (template or project name, else the kind) with the short id; the list's thumbnail is
  // presigned for an hour, like every output URL.
  const cells = (job) => [
    h(
      'td',
      { 'data-label': 'Job' },
      h(
        'a',
        { href: `#/jobs/${job.id}`, class: 'job-title' },
        job.title ?? job.type ?? 'render',
        ' ',
        h('span', { class: 'mono small' }, job.id.slice(0, 8)),
      ),
    ),
    h(
      'td',
      { 'data-label': 'Preview' },
      job.thumbnail
        ? h('img', {
            class: 'thumb',
            src: job.thumbnail.url,
            alt: `poster of ${job.title ?? 'the job'} ${job.id.slice(0, 8)}`,
            loading: 'lazy',
            width: 96,
            height: job.thumbnail.width ? Math.round((96 * job.thumbnail.height) / job.thumbnail.width) : 54,
          })
        : '',
    ),
    h('td', { 'data-label': 'Type' }, job.type ?? 'render'),
    h(
      'td',
      { 'data-label': 'Status' },
      // One box, so the phone layout's flex cell does not stretch the badge beside the reason.
      h(
        'div',
        {},
        statusBadge(job.status),
        // Why a job failed, in the list, so a failure is understood without opening it.
        job.error
          ? h('p', { class: 'bad small failure' }, h('code', {}, job.error.code), ' ', job.error.message)
          : null,
      ),
    ),
    h('td', { 'data-label': 'Stage' }, TERMINAL.includes(job.status) ? '' : (job.stage ?? '')),
    h('td', { 'data-label': 'Progress' }, progressCell(job)),
    h('td', { 'data-label': 'Created' }, formatTime(job.createdAt)),
    h('td', { 'data-label': 'Took' }, formatSeconds(between(job.timings?.startedAt, job.timings?.endedAt))),
  ];
  function upsert(job, atEnd) {
    const known = rows.get(job.id);
    const key = `${job.status}|${job.stage}|${job.progress}|${!!job.thumbnail}`;
    if (known && known.key === key) return;
    if (known && known.status !== job.status && TERMINAL.includes(job.status))
      announce(`Job ${job.id.slice(0, 8)} ${job.status}`);
    if (known) {
      // Replace only the changing cells (the preview onwards), never the link the user may have focused.
      const fresh = cells(job);
      for (let c = 1; c < fresh.length; c++) known.tr.children[c].replaceWith(fresh[c]);
    } else {
      const tr = h('tr', { 'data-id': job.id, 'data-status': job.status }, cells(job));
      if (atEnd) tbody.append(tr);
      else tbody.prepend(tr);
      rows.set(job.id, { tr, key, status: job.status });
      return;
    }
    known.tr.dataset.status = job.status;
    rows.set(job.id, { tr: known.tr, key, status: job.status });
  }

  async function load(next) {
    const q = new URLSearchParams({ limit: '25' });
    if (status) q.set('status', status);
    if (next && cursor) q.set('cursor', cursor);
    try {
      const page = await ctx.api().call('GET', `/v1/renders?${q}`);
      error.hidden = true;
      const jobs = page.renders ?? [];
      if (next) jobs.forEach((j) => upsert(j, true));
      else {
        // Newest first: new jobs go on top; jobs that left the filter disappear.
        const seen = new Set(jobs.map((j) => j.id));
        if (status)
          for (const [id, r] of rows)
            if (!seen.has(id) && r.status !== status) {
              r.tr.remove();
              rows.delete(id);
            }
        [...jobs].reverse().forEach((j) => upsert(j, false));
        if (cursor === undefined) cursor = page.cursor ?? null;
      }
      if (next) cursor = page.cursor ?? null;
      more.hidden = !cursor;
      empty.hidden = rows.size > 0;
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      ctx.onError(err, error);
    }
  }
  return poll(() => load(false), LIST_POLL_MS);
}

/** A JSON output (manifest.json) shown as JSON, read when it is opened. */
function jsonViewer(o, name) {
  const pre = h('pre', { class: 'json-output mono small' }, 'Loading…');
  const details = h('details', {}, h('summary', {}, `Show ${name}`), pre);
  details.addEventListener(
    'toggle',
    () =>
      void fetch(o.url)
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((j) => (pre.textContent = JSON.stringify(j, null, 2)))
        .catch((err) => (pre.textContent = `Could not read ${name}: ${err.message}`)),
    { once: true },
  );
  return details;
}

/** Where each job type is submitted (a compose belongs to its project, a drop job to its folder). */
const AGAIN = { render: '/v1/renders', clips: '/v1/clips', mix: '/v1/mixes' };

function outputPlayer(o, poster) {
  const name = o.key.slice(o.key.lastIndexOf('/') + 1);
  const label = `${o.kind} ${name}`;
  if (o.kind === 'video')
    return h('video', {
      src: o.url,
      poster: poster?.url,
      controls: true,
      preload: 'metadata',
      playsinline: true,
      'aria-label': label,
    });
  if (o.kind === 'manifest' || name.endsWith('.json')) return jsonViewer(o, name);
  if (o.kind === 'audio')
    return h('audio', { src: o.url, controls: true, preload: 'metadata', 'aria-label': label });
  return h('img', { src: o.url, alt: `${o.kind} image ${name}`, loading: 'lazy' });
}

function outputCard(o, poster) {
  const name = o.key.slice(o.key.lastIndexOf('/') + 1);
  const facts = [
    o.width && o.height ? `${o.width}×${o.height}` : '',
    o.durationSeconds ? formatSeconds(o.durationSeconds) : '',
    formatBytes(o.bytes),
  ].filter(Boolean);
  return h(
    'figure',
    { class: `output output-${o.kind}` },
    o.url ? outputPlayer(o, poster) : h('p', { class: 'muted' }, 'no URL'),
    h(
      'figcaption',
      {},
      h('strong', {}, o.kind),
      ' ',
      h('span', { class: 'mono' }, name),
      h('br'),
      h('span', { class: 'muted small' }, facts.join(' · ')),
      ' ',
      // downloadUrl answers Content-Disposition: attachment (a cross-origin `download` attribute is ignored).
      o.url
        ? h('a', { href: o.downloadUrl ?? o.url, download: name, class: 'download' }, `Download ${name}`)
        : null,
    ),
  );
}

/** Outputs grouped by rendition (clip, mix and project jobs have many). */
export function groupByRendition(outputs) {
  const groups = new Map();
  for (const o of outputs) {
    const r = o.rendition ?? 'output';
    if (!groups.has(r)) groups.set(r, []);
    groups.get(r).push(o);
  }
  return groups;
}

export function jobView(root, ctx, id) {
  const title = h('h1', { tabindex: -1 }, 'Job ', h('span', { class: 'mono' }, id.slice(0, 8)));
  const summary = h('dl', { class: 'facts' });
  const errorBox = h('div');
  const outputs = h(
    'section',
    { 'aria-labelledby': 'outputs-h' },
    h('h2', { id: 'outputs-h' }, 'Outputs'),
    h('p', { class: 'muted' }, 'Outputs appear when the job succeeds.'),
  );
  // Clips and mixes: their renditions as a grid from manifest.json, above the plain list of files.
  const results = h('section', { 'aria-labelledby': 'results-h', hidden: true });
  const historyBody = h('tbody');
  const problem = h('p', { class: 'bad', role: 'alert', hidden: true });
  const cancel = h(
    'button',
    { type: 'button', class: 'danger', hidden: true, onclick: () => void doCancel() },
    'Cancel job',
  );
  const live = h('p', { class: 'job-status', role: 'status', 'aria-live': 'polite' });
  const meter = progressMeter();
  let submitted;
  // An edit opens in the editor (New render keeps its draft in session storage); any job renders again.
  const openInEditor = h(
    'button',
    {
      type: 'button',
      hidden: true,
      onclick: async () => {
        const replaceable = await mayReplaceDraft({
          what: 'Opening this job’s edit in New render',
          confirm: 'Replace with this job’s edit',
        });
        if (!replaceable) return;
        loadDraft(JSON.stringify(submitted.request, null, 2));
        ctx.navigate('#/submit');
      },
    },
    'Open in editor',
  );
  const again = h(
    'button',
    {
      type: 'button',
      hidden: true,
      onclick: async () => {
        try {
          const job = await ctx.api().call('POST', AGAIN[submitted.type], submitted.request);
          ctx.navigate(`#/jobs/${job.id}`);
        } catch (err) {
          ctx.onError(err, problem);
        }
      },
    },
    'Render again',
  );
  replace(
    root,
    h('p', {}, h('a', { href: '#/jobs' }, '← All jobs')),
    title,
    problem,
    h('div', { class: 'job-head' }, live, meter.el),
    h('div', { class: 'toolbar' }, cancel, openInEditor, again),
    summary,
    errorBox,
    results,
    outputs,
    h(
      'section',
      { 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, 'Progress history'),
      h(
        'p',
        { class: 'muted small' },
        'Status, stage and progress as this console observed them, polling every second while this page is open. ',
        'It is not the platform\u2019s event log: steps shorter than a second may not appear.',
      ),
      h(
        'div',
        tableWrap('Progress history table'),
        h(
          'table',
          { class: 'history' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Seen at', 'Status', 'Stage', 'Progress'].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          historyBody,
        ),
      ),
    ),
  );

  let last;
  let lastStatus;
  let shownOutputs = false;
  let stop = () => {};

  function render(job) {
    const key = `${job.status}|${job.stage ?? ''}|${job.progress}`;
    if (key !== last) {
      historyBody.append(
        h(
          'tr',
          {},
          h('td', {}, new Date().toLocaleTimeString()),
          h('td', {}, job.status),
          h('td', {}, job.stage ?? ''),
          h('td', {}, `${job.progress}%`),
        ),
      );
      if (last && job.status !== last.split('|')[0]) announce(`Job ${job.status}`);
      last = key;
    }
    // The live region changes only with status or stage (each change announced once); the meter every poll.
    const status = `${job.status}|${job.stage && !TERMINAL.includes(job.status) ? job.stage : ''}`;
    if (status !== lastStatus) {
      lastStatus = status;
      replace(
        live,
        statusBadge(job.status),
        job.stage && !TERMINAL.includes(job.status) ? h('span', { class: 'stage' }, job.stage) : '',
      );
    }
    meter.update(job);
    const t = job.timings ?? {};
    const fact = (k, v) => (v ? [h('dt', {}, k), h('dd', {}, v)] : []);
    replace(
      summary,
      fact('Id', h('span', { class: 'mono' }, job.id)),
      fact('Type', job.type ?? 'render'),
      fact('Created', formatTime(job.createdAt)),
      fact('Queued', formatTime(t.queuedAt)),
      fact('Started', formatTime(t.startedAt)),
      fact('Ended', formatTime(t.endedAt)),
      fact('Waited', formatSeconds(between(t.queuedAt, t.startedAt))),
      fact('Ran', formatSeconds(between(t.startedAt, t.endedAt))),
    );
    cancel.hidden = TERMINAL.includes(job.status);
    submitted = job;
    openInEditor.hidden = !(job.request && (job.type ?? 'render') === 'render');
    again.hidden = !(job.request && AGAIN[job.type ?? 'render']);
    replace(
      errorBox,
      job.error
        ? h(
            'div',
            { class: 'error-box', role: 'alert' },
            h('h2', {}, 'Error'),
            h('p', {}, h('code', {}, job.error.code), ' ', job.error.message),
          )
        : null,
    );
    // Players are built once: later polls bring freshly presigned URLs, which would restart playback.
    if (!shownOutputs && job.outputs?.length) {
      shownOutputs = true;
      results.hidden = !showResults(results, job);
      const groups = groupByRendition(job.outputs);
      replace(
        outputs,
        h('h2', { id: 'outputs-h' }, `Outputs (${job.outputs.length})`),
        h(
          'p',
          { class: 'muted small' },
          'Links are presigned and expire after an hour; reload the page for fresh ones.',
        ),
        [...groups].map(([rendition, list]) =>
          h(
            'section',
            { class: 'rendition', 'aria-label': `rendition ${rendition}` },
            groups.size > 1 || rendition !== 'output' ? h('h3', {}, rendition) : null,
            h(
              'div',
              { class: 'outputs' },
              // A video's poster is its rendition's poster (or thumbnail) image, when the output made one.
              list.map((o) =>
                outputCard(
                  o,
                  list.find((x) => x.kind === 'poster') ?? list.find((x) => x.kind === 'thumbnail'),
                ),
              ),
            ),
          ),
        ),
      );
    }
  }

  async function load() {
    try {
      const job = await ctx.api().call('GET', `/v1/renders/${encodeURIComponent(id)}`);
      problem.hidden = true;
      render(job);
      if (TERMINAL.includes(job.status)) stop();
    } catch (err) {
      if (err.status !== 404) return ctx.onError(err, problem);
      stop();
      ctx.notFound(root, {
        title: 'Job not found',
        message: `There is no job ${id} for this API key: the link may be wrong, or the job belongs to another key.`,
        back: ['#/jobs', '← All jobs'],
      });
    }
  }

  async function doCancel() {
    const yes = await confirmDialog({
      title: 'Cancel this job?',
      message: 'The job stops where it is and makes no outputs; this cannot be undone.',
      confirm: 'Cancel job',
      cancel: 'Keep it running',
    });
    if (!yes) return;
    try {
      render(await ctx.api().call('POST', `/v1/renders/${encodeURIComponent(id)}/cancel`));
    } catch (err) {
      ctx.onError(err, problem);
    }
  }

  stop = poll(load, JOB_POLL_MS);
  return () => stop();
}

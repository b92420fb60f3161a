// Results of many-rendition jobs, read from manifest.json: a clips job as a grid of clips per aspect ratio
// (poster, score, reason), a mix as its variations with the sources each used.
import { formatSeconds, h, replace } from './dom.js';

const fileName = (key) => key.slice(key.lastIndexOf('/') + 1);

/** The manifest's renditions `[{ name, meta, files }]`, with each file's presigned URLs from the job. */
async function renditions(job) {
  const manifest = job.outputs.find((o) => o.kind === 'manifest');
  if (!manifest?.url) return undefined;
  const r = await fetch(manifest.url);
  if (!r.ok) throw new Error(`manifest.json answered HTTP ${r.status}`);
  const byKey = new Map(job.outputs.map((o) => [o.key, o]));
  return ((await r.json()).outputs ?? []).map((x) => ({
    ...x,
    files: (x.files ?? []).map((f) => byKey.get(f.key) ?? f),
  }));
}

function player(files, label) {
  const video = files.find((f) => f.kind === 'video');
  const poster = files.find((f) => f.kind === 'poster') ?? files.find((f) => f.kind === 'thumbnail');
  if (!video?.url) return h('p', { class: 'muted' }, 'no video');
  const name = fileName(video.key);
  return [
    h('video', {
      src: video.url,
      poster: poster?.url,
      controls: true,
      preload: 'metadata',
      playsinline: true,
      'aria-label': label,
    }),
    h('a', { href: video.downloadUrl ?? video.url, download: name, class: 'download' }, `Download ${name}`),
  ];
}

function clipsGrid(list) {
  const byRatio = new Map();
  for (const r of list) {
    const ratio = r.meta?.aspectRatio ?? 'other';
    if (!byRatio.has(ratio)) byRatio.set(ratio, []);
    byRatio.get(ratio).push(r);
  }
  return [...byRatio].map(([ratio, items]) =>
    h(
      'section',
      { class: 'rendition', 'aria-label': `clips ${ratio}` },
      h('h3', {}, `${ratio} (${items.length} clip${items.length === 1 ? '' : 's'})`),
      h(
        'div',
        { class: 'outputs clip-grid' },
        items.map((r) => {
          const m = r.meta ?? {};
          const title = m.title ?? r.name;
          return h(
            'figure',
            { class: 'output output-video clip-card', 'data-rendition': r.name },
            player(r.files, `${title}, ${ratio}`),
            h(
              'figcaption',
              {},
              h('strong', {}, title),
              h('br'),
              h(
                'span',
                { class: 'small muted' },
                `${formatSeconds(m.start)} – ${formatSeconds(m.end)} of the source · reframe ${m.reframe ?? ''}`,
              ),
              typeof m.score === 'number'
                ? h(
                    'p',
                    { class: 'small clip-score' },
                    `Score ${m.score.toFixed(2)}`,
                    m.why ? ` — ${m.why}` : '',
                  )
                : h('p', { class: 'small muted' }, 'Chosen by you (no score)'),
            ),
          );
        }),
      ),
    ),
  );
}

function mixVariations(list) {
  return h(
    'div',
    { class: 'outputs' },
    list.map((r) => {
      const m = r.meta ?? {};
      return h(
        'figure',
        { class: 'output output-video variation-card', 'data-rendition': r.name },
        player(r.files, `variation ${m.variation ?? r.name}`),
        h(
          'figcaption',
          {},
          h('strong', {}, `Variation ${m.variation ?? r.name}`),
          m.durationSeconds
            ? h('span', { class: 'small muted' }, ` · ${formatSeconds(m.durationSeconds)}`)
            : '',
          h(
            'ol',
            {
              class: 'small variation-sources',
              'aria-label': `sources of variation ${m.variation ?? r.name}`,
            },
            (m.clips ?? (m.sources ?? []).map((src) => ({ src }))).map((c) =>
              h(
                'li',
                {},
                c.group ? `${c.group}: ` : '',
                h('span', { class: 'mono' }, fileName(c.src)),
                typeof c.trim === 'number' && c.trim ? ` from ${formatSeconds(c.trim)}` : '',
                typeof c.length === 'number' ? ` for ${formatSeconds(c.length)}` : '',
              ),
            ),
          ),
        ),
      );
    }),
  );
}

/** Fills `el` with the job's results when it is a clips or mix job with a manifest; false otherwise. */
export function showResults(el, job) {
  if (!['clips', 'mix'].includes(job.type) || !job.outputs?.some((o) => o.kind === 'manifest')) return false;
  const body = h('p', { class: 'muted' }, 'Reading manifest.json…');
  replace(el, h('h2', { id: 'results-h' }, job.type === 'clips' ? 'Clips' : 'Variations'), body);
  renditions(job)
    .then((list) =>
      body.replaceWith(h('div', {}, job.type === 'clips' ? clipsGrid(list) : mixVariations(list))),
    )
    .catch((err) => (body.textContent = `Could not read the results: ${err.message}`));
  return true;
}

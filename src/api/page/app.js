/*
 * cuentas: the script of the search page. index.html serves two views, chosen by the path:
 *
 *   /               search: box with suggestions (ARIA combobox), facet filters with counts,
 *                   figure filter (min, max, kind), highlighted hits, figure table, CSV link
 *                   and pagination. The whole state lives in the URL query string
 *                   (q, year, province, policy, page, min, max, kind), so a search can be
 *                   shared and bookmarked, and back/forward replay it (pushState, popstate).
 *   /informe/{id}   one report: metadata and every passage, with query matches and figures
 *                   highlighted, scrolled to the passage named in the URL fragment.
 *
 * It only talks to the JSON API of the same server. Report text is set with textContent; the
 * only HTML inserted is the server's `snippet` and passage `html` (escaped text with <mark>).
 */
'use strict';

const PAGE_SIZE = 10;
const FIGURE_TABLE_SIZE = 20;
const SUGGEST_DELAY_MS = 150;
const LAST_SEARCH_KEY = 'cuentas:ultima-busqueda';
const FACETS = [{ key: 'year', legend: 'Año' }, { key: 'province', legend: 'Provincia' },
  { key: 'policy', legend: 'Política de igualdad' }];
const FIGURE_FILTERS = ['min', 'max', 'kind', 'sort'];
const KIND_NAMES = { usd: 'Dólares', percent: 'Porcentaje', count: 'Cantidad' };
const POLICY_LABELS = { intercultural: 'Intercultural', generacional: 'Generacional',
  discapacidades: 'Discapacidades', genero: 'Género', movilidad_humana: 'Movilidad humana' };

const $ = (id) => document.getElementById(id);

/* ---------------------------------------------------------------- helpers */

/** Builds an element: h('a', {href, class, text}, ...children). Text is never parsed as HTML. */
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Case- and accent-insensitive form, to compare facet values typed in a URL. */
const fold = (text) => String(text).normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** 4803665.69 → "4.803.665,69": dot for thousands, comma for decimals (at most `decimals`). */
function formatNumber(value, decimals = 2) {
  const [whole, fraction = ''] = Math.abs(value).toFixed(decimals).split('.');
  const kept = fraction.replace(/0+$/, '');
  return (value < 0 ? '-' : '') + whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.') + (kept ? `,${kept}` : '');
}

/** A figure's value as a Spanish reader writes it: "4.803.665,69 USD", "132,76 %", "175.280". */
const formatValue = (figure, value = figure.value) =>
  formatNumber(value) + ({ usd: ' USD', percent: ' %' }[figure.kind] || '');

/** What a table says its numbers are in, when it gave the figure its value: "Cifras en millones". */
const tableUnits = (figure) => (figure.table && figure.table.units) || null;
/** A figure as written, with the units its table gave it: "23.950,2 (Cifras en millones)". */
const writtenInUnits = (figure) => {
  const units = tableUnits(figure);
  if (!units) return figure.text;
  return units.startsWith('(') ? `${figure.text} ${units}` : `${figure.text} (${units})`;
};

/** A highlighted figure's tooltip: "4.803.665,69 USD · recaudado" (and the other reading). */
function figureTitle(figure) {
  const parts = [formatValue(figure), figure.kind === 'count' && 'cantidad', tableUnits(figure), figure.label];
  if (typeof figure.alt_value === 'number') {
    parts.push(`también podría leerse ${formatValue(figure, figure.alt_value)}`);
  }
  return parts.filter(Boolean).join(' · ');
}

const plural = (count, one, many) => `${formatNumber(count, 0)} ${count === 1 ? one : many}`;
const hasValue = (value) => value !== null && value !== undefined;

function reportUrl(reportId, q, passageId) {
  const query = q ? `?${new URLSearchParams({ q })}` : '';
  return `/informe/${encodeURIComponent(reportId)}${query}#${encodeURIComponent(passageId)}`;
}

/**
 * GETs JSON; a failure throws an Error with the server's message and the HTTP status, and the
 * error's `code`, `parameter` and `value` when the server sent them.
 */
async function getJson(url) {
  const failure = (message, status, detail = {}) => Object.assign(new Error(message), {
    status, code: detail.code, parameter: detail.parameter, value: detail.value,
  });
  let response;
  try {
    response = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    throw failure('No se pudo conectar con el servidor. Revise la conexión e inténtelo de nuevo.', 0);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (body && body.error) || {};
    throw failure(detail.message || `el servidor respondió ${response.status}`, response.status, detail);
  }
  if (!body) throw failure('El servidor envió una respuesta que no se pudo leer.', response.status);
  return body;
}

/* ------------------------------------------------------------- URL state */

function readState(search = location.search) {
  const params = new URLSearchParams(search);
  const page = Number.parseInt(params.get('page') || '1', 10);
  const state = { q: (params.get('q') || '').trim(), page: page > 0 ? page : 1 };
  for (const { key } of FACETS) state[key] = params.getAll(key).filter(Boolean);
  for (const key of FIGURE_FILTERS) state[key] = (params.get(key) || '').trim();
  return state;
}

/** The API parameters of a state: q and facet filters, the figure filter if asked. */
function apiParams(state, { figures = false, ...extra } = {}) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const { key } of FACETS) state[key].forEach((value) => params.append(key, value));
  if (figures) FIGURE_FILTERS.forEach((key) => state[key] && params.set(key, state[key]));
  for (const [key, value] of Object.entries(extra)) params.set(key, String(value));
  return params;
}

function urlFor(state) {
  const query = apiParams(state, state.page > 1 ? { figures: true, page: state.page } : { figures: true }).toString();
  return query ? `/?${query}` : '/';
}

const hasFigureFilter = (state) => FIGURE_FILTERS.some((key) => state[key]);
const facetCount = (state) => FACETS.reduce((n, { key }) => n + state[key].length, 0);
const isActive = (state) => Boolean(state.q) || facetCount(state) > 0 || hasFigureFilter(state);

/** Moves to `state`: a new history entry (unless the URL is the same), then loads it. */
function go(state, options) {
  const url = urlFor(state);
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
  loadSearch(options);
}

/* ------------------------------------------------------------ the search */

let searchToken = 0;

async function loadSearch({ focusResults = false } = {}) {
  const state = readState();
  const token = ++searchToken;
  fillForms(state);
  setBusy(true);
  try {
    if (isActive(state)) {
      sessionStorage.setItem(LAST_SEARCH_KEY, location.pathname + location.search);
      const offset = (state.page - 1) * PAGE_SIZE;
      // The API counts each facet without its own filter: other values stay offered.
      const [result, figures] = await Promise.all([
        getJson(`/api/search?${apiParams(state, { limit: PAGE_SIZE, offset })}`),
        hasFigureFilter(state) ? fetchFigures(state) : null,
      ]);
      if (token !== searchToken) return;
      renderResults(state, result, result.facets, figures);
    } else {
      const facets = await getJson('/api/facets');
      if (token !== searchToken) return;
      clearResults();
      $('inicio').hidden = false;
      renderFacets(state, facets);
    }
  } catch (error) {
    if (token !== searchToken) return;
    clearResults();
    showNotice($('aviso'), `No se pudo completar la búsqueda: ${error.message}`, 'error');
  }
  setBusy(false);
  if (focusResults) {
    $('titulo-resultados').focus({ preventScroll: true });
    $('estado').scrollIntoView({ block: 'start' });
  }
}

/** The figure table's data; an error is returned (not thrown) so that the passages still show. */
function fetchFigures(state) {
  const params = apiParams(state, { figures: true, limit: FIGURE_TABLE_SIZE });
  return getJson(`/api/figures?${params}`).catch((error) => error);
}

/** aria-busy while loading; data-consulta says which URL the results are for. */
function setBusy(busy) {
  const region = $('resultados');
  region.setAttribute('aria-busy', String(busy));
  document.body.dataset.estado = busy ? 'cargando' : 'listo';
  if (!busy) region.dataset.consulta = location.search;
}

function fillForms(state) {
  $('q').value = state.q;
  for (const key of FIGURE_FILTERS) $(key).value = state[key];
  const filters = facetCount(state) + (hasFigureFilter(state) ? 1 : 0);
  $('abrir-filtros').textContent = filters ? `Filtros (${filters})` : 'Filtros';
  document.title = `${state.q ? `«${state.q}»` : 'Buscador de informes de rendición de cuentas'} · Cuentas IESS`;
}

/* ------------------------------------------------------ rendering a search */

function clearResults() {
  for (const id of ['inicio', 'descarga', 'cifras', 'paginacion']) $(id).hidden = true;
  $('estado').textContent = '';
  showNotice($('aviso'), null);
  $('lista').replaceChildren();
}

function renderResults(state, result, facets, figures) {
  $('inicio').hidden = true;
  renderFacets(state, facets);
  renderStatus(state, result);
  renderNotice(state, result);
  // The figures of the passages shown: of the query run in place of the typed one, if any.
  const shown = result.corrected_query ? { ...state, q: result.corrected_query } : state;
  const csv = apiParams(shown, { figures: true, format: 'csv' });
  $('csv').href = `/api/figures?${csv}`;
  $('descarga').hidden = false;
  renderFigureTable(state, figures);
  renderHits(state, result.hits);
  renderPagination(state, result.total);
}

/** Shows `message` (and `extra` nodes) in a notice box, as an alert for errors; or hides it. */
function showNotice(box, message, kind = 'info', ...extra) {
  box.hidden = !message;
  box.className = `aviso aviso-${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'note');
  box.replaceChildren(...(message ? [h('p', { text: message }, ...extra)] : []));
}

function renderStatus(state, result) {
  const pages = Math.ceil(result.total / PAGE_SIZE);
  const found = plural(result.total, 'pasaje', 'pasajes');
  const what = state.q ? `${found} para «${result.corrected_query || state.q}»` : found;
  const page = pages > 1 && state.page <= pages ? ` · página ${state.page} de ${pages}` : '';
  $('estado').textContent = `${what}${page} · ${formatNumber(result.took_ms, 1)} ms`;
}

function renderNotice(state, result) {
  const link = (href, text) => [' ', h('a', { href, 'data-nav': true, text })];
  if (result.corrected_query) {
    const corrected = `Mostrando resultados para «${result.corrected_query}».`;
    showNotice($('aviso'), `No hay resultados para «${state.q}». ${corrected}`);
  } else if (result.suggested_query && result.total > 0) {
    const better = urlFor({ ...state, q: result.suggested_query, page: 1 });
    const question = h('a', { href: better, 'data-nav': true, text: `«${result.suggested_query}»` });
    showNotice($('aviso'), '¿Quiso decir', 'info', ' ', question, '?');
  } else if (result.total === 0) {
    const message = state.q
      ? `No se encontró ningún pasaje para «${state.q}». Revise la ortografía, use menos palabras o quite filtros.`
      : 'Ningún pasaje cumple estos filtros.';
    const unfiltered = urlFor({ ...readState(''), q: state.q });
    const clear = facetCount(state) > 0 && state.q && link(unfiltered, 'Buscar sin filtros');
    showNotice($('aviso'), message, 'info', clear);
  } else if (result.hits.length === 0) {
    const first = link(urlFor({ ...state, page: 1 }), 'Ir a la primera página');
    showNotice($('aviso'), 'Esta página no tiene resultados.', 'info', first);
  } else {
    showNotice($('aviso'), null);
  }
}

/** Facet groups of checkboxes; keeps keyboard focus on the checkbox that was just toggled. */
function renderFacets(state, facets) {
  const focused = document.activeElement && document.activeElement.dataset.faceta;
  const box = $('facetas');
  box.replaceChildren(...FACETS.map((facet) => facetGroup(facet, state[facet.key], facets[facet.key] || [])));
  const again = focused && [...box.querySelectorAll('input')].find((input) => input.dataset.faceta === focused);
  if (again) again.focus();
}

/** The values of one facet with their counts; chosen values stay listed even with no hits. */
function facetGroup(facet, selected, values) {
  const chosen = new Set(selected.map(fold));
  const shown = values.map((v) => ({ ...v, checked: chosen.has(fold(v.value)) }));
  for (const value of selected) {
    if (!shown.some((v) => fold(v.value) === fold(value))) {
      shown.push({ value, label: POLICY_LABELS[value] || value, count: 0, checked: true });
    }
  }
  if (facet.key === 'year') shown.sort((a, b) => b.value.localeCompare(a.value));
  return h('fieldset', { class: 'faceta' }, h('legend', { text: facet.legend }), shown.length
    ? h('ul', {}, shown.map((v) => facetOption(facet.key, v)))
    : h('p', { class: 'ayuda', text: 'Sin valores en esta búsqueda.' }));
}

function facetOption(key, v) {
  const id = `f-${key}-${fold(v.value).replace(/[^a-z0-9]+/g, '-')}`;
  return h('li', {},
    h('input', { type: 'checkbox', id, name: key, value: v.value, checked: v.checked, 'data-faceta': `${key}:${v.value}` }),
    h('label', { for: id },
      h('span', { class: 'faceta-valor', text: v.label }),
      h('span', { class: 'faceta-cuenta' }, formatNumber(v.count, 0), h('span', { class: 'sr', text: ' pasajes' }))));
}

function onFacetChange(event) {
  const input = event.target;
  if (!input.matches('input[type=checkbox]')) return;
  const state = readState();
  const others = state[input.name].filter((v) => fold(v) !== fold(input.value));
  state[input.name] = input.checked ? [...others, input.value] : others;
  go({ ...state, page: 1 });
}

function renderHits(state, hits) {
  const list = $('lista');
  list.start = (state.page - 1) * PAGE_SIZE + 1;
  list.replaceChildren(...hits.map((hit) => h('li', { class: 'resultado' },
    h('h3', { class: 'resultado-titulo' },
      h('a', { class: 'enlace-informe', href: reportUrl(hit.report_id, state.q, hit.passage_id), text: hit.title })),
    metaLine(hit),
    markedText('p', 'fragmento', hit.snippet, hit.figures),
    policyTags(hit.policies))));
}

/** An element with the server's highlighted `html` (escaped text, <mark> only) and its figures. */
function markedText(tag, className, html, figures) {
  const node = h(tag, { class: className });
  node.innerHTML = html;
  highlightFigures(node, figures);
  return node;
}

/** "Manabí · 2020 · pág. 3 · Dirección Provincial IESS Manabí" (the dots come from CSS). */
function metaLine(item) {
  return h('p', { class: 'meta' },
    item.province && h('span', { class: 'provincia', text: item.province }),
    item.year && h('span', { class: 'anio', text: String(item.year) }),
    hasValue(item.page) && h('span', { class: 'pagina', text: `pág. ${item.page}` }),
    item.unit && h('span', { class: 'unidad', text: item.unit }),
    item.ocr && h('span', {
      class: 'ocr',
      text: `texto reconocido por OCR (confianza ${Math.round((item.ocr_confidence || 0) * 100)} %): verifique la cifra en el documento`,
    }));
}

function policyTags(policies) {
  return policies && policies.length > 0 && h('ul', { class: 'etiquetas', 'aria-label': 'Políticas de igualdad' },
    policies.map((slug) => h('li', { text: POLICY_LABELS[slug] || slug })));
}

function renderPagination(state, total) {
  const nav = $('paginacion');
  const last = Math.ceil(total / PAGE_SIZE);
  nav.hidden = last <= 1;
  const link = (page, text, label) =>
    h('a', { href: urlFor({ ...state, page }), 'data-nav': true, 'data-pagina': true, 'aria-label': label }, text);
  const off = (text) => h('span', { class: 'desactivado', 'aria-disabled': 'true' }, text);
  const items = [state.page > 1 ? link(state.page - 1, '‹ Anterior', 'Página anterior') : off('‹ Anterior')];
  for (const page of pageNumbers(state.page, last)) {
    if (page === null) items.push(h('span', { class: 'hueco', 'aria-hidden': 'true', text: '…' }));
    else if (page === state.page) items.push(h('span', { class: 'actual', 'aria-current': 'page' }, page));
    else items.push(link(page, String(page), `Página ${page}`));
  }
  items.push(state.page < last ? link(state.page + 1, 'Siguiente ›', 'Página siguiente') : off('Siguiente ›'));
  nav.replaceChildren(h('ul', {}, items.map((item) => h('li', {}, item))));
}

/** 1 … 4 5 6 … 12: the first, the last and the neighbours of the current page; null = gap. */
function pageNumbers(current, last) {
  const wanted = [...new Set([1, current - 1, current, current + 1, last])]
    .filter((p) => p >= 1 && p <= last).sort((a, b) => a - b);
  const out = [];
  wanted.forEach((page, i) => {
    if (i > 0 && page - wanted[i - 1] === 2) out.push(page - 1);
    else if (i > 0 && page - wanted[i - 1] > 2) out.push(null);
    out.push(page);
  });
  return out;
}

function renderFigureTable(state, figures) {
  $('cifras').hidden = !hasFigureFilter(state);
  if (!figures) return;
  const status = $('cifras-estado');
  const failed = figures instanceof Error;
  status.classList.toggle('error', failed);
  $('tabla-cifras-marco').hidden = failed || figures.total === 0;
  if (failed) {
    status.textContent = `No se pudieron filtrar las cifras: ${figureErrorMessage(figures)}`;
    return $('cifras-filas').replaceChildren();
  }
  const [shown, all] = [figures.figures.length, plural(figures.total, 'cifra', 'cifras')];
  status.textContent = figures.total === 0 ? 'Ninguna cifra cumple el filtro.'
    : figures.total > shown ? `Se muestran ${shown} de ${all}; el CSV las incluye todas.` : all;
  $('cifras-filas').replaceChildren(...figures.figures.map((figure) => figureRow(state, figure)));
}

/**
 * A bad amount in min or max (the error names the parameter and its value), said in Spanish;
 * any other message as the server wrote it.
 */
function figureErrorMessage(error) {
  if (error.code !== 'bad_request' || !['min', 'max'].includes(error.parameter)) return error.message;
  const field = error.parameter === 'min' ? 'el mínimo' : 'el máximo';
  return `${field} «${error.value}» no es un monto. Escriba, por ejemplo, 1000000, 1'000.000, 1e6 o 1 millón.`;
}

function figureRow(state, figure) {
  const sentence = h('td', { class: 'frase', text: figure.sentence });
  highlightFigures(sentence, [figure]);
  return h('tr', {},
    h('td', { class: 'cifra-escrita', text: writtenInUnits(figure) }),
    h('td', { class: 'num', text: formatValue(figure) }),
    h('td', { text: KIND_NAMES[figure.kind] || figure.kind }),
    h('td', { text: figure.label || '—' }),
    sentence,
    h('td', { class: 'fuente' },
      h('a', { href: reportUrl(figure.report_id, state.q, figure.passage_id), text: figure.title }),
      metaLine({ ...figure, unit: null })));
}

/* ---------------------------------------------------- figure highlighting */

/**
 * Wraps each figure found in `root`'s text in <span class="cifra" title="…">. The text may be
 * split by <mark> elements, so matches are found in the concatenated text of the text nodes and
 * each text-node piece of a match is wrapped on its own. A figure whose byte offsets (`start`,
 * `end`) point at its text is placed by them; otherwise (snippets are cut) every occurrence of
 * its `text` that stands alone is wrapped.
 */
function highlightFigures(root, figures) {
  if (!figures || figures.length === 0) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push({ node, start: text.length });
    text += node.data;
  }
  const pieces = [];
  for (const range of figureRanges(text, figures)) {
    for (const { node, start } of nodes) {
      const from = Math.max(range.start, start);
      const to = Math.min(range.end, start + node.length);
      if (from < to) pieces.push({ node, from: from - start, to: to - start, figure: range.figure });
    }
  }
  // From the end backwards: splitting a node keeps the offsets of its earlier pieces valid.
  pieces.sort((a, b) => b.from - a.from).forEach(wrapPiece);
}

/** Non-overlapping [start, end) ranges (UTF-16 indices) of the figures in `text`, longest first. */
function figureRanges(text, figures) {
  const taken = [];
  const free = (s, e) => taken.every((r) => e <= r.start || s >= r.end);
  for (const figure of [...figures].sort((a, b) => b.text.length - a.text.length)) {
    const placed = byteRange(text, figure);
    for (const [start, end] of placed ? [placed] : occurrences(text, figure.text)) {
      if (free(start, end)) taken.push({ start, end, figure });
    }
  }
  return taken;
}

/** The figure's place from its UTF-8 byte offsets, if they point at its text in `text`. */
function byteRange(text, figure) {
  if (!Number.isInteger(figure.start) || !Number.isInteger(figure.end)) return null;
  const bytes = new TextEncoder().encode(text);
  const start = new TextDecoder().decode(bytes.subarray(0, figure.start)).length;
  const end = start + figure.text.length;
  return text.slice(start, end) === figure.text ? [start, end] : null;
}

/** Occurrences of `needle` not glued to other digits or letters ("11" is not in "2011"). */
function occurrences(text, needle) {
  const out = [];
  const glued = (c) => /[\p{L}\p{N}]/u.test(c || '');
  const numberGoesOn = (c, next) => /[.,']/.test(c || '') && /\d/.test(next || '');
  for (let i = needle ? text.indexOf(needle) : -1; i !== -1; i = text.indexOf(needle, i + 1)) {
    const end = i + needle.length;
    if (glued(text[i - 1]) || numberGoesOn(text[i - 1], text[i - 2])) continue;
    if (glued(text[end]) || numberGoesOn(text[end], text[end + 1])) continue;
    out.push([i, end]);
  }
  return out;
}

function wrapPiece({ node, from, to, figure }) {
  if (to < node.length) node.splitText(to);
  const middle = from > 0 ? node.splitText(from) : node;
  const span = h('span', { class: 'cifra', title: figureTitle(figure) });
  middle.replaceWith(span);
  span.append(middle);
}

/* ------------------------------------------------------------ suggestions */

const suggest = { timer: 0, seq: 0, items: [], active: -1 };

function onQueryInput() {
  clearTimeout(suggest.timer);
  const value = $('q').value;
  if (value.trim().length < 2 || /\s$/.test(value)) return closeSuggestions();
  suggest.timer = setTimeout(() => fetchSuggestions(value), SUGGEST_DELAY_MS);
}

async function fetchSuggestions(value) {
  const seq = ++suggest.seq;
  const data = await getJson(`/api/suggest?${new URLSearchParams({ q: value })}`).catch(() => null);
  const input = $('q');
  if (!data || seq !== suggest.seq || input.value !== value || document.activeElement !== input) return;
  showSuggestions(data.suggestions.filter((s) => s.text !== value.trim()).slice(0, 8));
}

function showSuggestions(items) {
  // A newer answer keeps the option the user moved to, when it still holds it.
  const kept = suggest.active >= 0 ? suggest.items[suggest.active].text : null;
  suggest.items = items;
  suggest.active = -1;
  const list = $('sugerencias');
  list.replaceChildren(...items.map((s, i) => h('li',
    { id: `sugerencia-${i}`, role: 'option', 'aria-selected': 'false', 'data-indice': i },
    h('span', { class: 'sugerencia-texto', text: s.text }),
    h('span', { class: 'sugerencia-cuenta', text: plural(s.count, 'pasaje', 'pasajes') }))));
  list.hidden = items.length === 0;
  $('q').setAttribute('aria-expanded', String(items.length > 0));
  $('q').removeAttribute('aria-activedescendant');
  const again = items.findIndex((s) => s.text === kept);
  if (again >= 0) moveActive(again + 1);
}

function closeSuggestions() {
  clearTimeout(suggest.timer);
  suggest.seq += 1;
  showSuggestions([]);
}

/** Moves the active option round the list; -1 is the box itself, between the last and the first. */
function moveActive(delta) {
  const next = ((suggest.active + 1 + delta + suggest.items.length + 1) % (suggest.items.length + 1)) - 1;
  suggest.active = next;
  const options = [...$('sugerencias').children];
  options.forEach((option, i) => option.setAttribute('aria-selected', String(i === next)));
  if (next < 0) return $('q').removeAttribute('aria-activedescendant');
  $('q').setAttribute('aria-activedescendant', options[next].id);
  options[next].scrollIntoView({ block: 'nearest' });
}

function chooseSuggestion(index) {
  $('q').value = suggest.items[index].text;
  submitSearch();
}

function onQueryKey(event) {
  const open = suggest.items.length > 0;
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (open) moveActive(event.key === 'ArrowDown' ? 1 : -1);
    else if ($('q').value.trim().length >= 2) fetchSuggestions($('q').value);
  } else if (event.key === 'Enter' && open && suggest.active >= 0) {
    event.preventDefault();
    chooseSuggestion(suggest.active);
  } else if (event.key === 'Escape' && open) {
    event.preventDefault();
    closeSuggestions();
  }
}

function submitSearch() {
  closeSuggestions();
  go({ ...readState(), q: $('q').value.trim(), page: 1 });
}

function applyFigureFilter() {
  const state = readState();
  for (const key of FIGURE_FILTERS) state[key] = $(key).value.trim();
  go({ ...state, page: 1 });
}

/* ------------------------------------------------------------ report view */

async function loadReport(id) {
  $('vista-busqueda').hidden = true;
  $('vista-informe').hidden = false;
  const q = new URLSearchParams(location.search).get('q') || '';
  $('volver').href = backToSearch(q);
  $('informe-estado').textContent = 'Cargando el informe…';
  try {
    const query = q ? `?${new URLSearchParams({ q })}` : '';
    renderReport(await getJson(`/api/reports/${encodeURIComponent(id)}${query}`), q);
    markTarget();
  } catch (error) {
    renderReportError(id, error);
  }
}

/** The search the reader came from, when it was for the same query; else a search for `q`. */
function backToSearch(q) {
  const last = sessionStorage.getItem(LAST_SEARCH_KEY);
  if (last && readState(last.replace(/^[^?]*/, '')).q === q) return last;
  return urlFor({ ...readState(''), q });
}

function renderReportError(id, error) {
  const missing = error.status === 404;
  $('informe-estado').textContent = '';
  $('informe-titulo').textContent = missing ? 'Informe no encontrado' : 'No se pudo cargar el informe';
  document.title = `${$('informe-titulo').textContent} · Cuentas IESS`;
  showNotice($('informe-aviso'), missing
    ? `No existe ningún informe con el identificador «${id}». Puede que el índice se haya reconstruido `
      + 'desde que se copió el enlace: vuelva a buscarlo.'
    : `No se pudo cargar el informe: ${error.message}`, 'error');
}

function renderReport(data, q) {
  const { report, passages } = data;
  $('informe-titulo').textContent = report.title;
  document.title = `${report.title} · Cuentas IESS`;
  const facts = [['Unidad', report.unit], ['Provincia', report.province], ['Año', report.year],
    ['Archivo', report.source], ['Pasajes', report.passages], ['Cifras', report.figures]];
  $('informe-datos').replaceChildren(...facts.filter(([, value]) => hasValue(value))
    .flatMap(([name, value]) => [h('dt', { text: name }), h('dd', { text: String(value) })]));
  const matched = passages.filter((p) => p.matched);
  const all = plural(passages.length, 'pasaje', 'pasajes');
  $('informe-estado').textContent = !q ? all
    : matched.length ? `«${q}» aparece en ${matched.length} de ${all}.` : `«${q}» no aparece en este informe.`;
  const unread = data.text_error && `No se pudo leer el texto completo del informe: ${data.text_error}`;
  showNotice($('informe-aviso'), unread, 'error');
  const jumps = $('informe-saltos');
  jumps.hidden = matched.length === 0;
  jumps.replaceChildren(h('span', { class: 'saltos-titulo', text: 'Ir a la coincidencia:' }),
    h('ol', {}, matched.map((p) => h('li', {},
      h('a', { href: `#${encodeURIComponent(p.passage_id)}`, 'aria-label': `Pasaje ${p.ordinal + 1}` },
        `§${p.ordinal + 1}`)))));
  $('informe-pasajes').replaceChildren(...passages.map(passageBlock));
}

function passageBlock(passage) {
  const meta = h('p', { class: 'pasaje-meta' },
    h('span', { text: `Pasaje ${passage.ordinal + 1}` }),
    hasValue(passage.page) && h('span', { text: `pág. ${passage.page}` }),
    (passage.policies || []).map((slug) => h('span', { class: 'etiqueta', text: POLICY_LABELS[slug] || slug })));
  const attrs = { id: passage.passage_id, class: passage.matched ? 'pasaje coincide' : 'pasaje', tabindex: '-1' };
  return h('section', { ...attrs, 'aria-label': `Pasaje ${passage.ordinal + 1}` },
    meta, markedText('p', 'pasaje-texto', passage.html, passage.figures));
}

/** Scrolls to, focuses and marks the passage named in the URL fragment. */
function markTarget() {
  document.querySelectorAll('.pasaje.destino').forEach((node) => node.classList.remove('destino'));
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target || !target.classList.contains('pasaje')) return;
  target.classList.add('destino');
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
}

/* ------------------------------------------------------------------ wiring */

/** Links to other searches (examples, pages, "sin filtros") load in place, with history. */
function onLinkClick(event) {
  const link = event.target.closest('a[data-nav]');
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  loadSearch({ focusResults: link.hasAttribute('data-pagina') });
}

function toggleFilters() {
  const open = $('abrir-filtros').getAttribute('aria-expanded') !== 'true';
  $('abrir-filtros').setAttribute('aria-expanded', String(open));
  $('filtros').classList.toggle('abierto', open);
}

function initSearch() {
  const input = $('q');
  input.addEventListener('input', onQueryInput);
  input.addEventListener('keydown', onQueryKey);
  input.addEventListener('blur', () => setTimeout(closeSuggestions, 0));
  const list = $('sugerencias');
  list.addEventListener('mousedown', (event) => event.preventDefault()); // keeps focus in the box
  list.addEventListener('click', (event) => {
    const option = event.target.closest('[role=option]');
    if (option) chooseSuggestion(Number(option.dataset.indice));
  });
  const onSubmit = (form, action) => $(form).addEventListener('submit', (event) => {
    event.preventDefault();
    action();
  });
  onSubmit('form-busqueda', submitSearch);
  onSubmit('form-cifras', applyFigureFilter);
  $('kind').addEventListener('change', applyFigureFilter);
  $('sort').addEventListener('change', applyFigureFilter);
  $('quitar-cifras').addEventListener('click', () => go({ ...readState(), min: '', max: '', kind: '', sort: '', page: 1 }));
  $('facetas').addEventListener('change', onFacetChange);
  $('abrir-filtros').addEventListener('click', toggleFilters);
  document.addEventListener('click', onLinkClick);
  window.addEventListener('popstate', () => loadSearch());
  loadSearch();
}

function start() {
  const report = /^\/informe\/([^/]+)\/?$/.exec(location.pathname);
  if (!report) return initSearch();
  window.addEventListener('hashchange', markTarget);
  return loadReport(decodeURIComponent(report[1]));
}

start();

// Browser test of the search page: drives Debian's Chromium through playwright-core against a
// running `cuentas` server over the sample reports.
//
//   node tests/e2e/page.test.mjs http://127.0.0.1:8080 tests/output/e2e
//
// Walks what a reader does (suggestions, a search, a facet, a figure search, the figure filter
// and its CSV download, a report, back, pagination, a slip's "¿Quiso decir …?", a missing
// report, a phone screen), fails on any console error, uncaught exception or failed request,
// and saves search.png, report.png and mobile.png into the output folder. Exits 0 when
// everything passed, 1 with the failing step.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CUENTAS_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const STEP_TIMEOUT_MS = 15_000;
const WHOLE_RUN_MS = 180_000;

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node page.test.mjs BASE_URL OUTPUT_DIR');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
setTimeout(() => {
  console.error(`FAIL: the browser test did not finish within ${WHOLE_RUN_MS / 1000} s`);
  process.exit(1);
}, WHOLE_RUN_MS).unref();

/** Console errors, uncaught exceptions and failed requests seen on any page. */
const problems = [];

/** Records what goes wrong on `page`; `expected` are regexes of URLs/messages that may fail. */
function watch(page, expected = []) {
  const allowed = (text) => expected.some((re) => re.test(text));
  page.on('console', (msg) => {
    const where = msg.location() && msg.location().url ? ` (${msg.location().url})` : '';
    if (msg.type() === 'error' && !allowed(msg.text() + where)) {
      problems.push(`console error on ${page.url()}: ${msg.text()}${where}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught exception on ${page.url()}: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !allowed(response.url())) {
      problems.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
    }
  });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

let currentStep = '';
async function step(name, body) {
  currentStep = name;
  await body();
  check(problems.length === 0, `browser problems:\n  ${problems.join('\n  ')}`);
  console.log(`ok - ${name}`);
}

/** Waits until the page has rendered the search for the URL it is on. */
async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.estado === 'listo'
    && document.getElementById('resultados').dataset.consulta === location.search);
}

/** `promise`, or a failure saying `what` if it takes longer than a step may. */
function within(promise, what) {
  const late = new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`${what} within ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS).unref();
  });
  return Promise.race([promise, late]);
}

async function texts(locator) {
  return (await locator.allTextContents()).map((t) => t.trim());
}

async function submitQuery(page, query) {
  await page.fill('#q', query);
  await page.press('#q', 'Enter');
  await page.waitForURL((url) => url.searchParams.get('q') === query);
  await settled(page);
}

async function desktop(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-EC' });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  watch(page);

  await step('the home page opens with a labelled search box and a skip link', async () => {
    await page.goto(`${base}/`);
    await settled(page);
    check(await page.getByRole('combobox', { name: 'Buscar en los informes' }).isVisible(), 'no visible combobox labelled "Buscar en los informes"');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.textContent.trim());
    check(focused === 'Saltar al contenido', `the first Tab stop is ${JSON.stringify(focused)}, not the skip link`);
  });

  await step('typing "envej" suggests "envejecimiento" in an ARIA listbox, and a newer answer keeps the option moved to', async () => {
    await page.click('#q');
    await page.keyboard.type('envej', { delay: 30 });
    const option = page.locator('#sugerencias [role=option]').filter({ hasText: 'envejecimiento' }).first();
    await option.waitFor();
    check(await page.getAttribute('#q', 'aria-expanded') === 'true', 'aria-expanded is not true while suggestions show');
    await page.keyboard.press('ArrowDown');
    const active = await page.getAttribute('#q', 'aria-activedescendant');
    check(active && await page.getAttribute(`#${active}`, 'aria-selected') === 'true', 'ArrowDown selects no option');
    // A newer answer for the box (typing on, a slow answer to an earlier prefix) renders the
    // list again; the option moved to stays chosen while the list still holds it.
    const chosen = await page.textContent(`#${active}`);
    const shown = await page.$(`#${active}`);
    await page.dispatchEvent('#q', 'input');
    await page.waitForFunction((option) => !option.isConnected, shown);
    const again = await page.getAttribute('#q', 'aria-activedescendant');
    check(again && await page.getAttribute(`#${again}`, 'aria-selected') === 'true'
      && await page.textContent(`#${again}`) === chosen, 'a newer answer drops the option moved to');
    await page.keyboard.press('Escape');
    await page.locator('#sugerencias').waitFor({ state: 'hidden' });
    check(await page.getAttribute('#q', 'aria-expanded') === 'false', 'Escape leaves aria-expanded true');
  });

  await step('searching "rendicion" shows hits with <mark>', async () => {
    await submitQuery(page, 'rendicion');
    const hits = await page.locator('.resultado').count();
    check(hits > 0, 'no hits for "rendicion"');
    check(await page.locator('.resultado .fragmento mark').count() > 0, 'no <mark> in the snippets');
    check(/pasaje/.test(await page.textContent('#estado')), 'the status line gives no count');
  });

  await step('the province facet "Manabí" keeps only Manabí and goes into the URL', async () => {
    const provinces = page.locator('#facetas fieldset').filter({ hasText: 'Provincia' });
    await provinces.getByLabel(/Manabí/).click();
    await page.waitForURL(/province=/);
    await settled(page);
    const shown = await texts(page.locator('.resultado .provincia'));
    check(shown.length > 0, 'no hits after choosing Manabí');
    check(shown.every((p) => p === 'Manabí'), `provinces shown: ${shown.join(', ')}`);
    check(await provinces.getByLabel(/Manabí/).isChecked(), 'the Manabí box is not checked after the search');
    check(await provinces.getByLabel(/Bolívar/).count() === 1, 'other provinces vanished from the facet');
  });

  await step('searching "mora patronal" highlights a figure with a title', async () => {
    await submitQuery(page, 'mora patronal');
    const figure = page.locator('.resultado .cifra[title]').first();
    await figure.waitFor();
    const title = await figure.getAttribute('title');
    check(/\d/.test(title) && /USD|%|cantidad/.test(title), `figure title ${JSON.stringify(title)}`);
  });

  await step('the figure filter kind=usd shows the figure table and the CSV link', async () => {
    await page.selectOption('#kind', 'usd');
    await page.waitForURL(/kind=usd/);
    await settled(page);
    await page.locator('#cifras').waitFor();
    const rows = await texts(page.locator('#cifras-filas tr'));
    check(rows.length > 0, 'the figure table is empty');
    check(rows.every((r) => r.includes('USD')), `a row that is not in USD: ${rows.find((r) => !r.includes('USD'))}`);
    const href = await page.getAttribute('#csv', 'href');
    check(await page.isVisible('#csv'), 'the CSV link is hidden');
    check(href.includes('format=csv') && href.includes('kind=usd') && href.includes('q=mora'), `CSV href ${href}`);
    await page.screenshot({ path: path.join(outDir, 'search.png'), fullPage: true });
  });

  await step('"Descargar CSV" downloads the figures of the search', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    const failure = await within(download.failure(), 'the CSV download did not finish');
    check(failure === null, `the CSV download failed: ${failure}`);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    check(csv.startsWith('\uFEFFfigure,value,kind'), `not the figures CSV: ${JSON.stringify(csv.slice(0, 80))}`);
    check(csv.includes('USD') || csv.includes(',usd,'), 'the CSV has no figure in USD');
  });

  await step('a hit opens the report view with the passage highlighted and marked', async () => {
    const link = page.locator('.resultado a.enlace-informe').first();
    const href = await link.getAttribute('href');
    await link.click();
    await page.waitForURL(/\/informe\//);
    await page.locator('.pasaje').first().waitFor();
    check(await page.locator('.pasaje mark').count() > 0, 'no highlighted passage');
    const target = page.locator('.pasaje.destino');
    check(await target.count() === 1, 'no passage marked as the target');
    const id = await target.getAttribute('id');
    check(href.endsWith(`#${encodeURIComponent(id)}`), `marked ${id}, the link was ${href}`);
    check(await target.locator('mark').count() > 0, 'the target passage has no <mark>');
    const box = await target.boundingBox();
    check(box && box.y >= 0 && box.y < 900, 'the target passage is not scrolled into view');
    check((await page.textContent('#informe-datos')).includes('Manabí'), 'the metadata lack the province');
    await page.screenshot({ path: path.join(outDir, 'report.png') });
  });

  await step('back returns to the same search, and back again to the one before', async () => {
    await page.goBack();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('kind') === 'usd');
    await settled(page);
    check(await page.inputValue('#q') === 'mora patronal', 'the box lost the query');
    check(await page.locator('.resultado').count() > 0, 'no hits after going back');
    check(await page.isVisible('#cifras'), 'the figure table is gone after going back');
    await page.goBack();
    await page.waitForURL((url) => !url.searchParams.has('kind'));
    await settled(page);
    check(await page.isHidden('#cifras'), 'the figure table still shows without a figure filter');
    check(await page.inputValue('#kind') === '', 'the kind select kept "usd"');
  });

  await step('the figure table lists the largest amounts first when asked', async () => {
    await page.goto(`${base}/?kind=usd`);
    await settled(page);
    await page.selectOption('#sort', 'largest');
    await page.waitForURL(/sort=largest/);
    await settled(page);
    await page.locator('#cifras').waitFor();
    // Values as the table writes them: 1.193.703.286,00 USD.
    const values = (await texts(page.locator('#cifras-filas td.num')))
      .map((t) => Number(t.replace(/[^\d,-]/g, '').replace(',', '.')));
    check(values.length > 1 && values.every((v) => Number.isFinite(v)), `values ${values}`);
    check(values.every((v, i) => i === 0 || values[i - 1] >= v), `not largest first: ${values}`);
    check((await page.getAttribute('#csv', 'href')).includes('sort=largest'), 'the CSV is not in the same order');
  });

  await step('pagination moves through the pages and back/forward replay them', async () => {
    await page.goto(`${base}/?q=salud`);
    await settled(page);
    check(await page.locator('.resultado').count() === 10, 'page 1 does not show 10 hits');
    const first = await page.locator('.resultado').first().textContent();
    await page.locator('#paginacion a', { hasText: 'Siguiente' }).click();
    await page.waitForURL(/page=2/);
    await settled(page);
    check(await page.getAttribute('#lista', 'start') === '11', 'page 2 does not number from 11');
    check(await page.locator('#paginacion [aria-current=page]').textContent() === '2', 'page 2 is not the current page');
    await page.goBack();
    await page.waitForURL((url) => !url.searchParams.has('page'));
    await settled(page);
    check(await page.locator('.resultado').first().textContent() === first, 'back did not restore page 1');
  });

  await step('a slip the reports also make asks "¿Quiso decir …?", whose link searches the spelling offered', async () => {
    // The sample reports hold no such slip: the one answer for `discapasidad` is the server's
    // own answer for `discapacidad`, given the query typed and the spelling to offer.
    const slip = (url) => new URL(url).pathname === '/api/search' && new URL(url).searchParams.get('q') === 'discapasidad';
    await page.route(slip, async (route) => {
      const response = await route.fetch({ url: route.request().url().replace('discapasidad', 'discapacidad') });
      const json = { ...(await response.json()), query: 'discapasidad', suggested_query: 'discapacidad' };
      await route.fulfill({ response, json });
    });
    await submitQuery(page, 'discapasidad');
    const notice = page.locator('#aviso');
    const said = (await notice.textContent()).replace(/\s+/g, ' ').trim();
    check(await notice.isVisible() && said === '¿Quiso decir «discapacidad»?', `the notice says ${JSON.stringify(said)}`);
    check(await page.locator('.resultado').count() > 0, 'the hits of the query typed are not shown');
    await notice.getByRole('link', { name: '«discapacidad»' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === 'discapacidad');
    await settled(page);
    check(await notice.isHidden(), 'the notice stays after searching the spelling offered');
    check(await page.inputValue('#q') === 'discapacidad', 'the box does not hold the spelling offered');
    await page.unroute(slip);
  });

  await step('a query run corrected downloads the figures of the passages shown', async () => {
    // Unmocked now: the sample reports write only `discapacidad`.
    await submitQuery(page, 'discapasidad');
    const said = (await page.locator('#aviso').textContent()).replace(/\s+/g, ' ').trim();
    check(said.includes('Mostrando resultados para «discapacidad»'), `the notice says ${JSON.stringify(said)}`);
    const href = await page.getAttribute('#csv', 'href');
    const q = new URL(href, page.url()).searchParams.get('q');
    check(q === 'discapacidad', `the CSV is of ${JSON.stringify(q)}, not of the passages shown`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
    const rows = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    check(rows.length > 1, 'the CSV of the passages shown holds no figure');
  });
  await context.close();
}

async function missingReport(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  watch(page, [/\/api\/reports\/no-existe/, /status of 404/]);
  await step('an unknown report says so in Spanish', async () => {
    await page.goto(`${base}/informe/no-existe`);
    const notice = page.locator('#informe-aviso');
    await notice.waitFor();
    check((await notice.textContent()).includes('No existe ningún informe'), `notice: ${await notice.textContent()}`);
  });
  await page.close();
}

async function badAmount(browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  watch(page, [/\/api\/figures\?/, /status of 400/]);
  await step('a minimum that is not an amount is named in Spanish', async () => {
    await page.goto(`${base}/?q=salud&min=abc`);
    const status = page.locator('#cifras-estado.error');
    await status.waitFor();
    const text = await status.textContent();
    check(text.includes('el mínimo «abc» no es un monto'), `figure status: ${text}`);
  });
  await page.close();
}

async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  watch(page);
  await step('at 390×844 the box is visible, nothing overflows and the filters fold', async () => {
    await page.goto(`${base}/?q=rendicion`);
    await settled(page);
    const box = await page.locator('#q').boundingBox();
    check(await page.isVisible('#q') && box.x >= 0 && box.x + box.width <= 390, 'the search box is not on screen');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 390, `the page is ${wide}px wide`);
    check(await page.isHidden('#filtros'), 'the filters are not folded');
    await page.screenshot({ path: path.join(outDir, 'mobile.png') });
    await page.click('#abrir-filtros');
    check(await page.isVisible('#facetas'), 'the filters do not unfold');
  });
  await context.close();
}

async function main() {
  check(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    await desktop(browser);
    await missingReport(browser);
    await badAmount(browser);
    await phone(browser);
  } finally {
    await browser.close();
  }
}

try {
  await main();
  console.log(`all page checks passed; screenshots in ${outDir}`);
} catch (error) {
  console.error(`FAIL: ${currentStep || 'starting the browser'}: ${error.message}`);
  process.exit(1);
}

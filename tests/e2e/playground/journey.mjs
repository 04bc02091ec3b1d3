// A practitioner's journey through the bot in the Microsoft 365 Agents Playground, in headless
// Chromium from Debian, typing and clicking as a user would.
//
// Usage: node journey.mjs   (environment: PLAYGROUND_URL, ARTIFACTS_DIR, CHROMIUM)
// Writes a screenshot after each step and journey.log to ARTIFACTS_DIR. Exits 1, naming the step
// and the reason, when a step does not happen, when the playground logs a request to the bot
// answered 5xx or a warning or error, or when it shows the "Unable to reach app" banner.
import { chromium } from 'playwright-core';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PLAYGROUND_URL = process.env.PLAYGROUND_URL ?? 'http://127.0.0.1:56150';
const ARTIFACTS_DIR = process.env.ARTIFACTS_DIR ?? 'artifacts/playground';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const STEP_TIMEOUT = Number(process.env.STEP_TIMEOUT_MS ?? 20000);
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

mkdirSync(ARTIFACTS_DIR, { recursive: true });
const LOG = join(ARTIFACTS_DIR, 'journey.log');
writeFileSync(LOG, '');
const log = (line) => {
  const stamped = `${new Date().toISOString()} ${line}`;
  appendFileSync(LOG, stamped + '\n');
  console.log(stamped);
};

class JourneyFailure extends Error {}
const fail = (reason) => { throw new JourneyFailure(reason); };

// Dates as the bot reads them (YYYY-MM-DD). The concern arose yesterday, so it is never in the
// future whatever the time zone; the Re-think meeting is today.
const isoDay = (date) => date.toISOString().slice(0, 10);
const today = new Date();
const yesterday = new Date(today.getTime() - 24 * 3600 * 1000);

const cards = (page) => page.locator('.ac-adaptiveCard');
const cardWith = (page, text) => cards(page).filter({ hasText: text }).last();

async function waitForCard(page, text, what) {
  const card = cardWith(page, text);
  await card.waitFor({ timeout: STEP_TIMEOUT }).catch(() => fail(`${what}: no card saying "${text}" appeared`));
  return card;
}

// The compose box is a rich-text editor (contenteditable), typed into as a person would.
// Waits for a card that says every one of `texts` (the renderer fills cards in gradually).
async function waitForCardSaying(page, texts, what) {
  let locator = cards(page);
  for (const text of texts) locator = locator.filter({ hasText: text });
  await locator.last().waitFor({ timeout: STEP_TIMEOUT })
    .catch(() => fail(`${what}: no card saying ${texts.map((t) => `"${t}"`).join(', ')} appeared`));
  return locator.last();
}

async function say(page, text) {
  const box = page.locator('[data-lexical-editor="true"]').last();
  await box.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

// Problems the playground itself reports: its Log Panel lists every request to the bot with the
// HTTP status the bot answered, and any warning or error (a card it could not render included).
async function playgroundProblems(page) {
  const problems = [];
  if (await page.getByText('Unable to reach app', { exact: false }).count()) {
    problems.push('the playground shows "Unable to reach app"');
  }
  const panel = await page.locator('body').innerText();
  for (const line of panel.split('\n')) {
    const status = line.match(/\b(message|invoke|conversationUpdate|installationUpdate|messageUpdate|event)\s+(\d{3})\b/);
    if (status && Number(status[2]) >= 500) problems.push(`the bot answered ${status[1]} with HTTP ${status[2]}`);
    if (/\b(warning|error|failed to render)\b/i.test(line) && /^\[\d/.test(line.trim())) {
      problems.push(`the playground logged: ${line.trim().slice(0, 200)}`);
    }
  }
  return problems;
}

// How many card clicks (invokes) the playground has logged as answered by the bot. A message the
// bot posts during a click's turn is logged before the click's own answer, so once this count
// goes up, everything that click made the bot send has arrived: no fixed sleeps needed.
const answeredClicks = (page) => page.evaluate(
  () => (document.body.innerText.match(/\binvoke\s+\d{3}\b/g) ?? []).length);

async function clickAndWaitForAnswer(page, button, what) {
  const before = await answeredClicks(page);
  await button.click();
  await page.waitForFunction(
    (count) => (document.body.innerText.match(/\binvoke\s+\d{3}\b/g) ?? []).length > count,
    before, { timeout: STEP_TIMEOUT },
  ).catch(() => fail(`${what}: the click was never answered`));
}

// "new concern", answered as a practitioner would, up to the card after the case details.
async function startConcern(page, { area, route, details }) {
  await say(page, 'new concern');
  let card = await waitForCard(page, 'immediate risk of significant harm?', 'safety question');
  await card.getByRole('radio', { name: /^No/ }).check();
  await card.getByRole('button', { name: 'Continue' }).click();
  card = await waitForCard(page, 'Which procedure', 'route');
  await card.getByRole('combobox').click();
  await page.getByRole('option', { name: area }).click();
  await card.getByRole('radio', { name: route }).check();
  await card.getByRole('button', { name: 'Continue' }).click();
  card = await waitForCard(page, "Your agency's case reference", 'case details');
  await card.getByLabel(/^Your agency's case reference/).fill(details.caseReference);
  await card.getByLabel(/^Your agency(?!')/).fill(details.agency);
  await card.getByLabel(/^Your role/).fill(details.role);
  await card.getByLabel(/^Their agency/).fill(details.otherAgency);
  await card.getByLabel(/^Their name \*?$/).fill(details.lineManager);
  await card.getByLabel(/^When did the disagreement/).fill(isoDay(yesterday));
  await card.getByRole('button', { name: 'Continue' }).click();
}

const STEPS = [
  ['welcome card after install', async (page) => {
    await waitForCard(page, 'Resolving professional differences together', 'welcome');
  }],

  ['new concern: safety, HIPS route, case details', async (page) => {
    await startConcern(page, { area: 'Hampshire', route: /^HIPS/, details: {
      caseReference: 'HCC-204518', agency: "St Mary's Primary School",
      role: 'Designated safeguarding lead', otherAgency: "Hampshire children's social care",
      lineManager: 'Jo Bloggs' } });
    await waitForCard(page, 'Questions 1, 2, 6 and 7', 'the template');
  }],

  ['the seven questions submitted; the form becomes its summary', async (page) => {
    const card = cardWith(page, 'Questions 1, 2, 6 and 7');
    const answers = {
      1: 'The referral was closed with no further action although attendance keeps falling.',
      2: 'Needs may go unmet over the winter; the school nurse is involved, which helps.',
      3: 'Attendance below 80% and missed health appointments.',
      4: 'Yes, the attendance record was shared with the duty team.',
      5: 'The early help criteria; my safeguarding lead can help.',
      6: 'A multi-agency early help assessment.',
      7: 'Talk to my line manager, then call the duty social worker.',
    };
    for (const [number, text] of Object.entries(answers)) {
      await card.getByLabel(new RegExp(`^${number}\\. `)).fill(text);
    }
    await card.getByRole('button', { name: 'Submit' }).click();
    const summary = cardWith(page, 'What are your next steps?');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.ac-adaptiveCard')].some(
        (c) => c.innerText.includes('What are your next steps?') && !c.querySelector('textarea')),
      null, { timeout: STEP_TIMEOUT },
    ).catch(() => fail('the submitted template was not replaced by a read-only summary'));
    if (await summary.locator('textarea, input').count()) fail('the template summary still has inputs');
  }],

  ['the confirmation card: reference, stage 1, who talks, deadline', async (page) => {
    await waitForCardSaying(page,
      ['ESC-', 'HIPS stage 1', 'Stage 1. Discussion with line manager/safeguarding lead', 'Due by the end of'],
      'the confirmation card');
  }],

  ['Escalate: the same card updates in place to stage 2', async (page) => {
    const before = await cards(page).count();
    const card = cardWith(page, 'HIPS stage 1');
    await clickAndWaitForAnswer(page, card.getByRole('button', { name: 'Escalate to stage 2' }), 'Escalate');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.ac-adaptiveCard')].some((c) => c.innerText.includes('HIPS stage 2')),
      null, { timeout: STEP_TIMEOUT },
    ).catch(() => fail('the card never showed stage 2'));
    const after = await cards(page).count();
    if (after !== before) fail(`a click appended a new card (${before} cards before, ${after} after) instead of updating in place`);
    await waitForCardSaying(page, ['HIPS stage 2', 'Stage 2. Inter-agency discussion', 'Due by the end of'],
      'the updated card saying who talks at stage 2 and when it is due');
  }],

  ['my concerns lists the thread with its stage and deadline', async (page) => {
    await say(page, 'my concerns');
    await waitForCardSaying(page, ['Your open concerns', 'ESC-', 'HIPS stage 2', 'Due by the end of'],
      'my concerns listing the thread with its stage and deadline');
  }],

  ['an invalid submission comes back with the problem named and saves nothing', async (page) => {
    await startConcern(page, { area: 'Southampton', route: /^HIPS/, details: {
      caseReference: 'SCC-88231', agency: 'Solent NHS Trust health visiting', role: 'Health visitor',
      otherAgency: "Southampton children's social care", lineManager: 'Priya Shah' } });
    let card = await waitForCard(page, 'Questions 1, 2, 6 and 7', 'the template');
    await card.getByLabel(/^2\. /).fill('Health needs may be missed.');
    await card.getByLabel(/^6\. /).fill('A review of the step-down decision.');
    await card.getByLabel(/^7\. /).fill('Discuss with my safeguarding lead.');
    await card.getByRole('button', { name: 'Submit' }).click();
    await waitForCard(page, 'Please answer this question', 'the problem named next to question 1');
    await page.screenshot({ path: join(ARTIFACTS_DIR, '07a-the-problem-named-next-to-question-1.png') });
    await say(page, 'my concerns');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.ac-adaptiveCard')].filter((c) => c.innerText.includes('Your open concerns')).length >= 2,
      null, { timeout: STEP_TIMEOUT },
    ).catch(() => fail('my concerns did not answer'));
    const listing = await cardWith(page, 'Your open concerns').innerText();
    if ((listing.match(/ESC-\d{4}-\d{4}/g) ?? []).length > 2) fail('the invalid submission was saved as a concern');
    await say(page, 'cancel');
    card = await waitForCard(page, 'Discard this concern?', 'cancel confirmation');
    await card.getByRole('button', { name: /discard it/i }).click();
    await waitForCard(page, 'discarded', 'the concern discarded');
  }],

  ['Re-think: strategy 1, its options, then still stuck moves to strategy 2', async (page) => {
    await startConcern(page, { area: 'Portsmouth', route: /^Re-think/, details: {
      caseReference: 'PCC-77120', agency: 'Portsmouth early help', role: 'Family support worker',
      otherAgency: "Portsmouth children's social care", lineManager: 'Sam Lee' } });
    let card = await waitForCard(page, 'Are you the Lead Professional?', 'the Lead Professional question');
    await card.getByRole('radio', { name: /^No/ }).check();
    await card.getByRole('button', { name: 'Continue' }).click();
    card = await waitForCardSaying(page, ['Which option will you try?',
      'A restorative conversation with the Lead Professional', 'LP to call a meeting of professionals',
      'If the LP does not agree'], 'strategy 1 and its options');
    await card.getByRole('radio', { name: /A restorative conversation/ }).check();
    await card.getByLabel(/^Date of the conversation or meeting/).fill(isoDay(today));
    await card.getByRole('button', { name: 'Submit' }).click();
    card = await waitForCardSaying(page, ['ESC-', 'Re-think strategy 1', 'Still stuck'], 'the Re-think concern card');
    const before = await cards(page).count();
    await clickAndWaitForAnswer(page, card.getByRole('button', { name: /Still stuck/ }), 'Still stuck');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.ac-adaptiveCard')].some((c) => c.innerText.includes('Re-think strategy 2')),
      null, { timeout: STEP_TIMEOUT },
    ).catch(() => fail('still stuck did not move the concern to strategy 2'));
    if ((await cards(page).count()) !== before) fail('still stuck appended a new card instead of updating in place');
  }],
];

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
const page = await context.newPage();
let exitCode = 0;
try {
  await page.goto(PLAYGROUND_URL, { waitUntil: 'domcontentloaded' });
  for (const [index, [name, run]] of STEPS.entries()) {
    const number = String(index + 1).padStart(2, '0');
    const file = `${number}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 60)}.png`;
    try {
      await run(page);
      const problems = await playgroundProblems(page);
      if (problems.length) fail(problems.join('; '));
    } catch (error) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, `failed-${file}`) }).catch(() => {});
      let reason = error instanceof JourneyFailure ? error.message : `unexpected: ${String(error.message).split('\n')[0]}`;
      // What the playground saw explains most failures (e.g. the bot answered 500).
      const seen = (await playgroundProblems(page).catch(() => [])).filter((p) => !reason.includes(p));
      if (seen.length) reason += `; ${seen.join('; ')}`;
      log(`JOURNEY FAILED at step ${index + 1} (${name}): ${reason}`);
      exitCode = 1;
      break;
    }
    await page.screenshot({ path: join(ARTIFACTS_DIR, file) });
    log(`step ${index + 1} passed: ${name}`);
  }
  if (exitCode === 0) log('JOURNEY PASSED');
} finally {
  await browser.close();
}
process.exit(exitCode);

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Debian's Chromium in its headless build (`apt-get install chromium-headless-shell fonts-noto-cjk`, as .ci/run
 * does): the same Blink and V8 as the desktop browser without its window's own interface, which took half the
 * machine's CPU of a browser test; CHROMIUM_PATH overrides it (e.g. /usr/bin/chromium).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium-headless-shell';

/** Where a failing browser test leaves its screenshot (gitignored). */
export const TEST_OUTPUT = join(process.cwd(), 'test-output');

export interface TestBrowser {
  browser: Browser;
  /** A new tab in a fresh context (its own sessionStorage): an office screen, 1366×768, Chinese. */
  page(options?: { width?: number; height?: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium for a test file. The flags keep it off the network it cannot reach anyway (this
 * machine's and CI's network is closed: without them it keeps trying hosts it cannot reach). Playwright gives
 * it a fresh profile of its own.
 */
export async function startBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with apt-get install -y --no-install-recommends chromium-headless-shell fonts-noto-cjk`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async page(options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 1366, height: options.height ?? 768 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/**
 * Runs a browser test's steps on a page; when they fail, saves a full-page screenshot named after the test under
 * test-output/ before the failure goes on to Jest.
 */
export async function withScreenshot(page: Page, name: string, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (e) {
    mkdirSync(TEST_OUTPUT, { recursive: true });
    const file = join(TEST_OUTPUT, `${name.replace(/[^\w\u4e00-\u9fff-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    throw e;
  }
}

/**
 * Chooses the option named `name` of an Element Plus select (opening it unless its options show already, e.g.
 * after typing a filter), and waits until the select shows it. On a busy
 * machine a click that lands while the dropdown is still opening (or closing) may not register, and the form
 * would go out without the choice: the choice is tried again, three times at most.
 */
export async function chooseOption(page: Page, select: Locator, name: string): Promise<void> {
  const option = page.getByRole('option', { name, exact: true });
  // A single select shows its choice in its placeholder, a multiple one as a tag.
  const shown = select.locator('.el-select__placeholder:not(.is-transparent), .el-tag', {
    hasText: name.slice(0, 3),
  });
  for (let attempt = 1; ; attempt++) {
    if (!(await option.isVisible())) await select.click();
    // A click that registered late must not be undone by another one (a multiple select toggles); an option
    // chosen already is left as it is, its list closed (an open list shows the select's value faded).
    if ((await option.getAttribute('aria-selected')) !== 'true') await option.click();
    else await page.keyboard.press('Escape');
    try {
      await shown.waitFor({ timeout: 5_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

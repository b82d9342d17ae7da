import { createRequire } from 'node:module';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';
import type { BenchStack } from './local-stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The screens a person spends their time on: the components, one component, the whole list. */
const SCREENS = ['#/credentials', '#/components/petstore', '#/all'] as const;

/**
 * Lighthouse's accessibility, best-practices and performance scores for three console screens, on
 * the local stack in Debian's Chromium. Lighthouse drives the page with its own puppeteer-core,
 * connected to the browser ours launched; the session token is set once, in the page's session
 * storage, and Lighthouse is told to keep it.
 */
export const benchLighthouse = async (stack: BenchStack) => {
  const tenantId = 'lighthouse';
  const token = await stack.issuer.sign(tenantId);
  for (const name of ['Shop front', 'Warehouse', 'Staging shop'])
    await stack.api('POST', '/credentials', token, {
      componentId: 'petstore',
      name,
      fields: { apiKey: `lighthouse-${name}` },
    });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const lighthousePuppeteer = createRequire(createRequire(import.meta.url).resolve('lighthouse'))(
    'puppeteer-core',
  ) as typeof puppeteer;
  const driven = await lighthousePuppeteer.connect({ browserWSEndpoint: browser.wsEndpoint() });
  try {
    const page = await driven.newPage();
    await page.goto(`${stack.url}/console/#token=${token}`, { waitUntil: 'networkidle0' });
    const screens: Record<string, { title: string; scores: Record<string, number>; failedAudits: string[] }> =
      {};
    for (const screen of SCREENS) {
      const result = await lighthouse(
        `${stack.url}/console/${screen}`,
        {
          disableStorageReset: true,
          onlyCategories: ['accessibility', 'best-practices', 'performance'],
          formFactor: 'desktop',
          screenEmulation: { mobile: false, width: 1280, height: 800, deviceScaleFactor: 1, disabled: false },
          throttlingMethod: 'provided',
          logLevel: 'error',
        },
        undefined,
        page as never,
      );
      screens[screen] = {
        // The screen as signed in (a sign-in screen would score as well, and prove nothing).
        title: await page.title(),
        scores: Object.fromEntries(
          Object.entries(result?.lhr.categories ?? {}).map(([id, category]) => [
            id,
            Math.round((category.score ?? 0) * 100),
          ]),
        ),
        // bf-cache: the console is served no-store (it is a secrets console), which bars the
        // back/forward cache; Lighthouse lists it, no category counts it.
        failedAudits: Object.values(result?.lhr.audits ?? {})
          .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode === 'binary')
          .map((audit) => audit.id),
      };
    }
    return { lighthouse: '12.2.3', chromium: await browser.version(), screens };
  } finally {
    await driven.disconnect();
    await browser.close();
  }
};

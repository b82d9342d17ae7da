/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// `npm test` writes screenshots to .local/; UPDATE_SCREENSHOTS=1 refreshes the ones the docs show.
const screenshots = new URL(
  process.env.UPDATE_SCREENSHOTS ? '../../docs/screenshots/' : '../../.local/screenshots/',
  import.meta.url,
).pathname;

describe('the console, in a real browser (Debian Chromium, puppeteer-core)', () => {
  let service: LocalService;
  let browser: Browser;
  let token: string;
  const tenant = 'tenant-console';

  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    service.api(method, path, { token, body, headers });

  const open = async (path: string, as = token): Promise<Page> => {
    const page = await browser.newPage();
    // axe is injected as a script; the console's own CSP would (rightly) refuse it.
    await page.setBypassCSP(true);
    await page.setViewport({ width: 1200, height: 860 });
    await page.goto(`${service.url}/console/#token=${as}`, { waitUntil: 'networkidle0' });
    if (path) {
      await page.evaluate((hash) => {
        window.location.hash = hash;
      }, path);
    }
    return page;
  };

  /**
   * No accessibility violation of any impact on the screen as it is now, at a laptop's width and
   * a phone's: axe-core with every WCAG 2.0–2.2 A and AA rule and its best practices.
   */
  const accessible = async (page: Page, screen: string) => {
    if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
    for (const [width, height, suffix] of [
      [1280, 800, ''],
      [390, 844, '-phone'],
    ] as const) {
      await page.setViewport({ width, height });
      const violations = await page.evaluate(async () => {
        const result = await (
          window as unknown as {
            axe: {
              run(
                context: unknown,
                options: unknown,
              ): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }>;
            };
          }
        ).axe.run(document, {
          runOnly: {
            type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
          },
        });
        return result.violations.map(
          (violation) =>
            `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
        );
      });
      expect(violations, `${screen} at ${width} px`).toEqual([]);
      // Nothing wider than the screen: a phone never scrolls sideways.
      const wide = await page.evaluate(
        (limit) =>
          Array.from(document.querySelectorAll('body *'))
            .filter(
              (element) =>
                element.getBoundingClientRect().right > limit + 1 ||
                (element.scrollWidth > element.clientWidth + 1 &&
                  element.clientWidth > 0 &&
                  !element.classList.contains('visually-hidden')),
            )
            .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)
            .slice(-4),
        width,
      );
      expect(wide, `${screen} at ${width} px: wider than the screen`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), screen).toBeLessThanOrEqual(
        width,
      );
      await page.screenshot({ path: `${screenshots}console-${screen}${suffix}.png` });
    }
    await page.setViewport({ width: 1200, height: 860 });
  };

  /** Waits until the page shows this text somewhere. */
  const shows = (page: Page, expected: string) =>
    page.waitForFunction((wanted) => document.body.textContent.includes(wanted), {}, expected);

  /** Clicks a control that leaves for the provider, and waits to be back where the callback sends the browser. */
  const clickThrough = async (page: Page, control: string) => {
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.click(`::-p-text(${control})`),
    ]);
  };

  const text = (page: Page, selector: string) =>
    page.$eval(selector, (element) => (element as HTMLElement).textContent);

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    service = await startLocalService({ petstoreAccepts: (key) => key === 'special-key' });
    token = await service.token(tenant);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('signs in from the URL fragment, keeps the token in session storage only, and shows the counts', async () => {
    await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Seeded',
      fields: { apiKey: 'special-key' },
    });
    const page = await open('');
    await page.waitForSelector('.cards');
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBe(token);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    const counts = (await api('GET', '/components')).body.items as { id: string; credentialCount: number }[];
    const shown = await page.$$eval('.card', (cards) =>
      cards.map((card) => ({
        href: card.querySelector('a')?.getAttribute('href') ?? '',
        count: Number(card.querySelector('.count')?.firstChild?.textContent ?? 'NaN'),
      })),
    );
    for (const component of counts) {
      expect(shown.find((card) => card.href === `#/components/${component.id}`)?.count).toBe(
        component.credentialCount,
      );
    }
    expect(counts.find((component) => component.id === 'petstore')?.credentialCount).toBe(1);
    await accessible(page, 'credentials');
    await page.close();
  });

  it('creates a Petstore credential with the demo key, and shows a typo’s refusal at the field', async () => {
    const page = await open('#/components/petstore');
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    // A missing field is said once, at the field, not again in the refusal above the form.
    await page.click('button[type="submit"]');
    await page.waitForSelector('#field-apiKey-error');
    expect(await page.$$eval('.problem li', (items) => items.length)).toBe(0);
    await page.type('#field-name', 'Pet shop');
    await page.type('#field-apiKey', 'speical-key');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#field-apiKey-error');
    expect(await text(page, '#field-apiKey-error')).toContain('refused these credentials');
    expect(await page.$eval('#field-apiKey', (input) => input.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.$eval('#field-apiKey', (input) => (input as HTMLInputElement).type)).toBe('password');
    await accessible(page, 'create-refused');

    await page.$eval('#field-apiKey', (input) => {
      (input as HTMLInputElement).value = '';
    });
    await page.type('#field-apiKey', 'special-key');
    // Fixing the field clears what was said about it, at the field and above the form.
    expect(await page.$('#field-apiKey-error')).toBeNull();
    expect(await page.$('.problem')).toBeNull();
    await page.click('button[type="submit"]');
    // The outcome is announced and takes focus, and the list shows the new credential.
    await shows(page, 'Created Pet shop: verified and saved.');
    expect(await text(page, 'table')).toContain('Pet shop');
    expect(await text(page, 'table')).toContain('Verified');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('status');
    // Nothing secret is rendered or kept in the browser.
    expect(await page.content()).not.toContain('special-key');
    await accessible(page, 'component');
    await page.close();
  });

  it('says when someone else changed the credential, and reloads it', async () => {
    const created = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Shared',
      fields: { apiKey: 'special-key' },
    });
    const page = await open(`#/credential/${created.body.id}`);
    await page.waitForSelector('::-p-text(Edit)');
    await api(
      'PATCH',
      `/credentials/${created.body.id}`,
      { name: 'Changed elsewhere' },
      { 'if-match': '"1"' },
    );
    await page.click('::-p-text(Edit)');
    await page.waitForSelector('form #field-name');
    await page.$eval('form #field-name', (input) => {
      (input as HTMLInputElement).value = '';
    });
    await page.type('form #field-name', 'Mine');
    await page.click('::-p-text(Save changes)');
    await shows(page, 'Someone else changed this credential');
    await accessible(page, 'stale-edit');
    await page.click('button::-p-text(Reload)');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Changed elsewhere');
    await page.close();
  });

  it('refuses a delete with the flows that use it, moves them to another credential, then deletes', async () => {
    const used = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Old key',
      fields: { apiKey: 'special-key' },
    });
    const spare = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'New key',
      fields: { apiKey: 'special-key' },
    });
    await api('PUT', '/flows/nightly-pets', {
      name: 'Nightly pets',
      status: 'active',
      steps: [{ stepId: 'read', componentId: 'petstore', credentialId: used.body.id }],
    });
    const page = await open(`#/credential/${used.body.id}`);
    await page.waitForSelector('button.danger');
    await page.click('button.danger');
    await page.click('::-p-text(Yes, delete)');
    await page.waitForSelector('#blocking-title');
    const blocking = await text(page, 'section.panel');
    expect(blocking).toContain('Nightly pets');
    expect(blocking).toContain('active');
    expect(blocking).toContain('read');
    await accessible(page, 'delete-refused');
    await page.select('#move-to', spare.body.id);
    await page.click('::-p-text(Move and delete)');
    await page.waitForSelector('::-p-text(Credential deleted)');
    expect((await api('GET', `/credentials/${used.body.id}`)).status).toBe(404);
    expect((await api('GET', '/flows/nightly-pets')).body.steps[0].credentialId).toBe(spare.body.id);
    await page.close();
  });

  it('deletes a key only an inactive flow uses, and the flow shows the step that needs a credential', async () => {
    const leaked = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Leaked key',
      fields: { apiKey: 'special-key' },
    });
    await api('PUT', '/flows/old-import', {
      name: 'Old import',
      status: 'inactive',
      steps: [{ stepId: 'fetch', componentId: 'petstore', credentialId: leaked.body.id }],
    });
    const page = await open(`#/credential/${leaked.body.id}`);
    await page.waitForSelector('button.danger');
    await page.click('button.danger');
    await page.click('::-p-text(Yes, delete)');
    await page.waitForSelector('::-p-text(Credential deleted)');
    expect((await api('GET', `/credentials/${leaked.body.id}`)).status).toBe(404);

    await page.evaluate(() => {
      window.location.hash = '#/flows/old-import';
    });
    await page.waitForSelector('::-p-text(needs a credential)');
    expect(await text(page, '#activation-blocked')).toContain('One step needs a credential');
    const activate = await page.$('button::-p-text(Activate)');
    expect(await activate?.evaluate((button) => (button as HTMLButtonElement).disabled)).toBe(true);
    await accessible(page, 'flow-needs-credential');
    await page.close();
  });

  it('shows the audit trail, re-verifies, and lists and toggles flows', async () => {
    const created = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Audited',
      fields: { apiKey: 'special-key' },
    });
    await api('PATCH', `/credentials/${created.body.id}`, { name: 'Audited twice' }, { 'if-match': '"1"' });
    const page = await open(`#/credential/${created.body.id}`);
    await page.waitForSelector('::-p-text(Audit trail)');
    await page.waitForSelector('td::-p-text(updated)');
    const trail = await page.$$eval('table tbody tr', (rows) =>
      rows.map((row) => (row as HTMLElement).textContent),
    );
    expect(trail.join('\n')).toMatch(/created/);
    await page.click('::-p-text(Re-verify)');
    await page.waitForSelector('::-p-text(Verified: the API accepted the credential.)');
    await accessible(page, 'credential');

    await page.evaluate(() => {
      window.location.hash = '#/flows/nightly-pets';
    });
    await page.waitForSelector('::-p-text(Deactivate)');
    await page.click('::-p-text(Deactivate)');
    await page.waitForSelector('::-p-text(Activate)');
    expect((await api('GET', '/flows/nightly-pets')).body.status).toBe('inactive');
    // Announced, and focus stays on the control, now offering the way back.
    await shows(page, 'Deactivated: its steps can no longer use their credentials.');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Activate');
    await page.evaluate(() => {
      window.location.hash = '#/flows';
    });
    await page.waitForSelector('::-p-text(Nightly pets)');
    await accessible(page, 'flows');
    await page.close();
  });

  it('connects an OAuth2 account: Connect, the provider, and back on the credential, told it is connected', async () => {
    expect(
      (await api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client', clientSecret: 'demo-secret' }))
        .status,
    ).toBeLessThan(300);
    const page = await open('#/components/demo-oauth2');
    await page.waitForSelector('::-p-text(Connect Demo OAuth2 provider)');
    await clickThrough(page, 'Connect Demo OAuth2 provider');
    await shows(page, 'Connected. The account is verified');
    const landed = new URL(page.url());
    expect(landed.search).toBe('');
    expect(landed.hash).toMatch(/^#\/credential\/.+\.demo-oauth2$/);
    await page.waitForSelector('[role="status"]');
    await accessible(page, 'connected');
    const credentialId = landed.hash.replace('#/credential/', '');
    expect((await api('GET', `/credentials/${credentialId}`)).body).toMatchObject({ status: 'verified' });
    await page.click('::-p-text(Dismiss)');
    await page.waitForFunction(
      () => !document.body.textContent.includes('Connected. The account is verified'),
    );
    await page.close();
  });

  it('reconnects an OAuth2 credential from its page, back on the same credential, and names each screen', async () => {
    expect(
      (await api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client', clientSecret: 'demo-secret' }))
        .status,
    ).toBeLessThan(300);
    const page = await open('#/components/demo-oauth2');
    await page.waitForSelector('::-p-text(Connect Demo OAuth2 provider)');
    await page.waitForFunction(() => document.title === 'Demo OAuth2 provider · Credentials console');
    await clickThrough(page, 'Connect Demo OAuth2 provider');
    const credentialId = new URL(page.url()).hash.replace('#/credential/', '');
    const before = (await api('GET', `/credentials/${credentialId}`)).body.version as number;
    await page.waitForSelector('::-p-text(Reconnect)');
    // Named for the account the provider says it is, everywhere: the title, the heading.
    await page.waitForFunction(
      () => document.title === 'Demo OAuth2 provider · demo.user@example.com · Credentials console',
    );
    expect(await text(page, 'h1')).toBe('Demo OAuth2 provider · demo.user@example.com');
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'networkidle0' }),
      page.click('::-p-text(Reconnect)'),
    ]);
    await shows(page, 'Connected. The account is verified');
    expect(new URL(page.url()).hash).toBe(`#/credential/${credentialId}`);
    // The same credential, with new tokens: nothing was created.
    expect((await api('GET', `/credentials/${credentialId}`)).body.version).toBeGreaterThan(before);
    await page.close();
  });

  it('confirms a delete in a real dialog, by keyboard alone: Escape cancels back to Delete, confirming lands on the outcome', async () => {
    const created = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Dialog test',
      fields: { apiKey: 'special-key' },
    });
    const page = await open(`#/credential/${created.body.id}`);
    await page.waitForSelector('::-p-text(Re-verify)');
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    // Tab to Delete from the top of the page, as a keyboard user would.
    for (let stop = 0; stop < 30 && (await focusedText()) !== 'Delete'; stop++)
      await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Delete');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    expect(await focusedText()).toBe('Cancel');
    // Modal: the page behind is inert.
    expect(await page.evaluate(() => document.querySelector('dialog')?.matches(':modal'))).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    expect(await focusedText()).toBe('Delete');
    expect((await api('GET', `/credentials/${created.body.id}`)).status).toBe(200);

    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
    expect(await focusedText()).toBe('Yes, delete');
    await page.keyboard.press('Enter');
    await shows(page, 'Credential deleted');
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Credential deleted');
    expect((await api('GET', `/credentials/${created.body.id}`)).status).toBe(404);
    await page.close();
  });

  it('moves focus to the first credential "Load more" brought', async () => {
    const many = await service.token('tenant-console-many');
    for (let index = 1; index <= 21; index++)
      await service.api('POST', '/credentials', {
        token: many,
        body: {
          componentId: 'petstore',
          name: `Shop ${String(index).padStart(2, '0')}`,
          fields: { apiKey: 'special-key' },
        },
      });
    const page = await open('#/components/petstore', many);
    await page.waitForSelector('::-p-text(Load more)');
    expect(await page.$$eval('tbody tr', (rows) => rows.length)).toBe(20);
    await page.click('::-p-text(Load more)');
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 21);
    // Newest first: the oldest, Shop 01, is the one the second page brought.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Shop 01');
    await page.close();
  });

  it('shows the skip link when it has focus, and it moves focus to the content', async () => {
    const page = await open('');
    await page.waitForSelector('.cards');
    await page.keyboard.press('Tab');
    const skip = await page.$eval('.skip', (element) => {
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      return {
        focused: document.activeElement === element,
        onScreen: box.left >= 0 && box.top >= 0,
        color: style.color,
        background: style.backgroundColor,
      };
    });
    expect(skip).toMatchObject({ focused: true, onScreen: true });
    expect(skip.color).not.toBe(skip.background);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.close();
  });

  it('without an OAuth app, says so, shows the redirect URI, registers the app, then connects', async () => {
    const fresh = await service.token('tenant-console-no-app');
    const page = await open('#/components/demo-oauth2', fresh);
    await shows(page, 'Before anyone can connect a Demo OAuth2 provider account, register your organization');
    expect(
      await page.$eval(
        '::-p-text(Connect Demo OAuth2 provider)',
        (button) => (button as HTMLButtonElement).disabled,
      ),
    ).toBe(true);
    expect(await text(page, '#oauth-app-title + p + p code')).toBe(`${service.url}/oauth2/callback`);
    expect(service.config.connectCallbackUrl).toBe(`${service.url}/oauth2/callback`);
    await accessible(page, 'oauth-app-missing');
    await page.type('#app-client-id', 'demo-client');
    await page.type('#app-client-secret', 'demo-secret');
    await page.click('::-p-text(Register the app)');
    await shows(page, 'Registered. People can now connect Demo OAuth2 provider accounts.');
    await page.waitForFunction(
      () =>
        !(
          Array.from(document.querySelectorAll('button')).find((button) =>
            button.textContent?.includes('Connect Demo OAuth2 provider'),
          ) as HTMLButtonElement
        ).disabled,
    );
    await clickThrough(page, 'Connect Demo OAuth2 provider');
    await shows(page, 'Connected. The account is verified');
    await page.close();
  });

  it('says in words why a Connect did not finish, on the component it was for', async () => {
    service.oauth2.server.service.once('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
      redirect.url.searchParams.delete('code');
      redirect.url.searchParams.set('error', 'access_denied');
    });
    const page = await open('#/components/demo-oauth2');
    await page.waitForSelector('::-p-text(Connect Demo OAuth2 provider)');
    await clickThrough(page, 'Connect Demo OAuth2 provider');
    await shows(page, 'Not connected: you did not give your consent at the provider.');
    expect(new URL(page.url()).hash).toBe('#/components/demo-oauth2');
    expect(await text(page, '[role="alert"]')).toContain('Not connected');
    await page.close();
  });

  it('works with the keyboard alone: tab to a component and open it with Enter', async () => {
    const page = await open('');
    await page.waitForSelector('.cards');
    let focused = '';
    for (let presses = 0; presses < 12 && !focused.includes('#/components/petstore'); presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('href') ?? '');
    }
    expect(focused).toBe('#/components/petstore');
    await page.keyboard.press('Enter');
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.close();
  });

  it('shows tenant B nothing of tenant A', async () => {
    const other = await service.token('tenant-console-b');
    const page = await open('#/components/petstore', other);
    await page.waitForSelector('::-p-text(No credentials yet.)');
    expect(await page.content()).not.toContain('Pet shop');
    await page.close();
  });

  it('lists what needs attention across components, with the reason, and opens the credential from there', async () => {
    const created = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Attention shop',
      fields: { apiKey: 'special-key' },
    });
    // As the scheduled check leaves a key its service refused (the status index follows).
    const stored = await service.deps.credentials.get(tenant, created.body.id);
    if (!stored) throw new Error('not stored');
    await service.deps.credentials.update(
      stored,
      {
        status: 'invalid',
        statusReason: 'invalid_credentials: the API refused the key',
        updatedAt: new Date().toISOString(),
        updatedBy: 'scheduler',
      },
      [],
    );
    // And a key that still works but whose declared expiry the scheduled check warned of.
    const expiring = await api('POST', '/credentials', {
      componentId: 'petstore',
      name: 'Expiring shop',
      fields: { apiKey: 'special-key' },
    });
    const verified = await service.deps.credentials.get(tenant, expiring.body.id);
    if (!verified) throw new Error('not stored');
    await service.deps.credentials.update(
      verified,
      {
        expiryWarnedFor: '2031-01-15T12:00:00.000Z',
        updatedAt: new Date().toISOString(),
        updatedBy: 'scheduler',
      },
      [],
    );
    const page = await open('');
    await page.waitForSelector('.cards');
    await page.click('nav ::-p-text(Needs attention)');
    await shows(page, 'Attention shop');
    await shows(page, 'the API refused the key');
    await shows(page, 'Expiring shop');
    await shows(page, 'replace it before then');
    expect(await page.title()).toContain('Needs attention');
    expect(await text(page, 'nav [aria-current="page"]')).toBe('Needs attention');
    await accessible(page, 'attention');
    await page.click('::-p-text(Attention shop)');
    await page.waitForSelector('::-p-text(Re-verify)');
    expect(page.url()).toContain(`#/credential/${created.body.id}`);
    await page.close();
  });

  it('locally takes a fragment token and removes it from the URL, also after a same-page change', async () => {
    const page = await open('');
    expect(page.url()).not.toContain('token=');
    const next = await service.token('tenant-console-c');
    await page.evaluate((value) => {
      window.location.hash = `#token=${value}`;
    }, next);
    await page.waitForFunction(() => !window.location.hash.includes('token='));
    expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBe(next);
    await page.close();
  });

  it('signs in with an OpenID Connect provider (authorization code with PKCE, oidc-client-ts)', async () => {
    const withProvider = await startLocalService({ consoleOidc: true });
    // Its own browser context: closing it closes its connections, so the demo provider can stop.
    const context = await browser.createBrowserContext();
    try {
      const page = await context.newPage();
      // No CSP bypass here: the console's own policy must let sign-in reach the provider.
      await page.goto(`${withProvider.url}/console/`, { waitUntil: 'networkidle0' });
      await page.click('button::-p-text(Sign in)');
      // The demo provider consents at once and sends the browser back with a code; the console
      // exchanges it (with its PKCE verifier) and keeps the access token in session storage.
      await page.waitForFunction(() => sessionStorage.getItem('credentials-console-token') !== null, {
        timeout: 15_000,
      });
      const stored = await page.evaluate(() => sessionStorage.getItem('credentials-console-token') ?? '');
      const claims = JSON.parse(Buffer.from(stored.split('.')[1] ?? '', 'base64url').toString('utf8'));
      expect(claims.iss).toBe(withProvider.oauth2.baseUrl);
      expect(page.url()).not.toContain('code=');
      const exchange = withProvider.oauth2.tokenRequests.at(-1);
      expect(exchange).toMatchObject({ grantType: 'authorization_code', codeVerifierSent: true });
      // The local API trusts only its own issuer: the refusal is shown, not a blank screen.
      // The session survives a reload (session storage), and the page is a fresh document for puppeteer.
      await page.goto(`${withProvider.url}/console/#/credentials`, { waitUntil: 'networkidle0' });
      await page.waitForSelector('[role="alert"]');
      expect(await text(page, '[role="alert"] strong')).toBe('Your session has ended');
      await page.waitForSelector('dialog[open] ::-p-text(Sign in again to carry on)');

      // With a provider, a link carrying another token never replaces the session, and the token
      // leaves the URL at once, on arrival or after a same-page change.
      const planted = await withProvider.token('tenant-attacker');
      await page.goto(`${withProvider.url}/console/#token=${planted}`, { waitUntil: 'networkidle0' });
      expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBe(stored);
      expect(page.url()).not.toContain('token=');
      await page.evaluate((token) => {
        window.location.hash = `#token=${token}`;
      }, planted);
      await page.waitForFunction(() => !window.location.hash.includes('token='));
      expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBe(stored);
    } finally {
      await context.close();
      await withProvider.stop();
    }
  });
});

/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer, { type Browser, type Page, type Target } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededCredential } from '../../local/seeded-credential.ts';
import { auditEntry } from '../../shared/domain/audit.ts';
import { reverifyCredential } from '../../shared/use-cases/reverify-credential.ts';
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

  /** A Petstore credential with the demo key, created through the API. */
  const petstoreKey = (name: string) =>
    api('POST', '/credentials', { componentId: 'petstore', name, fields: { apiKey: 'special-key' } });

  /** A flow of Petstore steps, each using the credential given for it. */
  const petstoreFlow = (
    flowId: string,
    name: string,
    status: 'active' | 'inactive',
    steps: Record<string, string>,
  ) =>
    api('PUT', `/flows/${flowId}`, {
      name,
      status,
      steps: Object.entries(steps).map(([stepId, credentialId]) => ({
        stepId,
        componentId: 'petstore',
        credentialId,
      })),
    });

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
  /**
   * Credentials written straight through the repository (no verification), in the given order with
   * ULID-shaped ids one second apart, so newest and oldest are known. Returns their ids.
   */
  let seeded = 0;
  const seedCredentials = async (
    tenantId: string,
    rows: readonly { componentId: string; name: string; status?: 'invalid'; statusReason?: string }[],
  ): Promise<string[]> => {
    const seedActor = { tenantId, subject: 'seed' };
    const ids: string[] = [];
    for (let from = 0; from < rows.length; from += 50) {
      await Promise.all(
        rows.slice(from, from + 50).map((row) => {
          seeded++;
          const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seeded)).toISOString();
          const credential = seededCredential({
            tenantId,
            id: `01JD${String(seeded).padStart(22, '0')}.${row.componentId}`,
            componentId: row.componentId,
            name: row.name,
            secretFieldsSet: [],
            status: row.status ?? 'verified',
            statusReason: row.statusReason ?? null,
            createdAt: at,
          });
          ids.push(credential.id);
          return service.deps.credentials.create(
            credential,
            undefined,
            auditEntry(seedActor, credential, 'created', new Date(at)),
          );
        }),
      );
    }
    return ids;
  };

  const shows = (page: Page, expected: string) =>
    page.waitForFunction((wanted) => document.body.textContent.includes(wanted), {}, expected);

  /**
   * Refuses the page's API requests whose path `matches` (a stopped API, a lost network) while
   * `down` is true; requests are held by the browser until this decides, so none slips through.
   */
  const cutOff = async (page: Page, matches: (pathname: string) => boolean) => {
    const network = { down: true };
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (network.down && matches(new URL(request.url()).pathname)) request.abort('connectionrefused');
      else request.continue();
    });
    return network;
  };

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
    await petstoreKey('Seeded');
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
    // Focus goes to the field at fault, not the page body (Save was disabled while it held focus).
    await page.waitForFunction(() => document.activeElement?.id === 'field-apiKey');
    await page.type('#field-name', 'Pet shop');
    await page.type('#field-apiKey', 'speical-key');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#field-apiKey-error');
    expect(await text(page, '#field-apiKey-error')).toContain('refused these credentials');
    await page.waitForFunction(() => document.activeElement?.id === 'field-apiKey');
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
    const created = await petstoreKey('Shared');
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

  it('saves an edit after a scheduled check ran on the credential meanwhile', async () => {
    const created = await petstoreKey('Checked meanwhile');
    const page = await open(`#/credential/${created.body.id}`);
    await page.waitForSelector('::-p-text(Edit)');
    await page.click('::-p-text(Edit)');
    await page.waitForSelector('form #field-name');
    // The scheduled check runs while the form is open: it records the status, nothing a person edits.
    await reverifyCredential(service.deps, { tenantId: tenant, subject: 'scheduler' }, created.body.id, {
      scheduled: true,
    });
    expect((await service.deps.credentials.get(tenant, created.body.id))?.version).toBe(2);
    await page.$eval('form #field-name', (input) => {
      (input as HTMLInputElement).value = '';
    });
    await page.type('form #field-name', 'Saved after the check');
    await page.click('::-p-text(Save changes)');
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Saved after the check');
    expect(await page.content()).not.toContain('Someone else changed this credential');
    await page.close();
  });

  it('refuses a delete with the flows that use it, moves them to another credential, then deletes', async () => {
    const used = await petstoreKey('Old key');
    const spare = await petstoreKey('New key');
    await petstoreFlow('nightly-pets', 'Nightly pets', 'active', { read: used.body.id });
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

  it('moves flows to any of 1,001 credentials: the list loads more, and finds any by name', async () => {
    const tenant = 'tenant-console-move';
    const ids = await seedCredentials(
      tenant,
      Array.from({ length: 1001 }, (_, index) => ({
        componentId: 'petstore',
        name: `Pets ${String(index + 1).padStart(4, '0')}`,
      })),
    );
    const [oldest] = ids;
    const used = ids.at(-1) ?? '';
    const token = await service.token(tenant);
    await service.api('PUT', '/flows/many-pets', {
      token,
      body: {
        name: 'Many pets',
        status: 'active',
        steps: [{ stepId: 'read', componentId: 'petstore', credentialId: used }],
      },
    });
    const page = await open(`#/credential/${used}`, token);
    await page.waitForSelector('button.danger');
    await page.click('button.danger');
    await page.click('::-p-text(Yes, delete)');
    await page.waitForSelector('#move-to');
    const options = () => page.$$eval('#move-to option', (all) => all.length - 1);
    await page.waitForFunction(() => document.querySelectorAll('#move-to option').length > 1);
    // A page of 100, less the credential itself; "Load more" brings the next page.
    expect(await options()).toBe(99);
    await page.click('::-p-text(Load more credentials to choose from)');
    await page.waitForFunction(() => document.querySelectorAll('#move-to option').length - 1 >= 199);
    // The oldest is on the last page: searching by name asks the API, which finds it at once.
    await page.type('#move-search', 'Pets 0001');
    await page.waitForFunction(() => document.querySelectorAll('#move-to option').length === 2);
    expect(await text(page, '#move-to option:last-child')).toBe('Pets 0001');
    await page.select('#move-to', oldest ?? '');
    await page.click('::-p-text(Move and delete)');
    await page.waitForSelector('::-p-text(Credential deleted)');
    const flow = await service.api('GET', '/flows/many-pets', { token });
    expect(flow.body.steps[0].credentialId).toBe(oldest);
    await page.close();
  }, 90_000);

  it('deletes a key only an inactive flow uses, and the flow shows the step that needs a credential', async () => {
    const leaked = await petstoreKey('Leaked key');
    await petstoreFlow('old-import', 'Old import', 'inactive', { fetch: leaked.body.id });
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
    const created = await petstoreKey('Audited');
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
    const created = await petstoreKey('Dialog test');
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
    // Centred in the viewport, not pinned over the navigation.
    const offCentre = await page.evaluate(() => {
      const box = (document.querySelector('dialog') as HTMLElement).getBoundingClientRect();
      return {
        x: Math.abs(box.left + box.width / 2 - window.innerWidth / 2),
        y: Math.abs(box.top + box.height / 2 - window.innerHeight / 2),
      };
    });
    expect(offCentre.x).toBeLessThan(2);
    expect(offCentre.y).toBeLessThan(2);
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

  /** Requests the page sends with this method to a path that matches, as they are sent. */
  const sent = (page: Page, method: string, path: RegExp) => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    page.on('request', (request) => {
      if (request.method() === method && path.test(new URL(request.url()).pathname))
        seen.push({ url: request.url(), headers: request.headers() });
    });
    return seen;
  };
  /** Puts a long value in a field at once, as a paste does (typing a token key by key takes seconds). */
  const paste = async (page: Page, selector: string, value: string) => {
    await page.focus(selector);
    await page.$eval(
      selector,
      (input, pasted) => {
        (input as HTMLInputElement).value = pasted;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      },
      value,
    );
  };
  /** Two clicks as fast as a double-click, both landing before any answer can. */
  const doubleClick = (page: Page, selector: string) =>
    page.$eval(selector, (control) => {
      (control as HTMLElement).click();
      (control as HTMLElement).click();
    });

  it('finds credentials in one list across components: filter, search, sort, a total, 300 of them', async () => {
    const many = 'tenant-console-all';
    const components = [
      ['petstore', 'Shop'],
      ['http-api-key', 'Key'],
      ['http-basic', 'Login'],
    ] as const;
    await seedCredentials(
      many,
      components.flatMap(([componentId, word]) =>
        Array.from({ length: 100 }, (_, at) => {
          const index = at + 1;
          const invalid = index <= 2 && componentId === 'http-basic';
          return {
            componentId,
            name: `${word} ${String(index).padStart(3, '0')}`,
            ...(invalid ? { status: 'invalid' as const, statusReason: 'invalid_credentials: refused' } : {}),
          };
        }),
      ),
    );
    const page = await open('', await service.token(many));
    await page.waitForSelector('.cards');
    await page.click('nav ::-p-text(All credentials)');
    await page.waitForSelector('#list-total');
    expect(await text(page, '#list-total')).toBe('Showing 100 of 300');
    expect(await page.title()).toContain('All credentials');
    // Newest first: the last one created leads.
    expect(await text(page, 'tbody tr:first-child td')).toBe('Login 100');
    await accessible(page, 'all-credentials');
    await page.click('::-p-text(Load more)');
    await shows(page, 'Showing 200 of 300');
    await page.click('::-p-text(Load more)');
    await shows(page, 'Showing 300 of 300');
    await page.select('#sort', 'oldest');
    expect(await text(page, 'tbody tr:first-child td')).toBe('Shop 001');

    // One component, from its index: all of its 100, searchable and sortable by name.
    await page.select('#filter-component', 'http-api-key');
    await shows(page, 'Showing 100 of 100');
    // The search is the API's: the names that start with what was typed, all of them.
    await page.type('#search', 'key 04');
    await shows(page, '10 matching');
    await page.select('#sort', 'name');
    expect(
      await page.$$eval('tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent)),
    ).toEqual(Array.from({ length: 10 }, (_, index) => `Key 04${index}`));
    await page.$eval('#search', (input) => {
      (input as HTMLInputElement).value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });

    // Needs attention, across components, from the status index.
    await page.select('#filter-component', '');
    await page.select('#filter-status', 'attention');
    await shows(page, '2 matching of 2 loaded');
    expect(await text(page, 'tbody')).toContain('Login 001');
    expect(await text(page, 'tbody')).toContain('refused');
    await page.close();
  }, 60_000);

  it('sends one request for a double-click on every action, and an Idempotency-Key with a create', async () => {
    const page = await open('#/components/petstore');
    const creates = sent(page, 'POST', /^\/credentials$/);
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    await page.type('#field-name', 'Clicked twice');
    await page.type('#field-apiKey', 'special-key');
    await doubleClick(page, 'form button[type="submit"]');
    await shows(page, 'Created Clicked twice: verified and saved.');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);

    await page.click('a::-p-text(Clicked twice)');
    await page.waitForSelector('::-p-text(Re-verify)');
    const patches = sent(page, 'PATCH', /^\/credentials\/[^/]+$/);
    const verifies = sent(page, 'POST', /\/verify$/);
    const deletes = sent(page, 'DELETE', /^\/credentials\/[^/]+$/);
    await page.click('button::-p-text(Edit)');
    await page.type('form #field-name', ' again');
    await doubleClick(page, 'form button[type="submit"]');
    await shows(page, 'Saved.');
    expect(patches).toHaveLength(1);
    expect(await page.$('[role="alert"]')).toBeNull();
    await doubleClick(page, 'button::-p-text(Re-verify)');
    await shows(page, 'Verified: the API accepted the credential.');
    expect(verifies).toHaveLength(1);
    await page.click('button.danger::-p-text(Delete)');
    await page.waitForSelector('dialog[open]');
    await doubleClick(page, 'dialog button.danger');
    await shows(page, 'Credential deleted');
    expect(deletes).toHaveLength(1);
    await page.close();
  });

  it('asks to sign in again when the session ends mid-form, and keeps what was typed', async () => {
    const page = await open('#/components/petstore');
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    await page.type('#field-name', 'Typed before expiry');
    await page.type('#field-apiKey', 'special-key');
    // A token the API refuses, as it refuses one past its expiry.
    const expired = await service.issuer.sign(tenant, { lifetime: null });
    await page.evaluate((stale) => sessionStorage.setItem('credentials-console-token', stale), expired);
    await page.click('form button[type="submit"]');
    await page.waitForSelector('dialog[open] ::-p-text(Your session has ended)');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-in-token');
    await accessible(page, 'session-ended');
    // Escape does not leave a page whose every request would be refused.
    await page.keyboard.press('Escape');
    expect(await page.$('dialog[open]')).not.toBeNull();
    await page.type('#sign-in-token', 'not a token');
    await page.keyboard.press('Enter');
    await shows(page, 'That is not an access token');
    await page.$eval('#sign-in-token', (input) => {
      (input as HTMLInputElement).value = '';
    });
    await paste(page, '#sign-in-token', token);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('dialog[open]'));
    // Everything typed is still there; saving again works.
    expect(await page.$eval('#field-name', (input) => (input as HTMLInputElement).value)).toBe(
      'Typed before expiry',
    );
    await page.click('form button[type="submit"]');
    await shows(page, 'Created Typed before expiry: verified and saved.');

    // Signing out lands on the sign-in screen of this mode; signing in brings the console back.
    await page.click('::-p-text(Sign out)');
    await shows(page, 'You are signed out.');
    // Focus goes to what says so, not the page body.
    await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'You are signed out.');
    expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBeNull();
    expect(await page.content()).not.toContain('#token=');
    await accessible(page, 'signed-out');
    await paste(page, '#sign-in-token', token);
    await page.click('button::-p-text(Sign in)');
    await page.waitForSelector('::-p-text(Sign out)');
    await shows(page, 'Create New Credential');
    await page.close();
  });

  it('hides what a read-only sign-in may not do, and says why', async () => {
    const created = await petstoreKey('Read only view');
    await petstoreFlow('read-only-flow', 'Read only flow', 'active', { fetch: created.body.id });
    const reader = await service.issuer.sign(tenant, { scope: 'credentials:read flows:read' });
    const page = await open('#/components/petstore', reader);
    await shows(page, 'Your sign-in can view these credentials but not add any.');
    expect(await page.$('::-p-text(Create New Credential)')).toBeNull();
    await page.evaluate((id) => {
      window.location.hash = `#/credential/${id}`;
    }, created.body.id);
    await shows(page, 'Your sign-in can view this credential but not change it.');
    await shows(page, 'Your sign-in does not include the audit trail.');
    expect(await page.$('::-p-text(Re-verify)')).toBeNull();
    await accessible(page, 'read-only');
    await page.evaluate(() => {
      window.location.hash = '#/flows/read-only-flow';
    });
    await shows(page, 'Your sign-in can view flows but not activate or deactivate them.');
    // The step names its credential as people do, not by its id.
    await shows(page, 'fetch: petstore — Read only view');
    expect(
      await page.$eval('button::-p-text(activate)', (button) => (button as HTMLButtonElement).disabled),
    ).toBe(true);
    await page.close();
  });

  it('says the service could not be reached, in words, and Retry loads the screen', async () => {
    const page = await open('');
    await page.waitForSelector('.cards');
    const network = await cutOff(page, (pathname) => pathname.startsWith('/credentials'));
    await page.evaluate(() => {
      window.location.hash = '#/components/petstore';
    });
    await shows(page, 'The service could not be reached');
    await shows(page, 'Check your connection, then try again.');
    expect(await page.content()).not.toContain('Failed to fetch');
    // The component itself still loads (only credentials are cut off): Retry is clicked once the
    // screen shows it, never while its answer replaces the screen under the pointer.
    await page.waitForSelector('#component-title');
    network.down = false;
    await page.click('button::-p-text(Retry)');
    await page.waitForSelector('table');
    await page.close();
  });

  it('offers Retry on every list screen the service did not answer: components, flows, needs attention', async () => {
    const page = await open('');
    await page.waitForSelector('.cards');
    const network = await cutOff(page, (pathname) =>
      ['/components', '/flows', '/credentials'].includes(pathname),
    );
    for (const [hash, loaded] of [
      ['#/flows', 'h1::-p-text(Flows)'],
      ['#/attention', 'h1::-p-text(Needs attention)'],
      ['#/', '.cards'],
    ] as const) {
      network.down = true;
      await page.evaluate((target) => {
        window.location.hash = target;
      }, hash);
      await shows(page, 'The service could not be reached');
      network.down = false;
      await page.click('button::-p-text(Retry)');
      await page.waitForSelector(loaded);
    }
    await page.close();
  });

  it('gives up a create the API never answers, says so, and Retry creates it once', async () => {
    const page = await browser.newPage();
    await page.setBypassCSP(true);
    await page.setViewport({ width: 1200, height: 860 });
    await page.setRequestInterception(true);
    const config = await (await fetch(`${service.url}/console/config.json`)).json();
    let hang = true;
    const keys: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.endsWith('/console/config.json'))
        // Shorter than the 25 s default, so the test need not wait for it, yet far above what any
        // answered request on this page takes on a loaded machine: only the held create times out.
        return request.respond({
          contentType: 'application/json',
          body: JSON.stringify({ ...config, requestTimeoutMs: 5000 }),
        });
      if (pathname === '/credentials' && request.method() === 'POST') {
        keys.push(request.headers()['idempotency-key'] ?? '');
        // The API never answers: the request is held until the console gives it up.
        if (hang) return undefined;
      }
      return request.continue();
    });
    await page.goto(`${service.url}/console/#token=${token}`, { waitUntil: 'networkidle0' });
    await page.evaluate(() => {
      window.location.hash = '#/components/petstore';
    });
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    await page.type('#field-name', 'Held create');
    await page.type('#field-apiKey', 'special-key');
    await page.click('form button[type="submit"]');
    await shows(page, 'It did not answer in time. Nothing is lost: try again.');
    expect(await page.$('::-p-text(Verifying and saving)')).toBeNull();
    hang = false;
    await page.click('form button::-p-text(Retry)');
    await page.waitForSelector('::-p-text(verified and saved)');
    // Both attempts carried one Idempotency-Key: the retry cannot make a second credential.
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    const listed = await api('GET', '/credentials?componentId=petstore&limit=100');
    expect(listed.body.items.filter((item: { name: string }) => item.name === 'Held create')).toHaveLength(1);
    await page.close();
  });

  it('offers fixed choices as a select, numbers as numbers, and help under the label', async () => {
    const page = await open('#/components/postgresql');
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    await page.waitForSelector('select#field-sslMode');
    expect(
      await page.$$eval('select#field-sslMode option', (options) =>
        options.map((option) => (option as HTMLOptionElement).value),
      ),
    ).toEqual(['', 'require', 'verify-full', 'disable']);
    expect(await page.$eval('#field-port', (input) => (input as HTMLInputElement).type)).toBe('number');
    expect(await text(page, '#field-port-help')).toContain('5432');
    expect(await page.$eval('#field-port', (input) => input.getAttribute('aria-describedby'))).toBe(
      'field-port-help',
    );
    await accessible(page, 'create-postgresql');
    await page.close();
  });

  it('names each link on a component card once: the card, and its description’s link by what it is', async () => {
    const page = await open('#/credentials');
    await page.waitForSelector('.card');
    const names = await page.$$eval('.card', (cards) =>
      cards.map((card) =>
        Array.from(card.querySelectorAll('a')).map((link) => link.textContent?.trim() ?? ''),
      ),
    );
    for (const links of names)
      expect(new Set(links.map((name) => name.replace(/\s*\d+$/, ''))).size).toBe(links.length);
    await page.close();
  });

  it('renders descriptions and field help from Markdown, as elements and never as markup', async () => {
    const page = await open('#/components/petstore');
    await page.waitForSelector('section .markdown a');
    expect(
      await page.$eval('section .markdown a', (link) => [link.getAttribute('href'), link.textContent]),
    ).toEqual(['https://petstore.swagger.io/', 'its site']);
    expect(
      await page.$$eval('section .markdown code', (codes) => codes.map((code) => code.textContent)),
    ).toEqual(['api_key']);
    expect(await text(page, 'section .markdown')).not.toMatch(/[`*[\]]/);
    // The descriptor's documentation link, on the component and in its form.
    expect(
      await page.$eval('a::-p-text(Petstore API documentation)', (link) => link.getAttribute('href')),
    ).toBe('https://petstore.swagger.io/');
    await page.evaluate(() => {
      window.location.hash = '#/components/postgresql';
    });
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    await page.waitForSelector('#field-sslMode-help code');
    expect(
      await page.$eval('form a::-p-text(PostgreSQL documentation)', (link) => link.getAttribute('href')),
    ).toBe('https://www.postgresql.org/docs/current/libpq-connect.html');
    expect(
      await page.$$eval('#field-sslMode-help code', (codes) => codes.map((code) => code.textContent)),
    ).toEqual(['require', 'verify-full', 'disable']);
    expect(await page.$eval('#field-sslMode-help strong', (strong) => strong.textContent)).toBe('clear');
    expect(await text(page, '#field-sslMode-help')).not.toContain('`');
    await accessible(page, 'markdown-help');
    await page.close();
  });

  it('starts afresh on another component reached by URL or Back, without the last form or its errors', async () => {
    const page = await open('#/components/petstore');
    await page.waitForSelector('::-p-text(Create New Credential)');
    await page.click('::-p-text(Create New Credential)');
    await page.type('#field-apiKey', 'typed-for-petstore');
    await page.click('form button[type="submit"]');
    await page.waitForSelector('#field-apiKey-error');
    await page.evaluate(() => {
      window.location.hash = '#/components/http-api-key';
    });
    await page.waitForFunction(() => document.title.startsWith('HTTP API (API key)'));
    expect(await page.$('form #field-apiKey')).toBeNull();
    expect(await page.$('.field-error')).toBeNull();
    await page.goBack();
    await page.waitForFunction(() => document.title.startsWith('Petstore API'));
    expect(await page.$('form')).toBeNull();
    expect(await page.content()).not.toContain('typed-for-petstore');
    await page.close();
  });

  it('says a refused replacement key at its field, and clears it as the person fixes it', async () => {
    const created = await petstoreKey('Key to replace');
    const page = await open(`#/credential/${created.body.id}`);
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await page.waitForSelector('button::-p-text(Edit)');
    await page.click('button::-p-text(Edit)');
    // Focus follows each step: the form on Edit, the new field on Replace, the field at fault.
    await page.waitForFunction(() => document.activeElement?.id === 'field-name');
    await page.click('button::-p-text(Replace API key)');
    await page.waitForFunction(() => document.activeElement?.id === 'field-apiKey');
    await page.type('#field-apiKey', 'a-revoked-key');
    await page.click('form button[type="submit"]');
    await page.waitForSelector('#field-apiKey-error');
    await page.waitForFunction(() => document.activeElement?.id === 'field-apiKey');
    expect(await focused()).toBe('field-apiKey');
    expect(await text(page, '#field-apiKey-error')).toContain('refused these credentials');
    expect(await page.$eval('#field-apiKey', (input) => input.getAttribute('aria-invalid'))).toBe('true');
    await accessible(page, 'replace-refused');
    await page.type('#field-apiKey', 'x');
    expect(await page.$('#field-apiKey-error')).toBeNull();
    await page.close();
  });

  it('paints a placeholder at once on a slow network, then the first screen in its place', async () => {
    const page = await browser.newPage();
    await page.setRequestInterception(true);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    page.on('request', async (request) => {
      if (new URL(request.url()).pathname.endsWith('/config.json')) await held;
      await request.continue();
    });
    await page.goto(`${service.url}/console/#token=${token}`, { waitUntil: 'domcontentloaded' });
    expect(await text(page, '#app [role="status"]')).toBe('Loading the credentials console…');
    release();
    await page.waitForSelector('.cards');
    expect(await page.$('#app > p.busy')).toBeNull();
    await page.close();
  });

  it('shows tenant B nothing of tenant A', async () => {
    const other = await service.token('tenant-console-b');
    const page = await open('#/components/petstore', other);
    await page.waitForSelector('::-p-text(No credentials yet.)');
    expect(await page.content()).not.toContain('Pet shop');
    await page.close();
  });

  it('offers a way back from a credential that is not there, and it leads to the components', async () => {
    const page = await open('#/credential/01J00000000000000000000000.petstore');
    await page.waitForSelector('::-p-text(Back to the components)');
    await Promise.all([
      page.waitForFunction(() => window.location.hash === '#/credentials'),
      page.click('::-p-text(Back to the components)'),
    ]);
    await page.waitForSelector('::-p-text(Petstore)');
    await page.close();
  });

  it('lists what needs attention across components, with the reason, and opens the credential from there', async () => {
    const created = await petstoreKey('Attention shop');
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
    const expiring = await petstoreKey('Expiring shop');
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

  it('follows a token link pasted into the tab showing the sign-in form', async () => {
    const page = await open('');
    await page.evaluate(() => sessionStorage.clear());
    await page.reload({ waitUntil: 'networkidle0' });
    await page.waitForSelector('::-p-text(Sign in to manage)');
    const pasted = await service.token('tenant-console-c');
    await page.evaluate((value) => {
      window.location.hash = `#token=${value}`;
    }, pasted);
    // The form gives way to the console, signed in with the pasted token.
    await page.waitForSelector('::-p-text(Sign out)');
    expect(await page.$('::-p-text(Sign in to manage)')).toBeNull();
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

      // Signing in again happens in a popup (the page and what it holds stay): the provider
      // consents, the popup hands the new token to this page and closes itself.
      const exchanges = withProvider.oauth2.tokenRequests.length;
      const screenUrl = page.url();
      const closedTargets = new Set<Target>();
      context.on('targetdestroyed', (target) => closedTargets.add(target));
      const popupOpened = new Promise<Target>((resolve) => context.once('targetcreated', resolve));
      // The ended session's token goes, so what is stored afterwards is the popup's answer (the
      // provider may issue a byte-identical token within the same second).
      await page.evaluate(() => sessionStorage.removeItem('credentials-console-token'));
      await page.click('dialog[open] button::-p-text(Sign in)');
      const popup = await popupOpened;
      // The popup closes itself once it has handed the provider's answer to this page.
      if (!closedTargets.has(popup))
        await new Promise<void>((resolve) =>
          context.on('targetdestroyed', (target) => target === popup && resolve()),
        );
      await page.waitForFunction(() => sessionStorage.getItem('credentials-console-token') !== null, {
        timeout: 15_000,
      });
      expect(withProvider.oauth2.tokenRequests.length).toBe(exchanges + 1);
      expect(withProvider.oauth2.tokenRequests.at(-1)).toMatchObject({
        grantType: 'authorization_code',
        codeVerifierSent: true,
      });
      expect(page.url()).toBe(screenUrl);
      const renewed = await page.evaluate(() => sessionStorage.getItem('credentials-console-token') ?? '');

      // With a provider, a link carrying another token never replaces the session, and the token
      // leaves the URL at once, on arrival or after a same-page change.
      const planted = await withProvider.token('tenant-attacker');
      await page.goto(`${withProvider.url}/console/#token=${planted}`, { waitUntil: 'networkidle0' });
      expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBe(renewed);
      expect(page.url()).not.toContain('token=');
      await page.evaluate((token) => {
        window.location.hash = `#token=${token}`;
      }, planted);
      await page.waitForFunction(() => !window.location.hash.includes('token='));
      expect(await page.evaluate(() => sessionStorage.getItem('credentials-console-token'))).toBe(renewed);
    } finally {
      await context.close();
      await withProvider.stop();
    }
  });
});

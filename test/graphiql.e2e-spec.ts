import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Browser, chromium, Page } from 'playwright-core';
import { PASSWORD, REGISTER } from './support/flows';
import { startTestServer, TestServer } from './support/test-server';

// The browser IDE at GET /graphql, in a real browser that may reach this machine only: GraphiQL,
// React and their styles must all come from the server itself.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const TAB_TITLES = ['Register', 'ConfirmRegistration', 'Authenticate', 'Me'];
/** The Me tab's headers as it opens: a template, never a token. */
const ME_HEADERS = { Authorization: 'Bearer <accessToken>' };

/** The asset URLs the page loads (scripts and the stylesheet). */
const assetPaths = (html: string) => [...html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((m) => m[1]);

/** The text of each inline script the browser runs (a `type="application/json"` block is data, not run). */
const inlineScripts = (html: string) =>
  [...html.matchAll(/<script(?: type="([^"]*)")?(?: id="[^"]*")?>([\s\S]*?)<\/script>/g)]
    .filter(([, type]) => type === undefined || type === 'text/javascript')
    .map(([, , body]) => body);

const openPage = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

describe('GraphiQL at GET /graphql', () => {
  let server: TestServer;
  let base: string;
  let html: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = server.url.replace(/\/graphql$/, '');
    html = await (await openPage(server.url)).text();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves its page and every asset from this server, compressed and cacheable', async () => {
    expect(html).toMatch(/<title>GraphiQL<\/title>/);
    expect(html).not.toMatch(/https?:\/\//);
    const paths = assetPaths(html);
    expect(paths).toHaveLength(4);
    for (const path of paths) {
      const plain = await fetch(base + path, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('content-type')).toMatch(path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(plain.headers.get('cache-control')).toMatch(/max-age=\d{5,}/);
      expect(plain.headers.get('content-encoding')).toBeNull();
      const body = Buffer.from(await plain.arrayBuffer());

      // Read raw: fetch would undo the gzip without saying so.
      const gzipped = await rawGet(base + path, { 'accept-encoding': 'gzip, deflate' });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.body.length).toBeLessThan(body.length);
      expect(gunzipSync(gzipped.body).equals(body)).toBe(true);
    }
  });

  it('allows only its own scripts, styles and requests, and its one inline script by hash (<meta> CSP)', () => {
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    const directives = new Map(
      (policy ?? '').split(';').map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/);
        return [name, sources];
      }),
    );
    const hashes = inlineScripts(html).map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(hashes).toHaveLength(1);
    expect(Object.fromEntries(directives)).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'", ...hashes],
      // GraphiQL and CodeMirror set style attributes.
      'style-src': ["'self'", "'unsafe-inline'"],
      'font-src': ["'self'", 'data:'],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
    });
  });

  it("may not be shown in another site's frame", async () => {
    const page = await openPage(server.url);
    expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('answers 404 for anything else under /graphiql', async () => {
    expect((await fetch(`${base}/graphiql/react@18.3.1/react.development.js`)).status).toBe(404);
    expect((await fetch(`${base}/graphiql/package.json`)).status).toBe(404);
  });

  it('leaves CSRF prevention on: a simple GET or a text/plain POST is refused', async () => {
    const query = encodeURIComponent('{ __typename }');
    const get = await fetch(`${server.url}?query=${query}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF/);
    const textPost = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(textPost.status).toBe(400);
  });

  describe('in Chromium, offline', () => {
    let browser: Browser;

    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) {
        throw new Error(
          `No Chromium at ${CHROMIUM}: install Debian's with \`apt-get install -y chromium\` (.ci/run does it when missing)`,
        );
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      // The README's user, as its curl walkthrough leaves it: the Register tab must not collide with it.
      const registered = await server.gql(REGISTER, {
        input: { username: 'alice', email: 'alice@example.com', password: PASSWORD },
      });
      expect(registered.errors).toBeUndefined();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('signs in and asks who am I, with the token in the headers editor', async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const blocked: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (LOOPBACK.has(new URL(url).hostname)) return route.continue();
        blocked.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // CSP refusals are reported here too.
      page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
      const graphqlRequests: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/graphql' && request.resourceType() !== 'document') {
          graphqlRequests.push(`${request.method()} ${request.headers()['content-type']}`);
        }
      });
      // GraphiQL's own introspection query, within the server's default limits.
      const introspections: Promise<unknown>[] = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname === '/graphql' && response.request().postData()?.includes('__schema')) {
          introspections.push(response.json());
        }
      });

      try {
        await page.goto(server.url);

        // Register as it opens, with a name of this visit's own.
        await shown(page, 'variables');
        const { input } = JSON.parse(await shownEditorContaining(page, '"username"'));
        const { username } = input;
        expect(input).toEqual({ username, email: `${username}@example.com`, password: PASSWORD, name: 'Alice' });
        expect(username).toMatch(/^alice-[0-9a-f]{6}$/);
        const logged = server.logger.lines.length;
        await run(page, 'Register');
        const registered = JSON.parse(await resultContaining(page, '"userSub"'));
        expect(registered).toEqual({ data: { register: expect.objectContaining({ username, userConfirmed: false }) } });

        // The next two tabs name the same user: only the code is the user's to type.
        await tab(page, 'ConfirmRegistration').click();
        await shown(page, 'variables');
        expect(JSON.parse(await shownEditorContaining(page, '"code"'))).toEqual({
          input: { username, code: '123456' },
        });
        const code = await server.logger.codeFor(username, logged);
        await fillShownEditor(page, JSON.stringify({ input: { username, code } }));
        await run(page, 'ConfirmRegistration');
        expect(JSON.parse(await resultContaining(page, '"confirmRegistration"'))).toEqual({
          data: { confirmRegistration: true },
        });

        await tab(page, 'Authenticate').click();
        await shown(page, 'variables');
        expect(JSON.parse(await shownEditorContaining(page, '"password"'))).toEqual({
          input: { username, password: PASSWORD },
        });
        await run(page, 'Authenticate');
        const signedIn = JSON.parse(await resultContaining(page, '"accessToken"'));
        expect(signedIn.data.authenticate.__typename).toBe('AuthTokens');
        const accessToken: string = signedIn.data.authenticate.accessToken;

        // A token begins beside its key and fills each line, indented under the key: not pushed
        // to lines of its own at the left edge, nor broken at its hyphens only.
        const { key, token, charWidth } = await layoutOf(page, '"accessToken"');
        expect(token.length).toBeGreaterThan(3);
        const [first, ...rest] = token;
        expect(Math.abs(first.top - key.top)).toBeLessThan(1);
        expect(first.left).toBeGreaterThan(key.right);
        for (const piece of rest) {
          expect(Math.abs(piece.left - rest[0].left)).toBeLessThan(1);
          expect(piece.left).toBeGreaterThan(key.left);
        }
        const widest = Math.max(...token.map((piece) => piece.right));
        for (const piece of token.slice(0, -1)) expect(widest - piece.right).toBeLessThan(charWidth);

        // Me opens on its Authorization header, the one thing to fill.
        await tab(page, 'Me').click();
        await shown(page, 'headers');
        expect(JSON.parse(await shownEditorContaining(page, '"Authorization"'))).toEqual(ME_HEADERS);
        await fillShownEditor(page, JSON.stringify({ Authorization: `Bearer ${accessToken}` }, null, 2));
        await run(page, 'Me');
        const me = JSON.parse(await resultContaining(page, '"me"'));
        expect(me).toEqual({ data: { me: expect.objectContaining({ username, email: `${username}@example.com` }) } });

        // And back: a tab with variables shows them.
        await tab(page, 'Authenticate').click();
        await shown(page, 'variables');

        // The token and the password were in the editors: none of it outlives the browser tab.
        expect((await context.storageState()).origins).toEqual([]);
      } finally {
        // Taken whether the steps passed or not: on a failure it shows where the page was.
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });
        await context.close();
      }
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
      const answers = await Promise.all(introspections);
      expect(answers.length).toBeGreaterThanOrEqual(1);
      for (const answer of answers) {
        expect(answer).toEqual({ data: { __schema: expect.objectContaining({ queryType: { name: 'Query' } }) } });
      }
      // The schema's introspection and both operations: JSON POSTs, which CSRF prevention lets through.
      expect(graphqlRequests.length).toBeGreaterThanOrEqual(3);
      expect(new Set(graphqlRequests)).toEqual(new Set(['POST application/json']));
    }, 60000);

    it('names a new user each visit, and keeps it and the tabs across a reload of the same browser tab', async () => {
      const context = await browser.newContext();
      try {
        const firstVisit = await context.newPage();
        await firstVisit.goto(server.url);
        const first = await registerTabUsername(firstVisit);
        // GraphiQL keeps its tabs a moment after a change (debounced): a reload before would be a first visit.
        // A function, not a string: a string is run by eval in the page, which its CSP refuses (when polled).
        await firstVisit.waitForFunction(
          () => (globalThis as unknown as PageGlobals).sessionStorage.getItem('graphiql:tabState') !== null,
        );
        await firstVisit.reload();
        expect(await registerTabUsername(firstVisit)).toBe(first);
        // The same tabs, not one more (GraphiQL adds a tab when the one it reopens has other text).
        expect(await firstVisit.locator('.graphiql-tab-button').allTextContents()).toEqual(TAB_TITLES);

        // Headers are not kept, yet Me, reopened by a click after the reload, has its template.
        await tab(firstVisit, 'Me').click();
        await shown(firstVisit, 'headers');
        expect(JSON.parse(await shownEditorContaining(firstVisit, '"Authorization"'))).toEqual(ME_HEADERS);

        // Reloaded on Me with a token typed in: Me opens on its Headers again, with the template, not
        // the token (GraphiQL tells of no tab change at load), and keeps it across a switch and back.
        await fillShownEditor(firstVisit, JSON.stringify({ Authorization: 'Bearer typed-token' }));
        await firstVisit.waitForFunction(
          (me) =>
            JSON.parse((globalThis as unknown as PageGlobals).sessionStorage.getItem('graphiql:tabState')!)
              .activeTabIndex === me,
          TAB_TITLES.indexOf('Me'),
        );
        await firstVisit.reload();
        await shown(firstVisit, 'headers');
        expect(JSON.parse(await shownEditorContaining(firstVisit, '"Authorization"'))).toEqual(ME_HEADERS);
        expect(await firstVisit.locator('.graphiql-tab-button').allTextContents()).toEqual(TAB_TITLES);
        await tab(firstVisit, 'Authenticate').click();
        await shown(firstVisit, 'variables');
        await tab(firstVisit, 'Me').click();
        await shown(firstVisit, 'headers');
        expect(JSON.parse(await shownEditorContaining(firstVisit, '"Authorization"'))).toEqual(ME_HEADERS);

        const secondVisit = await context.newPage();
        await secondVisit.goto(server.url);
        const second = await registerTabUsername(secondVisit);
        expect(second).toMatch(/^alice-[0-9a-f]{6}$/);
        expect(second).not.toBe(first);
      } finally {
        await context.close();
      }
    }, 60000);

    it('does not run a script injected into the page (its CSP holds in the browser)', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const refusals: string[] = [];
      page.on('console', (message) => message.type() === 'error' && refusals.push(message.text()));
      try {
        await page.goto(server.url);
        await page.waitForSelector('.graphiql-container');
        // As an injection would: a script element of the page's own, with inline code.
        const ran = await page.evaluate(`(() => {
          const injected = document.createElement('script');
          injected.textContent = 'document.body.dataset.injected = "ran"';
          document.head.appendChild(injected);
          return document.body.dataset.injected === 'ran';
        })()`);
        expect(ran).toBe(false);
        expect(refusals.join('\n')).toMatch(/Content Security Policy/);
      } finally {
        await context.close();
      }
    }, 60000);
  });
});

describe('GraphiQL turned off', () => {
  it('serves neither the page nor its assets (production without GRAPHQL_IDE, or GRAPHQL_IDE=false)', async () => {
    const on = await startTestServer();
    const off = await startTestServer({ GRAPHQL_IDE: 'false' });
    try {
      const paths = assetPaths(await (await openPage(on.url)).text());
      const page = await openPage(off.url);
      expect(page.headers.get('content-type') ?? '').not.toMatch(/html/);
      expect(await page.text()).not.toMatch(/<html/i);
      for (const path of paths) {
        expect((await fetch(off.url.replace(/\/graphql$/, '') + path)).status).toBe(404);
      }
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });
});

/** A tab of GraphiQL's tab bar, by its title (the operation's name). */
const tab = (page: Page, title: string) => page.getByRole('button', { name: title, exact: true });

/** Waits until the editor below the query shows its Variables or its Headers. */
const shown = (page: Page, editor: 'variables' | 'headers') =>
  page.locator(`.graphiql-editor-tools button.active[data-name="${editor}"]`).waitFor();

const SHOWN_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';

/** The whole text of the editor shown below the query, once `expected` shows in it. */
async function shownEditorContaining(page: Page, expected: string): Promise<string> {
  const editor = page.locator(SHOWN_EDITOR);
  await editor.getByText(expected).first().waitFor();
  return editor.evaluate((element) => (element as unknown as CodeMirrorHost).CodeMirror.getValue());
}

/** Replaces the text of the editor shown below the query, as a paste would. */
async function fillShownEditor(page: Page, text: string): Promise<void> {
  await page.locator(SHOWN_EDITOR).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

/** The username in the Register tab's variables (it opens on that tab). */
async function registerTabUsername(page: Page): Promise<string> {
  await shown(page, 'variables');
  return JSON.parse(await shownEditorContaining(page, '"username"')).input.username;
}

interface Box {
  left: number;
  right: number;
  top: number;
}

/** Where the result pane draws a key and, piece by piece (one a line), the string after it. */
async function layoutOf(page: Page, key: string): Promise<{ key: Box; token: Box[]; charWidth: number }> {
  return page.locator('.result-window').evaluate((result, key) => {
    const box = ({ left, right, top }: Box) => ({ left, right, top });
    const keyElement = [...result.querySelectorAll('.cm-property')].find((element) => element.textContent === key)!;
    let value = keyElement.nextElementSibling;
    while (value && !value.classList.contains('cm-string')) value = value.nextElementSibling;
    const keyBox = keyElement.getBoundingClientRect();
    return {
      key: box(keyBox),
      token: [...value!.getClientRects()].map(box),
      charWidth: keyBox.width / key.length,
    };
  }, key);
}

/**
 * Runs the shown tab's operation, once GraphiQL has read its name: it parses the query editor 100 ms
 * (debounced) after a change, so a click sooner after a switch of tab sends the previous tab's
 * name ("Unknown operation named \"ConfirmRegistration\"", seen in 2 runs of 3).
 */
async function run(page: Page, operationName: string): Promise<void> {
  await page.waitForFunction((name) => {
    const { document } = globalThis as unknown as PageGlobals;
    const host = document.querySelector('.graphiql-query-editor .CodeMirror') as CodeMirrorHost | null;
    return host?.CodeMirror.operationName === name;
  }, operationName);
  await page.getByRole('button', { name: /^Execute query/ }).click();
}

/** The result editor's whole text, once `expected` shows in it. */
async function resultContaining(page: Page, expected: string): Promise<string> {
  const result = page.locator('.result-window');
  await result.getByText(expected).first().waitFor();
  return result
    .locator('.CodeMirror')
    .evaluate((element) => (element as unknown as CodeMirrorHost).CodeMirror.getValue());
}

/** What a predicate run in the page reads of its globals (the tests are compiled without the DOM's types). */
interface PageGlobals {
  sessionStorage: { getItem(key: string): string | null };
  document: { querySelector(selector: string): unknown };
}

interface CodeMirrorHost {
  CodeMirror: { getValue(): string; operationName?: string | null };
}

/** A GET whose body is returned as sent (fetch would decompress it). */
async function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

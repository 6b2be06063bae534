import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Browser, chromium, Page } from 'playwright-core';
import { CONFIRM, PASSWORD, REGISTER } from './support/flows';
import { startTestServer, TestServer } from './support/test-server';

// The browser IDE at GET /graphql, in a real browser that may reach this machine only: GraphiQL,
// React and their styles must all come from the server itself.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

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
    let username: string;

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
      username = 'graphiql-user';
      const logged = server.logger.lines.length;
      const registered = await server.gql(REGISTER, {
        input: { username, email: `${username}@example.com`, password: PASSWORD },
      });
      expect(registered.errors).toBeUndefined();
      const code = await server.logger.codeFor(username, logged);
      expect((await server.gql(CONFIRM, { input: { username, code } })).data).toEqual({ confirmRegistration: true });
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
        await tab(page, 'Authenticate').click();
        await fillEditor(page, 'Variables', JSON.stringify({ input: { username, password: PASSWORD } }));
        await run(page);
        const signedIn = JSON.parse(await resultContaining(page, '"accessToken"'));
        expect(signedIn.data.authenticate.__typename).toBe('AuthTokens');

        await tab(page, 'Me').click();
        await fillEditor(
          page,
          'Headers',
          JSON.stringify({ Authorization: `Bearer ${signedIn.data.authenticate.accessToken}` }, null, 2),
        );
        await run(page);
        const me = JSON.parse(await resultContaining(page, '"me"'));
        expect(me).toEqual({ data: { me: expect.objectContaining({ username, email: `${username}@example.com` }) } });

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

/** Replaces the text of the Variables or Headers editor, as a paste would. */
async function fillEditor(page: Page, editor: 'Variables' | 'Headers', text: string): Promise<void> {
  await page.getByRole('button', { name: editor, exact: true }).click();
  await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

const run = (page: Page) => page.getByRole('button', { name: /^Execute query/ }).click();

/** The result editor's whole text, once `expected` shows in it. */
async function resultContaining(page: Page, expected: string): Promise<string> {
  const result = page.locator('.result-window');
  await result.getByText(expected).first().waitFor();
  return result
    .locator('.CodeMirror')
    .evaluate((element) => (element as unknown as CodeMirrorHost).CodeMirror.getValue());
}

interface CodeMirrorHost {
  CodeMirror: { getValue(): string };
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

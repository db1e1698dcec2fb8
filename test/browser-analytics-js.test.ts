import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, bearer, startTestSegmentum } from './helpers.js';
import { CHROMIUM, CHROMIUM_FLAGS, noBrowser } from './support/browser.js';

/**
 * analytics.js (@segment/analytics-next, its published browser bundles) in a real headless Chromium, loading its
 * settings from Segmentum and sending to it. The page comes from a second local server, so every call to Segmentum
 * is cross-origin, as on a customer's site, and goes through CORS preflights.
 */

const UMD_DIR = fileURLToPath(new URL('../node_modules/@segment/analytics-next/dist/umd/', import.meta.url));
const LIBRARY_VERSION = (JSON.parse(readFileSync(new URL('../node_modules/@segment/analytics-next/package.json', import.meta.url), 'utf8')) as {
  version: string;
}).version;

interface SentRequest {
  method: string;
  path: string;
  body: string | null;
  /** null until the response arrives (and for ever if the request fails). */
  status: number | null;
  allowOrigin: string | null;
}

interface StoredEvent {
  messageId: string;
  type: string;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  sentAt: string | null;
  messageIdGenerated: boolean;
}

interface Profile {
  id: string;
  traits: Record<string, unknown>;
  personal: Record<string, unknown>;
  identities: { kind: string; value: string }[];
  events: { total: number };
}

/** A Segment message as analytics.js puts it on the wire. */
interface WireMessage {
  type: string;
  messageId: string;
  userId?: string | null;
  anonymousId?: string;
  writeKey?: string;
}

/**
 * Serves the test pages and the analytics.js bundles where the library expects its CDN to hold them: the standalone
 * build at /analytics.js/v1/<writeKey>/analytics.min.js and the lazy chunks under /analytics-next/bundles/.
 */
function startStaticServer(pages: Map<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const page = pages.get(path);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    let file: string | null = null;
    if (/^\/analytics\.js\/v1\/[^/]+\/analytics\.min\.js$/.test(path)) file = 'standalone.js';
    else if (path === '/umd/index.js') file = 'index.js';
    else if (path.startsWith('/analytics-next/bundles/')) file = basename(path);
    // basename() keeps requests inside the bundle folder whatever the path says.
    if (file === null || !/\.js$/.test(file) || !existsSync(UMD_DIR + file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
    res.end(readFileSync(UMD_DIR + file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const originOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * Segment's async snippet (the 5.x form, which queues calls made before the library loads), changed only where a
 * self-hosted install changes it: the script URL, and `analytics._cdn`, which makes analytics.js read its settings
 * from Segmentum instead of cdn.segment.com.
 */
function snippetPage(staticOrigin: string, segmentumOrigin: string, calls: string): string {
  return `<!doctype html><html><head><title>Browser test</title><script>
!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel='canonical']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);t.src="${staticOrigin}/analytics.js/v1/" + key + "/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};analytics._writeKey="${WRITE_KEY}";analytics._cdn="${segmentumOrigin}";analytics.SNIPPET_VERSION="5.2.0";
analytics.load("${WRITE_KEY}");
${calls}
}}();
</script></head><body><p>Segmentum browser test</p></body></html>`;
}

/** The npm-style UMD build: `AnalyticsNext.AnalyticsBrowser.load(settings, options)`. */
function umdPage(staticOrigin: string, body: string): string {
  // The bundle fixes where it loads its chunks from when it starts, from `analytics._cdn`.
  return `<!doctype html><html><head><title>Browser test (batching)</title>
<script>window.analytics = { _cdn: ${JSON.stringify(staticOrigin)} };</script>
<script src="${staticOrigin}/umd/index.js"></script>
<script>${body}</script></head><body><p>Segmentum browser test</p></body></html>`;
}

async function adminGet<T>(s: Segmentum, url: string): Promise<{ status: number; body: T }> {
  const res = await s.app.inject({ url, headers: { authorization: bearer(ADMIN_KEY) } });
  return { status: res.statusCode, body: res.json<T>() };
}

/** Polls until `probe` returns a value (analytics.js sends asynchronously); after `ms`, fails showing `state`. */
async function waitFor<T>(what: string, probe: () => Promise<T | null>, state: () => unknown, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}; network: ${JSON.stringify(state(), null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function timelineOf(s: Segmentum, profileId: string): Promise<StoredEvent[]> {
  const res = await adminGet<{ events: StoredEvent[] }>(s, `/api/profiles/${encodeURIComponent(profileId)}/events?limit=100`);
  expect(res.status).toBe(200);
  return res.body.events;
}

interface Network {
  /** Requests to Segmentum, in the order the page made them. */
  sent: SentRequest[];
  /** Requests to any host but the two local servers (none should be tried). */
  outside: string[];
  failed: string[];
  consoleErrors: string[];
}

/**
 * Watches what the page asks of Segmentum. No page.route here: with any route installed Playwright answers CORS
 * preflights itself and adds CORS headers, which would hide Segmentum's own CORS handling.
 */
function watchNetwork(page: Page, segmentumOrigin: string, staticOrigin: string): Network {
  const net: Network = { sent: [], outside: [], failed: [], consoleErrors: [] };
  const byRequest = new Map<Request, SentRequest>();
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.origin === staticOrigin) return;
    if (url.origin !== segmentumOrigin) {
      net.outside.push(url.href);
      return;
    }
    const sent: SentRequest = { method: req.method(), path: url.pathname, body: req.postData(), status: null, allowOrigin: null };
    byRequest.set(req, sent);
    net.sent.push(sent);
  });
  page.on('response', (res) => {
    const sent = byRequest.get(res.request());
    if (!sent) return;
    sent.status = res.status();
    sent.allowOrigin = res.headers()['access-control-allow-origin'] ?? null;
  });
  page.on('requestfailed', (req) => net.failed.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText ?? '?'}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') net.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (e) => net.consoleErrors.push(String(e)));
  return net;
}

/** What reached Segmentum's HTTP server, preflights included (the browser does not report those to Playwright). */
function serverLog(s: Segmentum): string[] {
  const log: string[] = [];
  s.app.server.on('request', (req: IncomingMessage) => log.push(`${req.method ?? '?'} ${new URL(req.url ?? '/', 'http://x').pathname}`));
  return log;
}

/** Nothing left the machine, nothing failed, and every answer from Segmentum was a 200 the page was allowed to read. */
function expectCleanNetwork(net: Network, staticOrigin: string): void {
  expect(net.outside).toEqual([]);
  expect(net.failed).toEqual([]);
  expect(net.consoleErrors).toEqual([]);
  expect(net.sent.length).toBeGreaterThan(0);
  for (const r of net.sent) {
    expect({ request: `${r.method} ${r.path}`, status: r.status, allowOrigin: r.allowOrigin }).toEqual({
      request: `${r.method} ${r.path}`,
      status: 200,
      allowOrigin: staticOrigin,
    });
  }
}

// Without Chromium there is no browser to drive: skipped with the reason printed, except in CI where it must run.
const noChromium = noBrowser('browser-analytics-js');

describe('analytics.js in headless Chromium', () => {
  let browser: Browser | undefined;
  let staticServer: Server | undefined;
  const pages = new Map<string, string>();
  let s: Segmentum | undefined;

  beforeAll(async () => {
    if (noChromium) return;
    staticServer = await startStaticServer(pages);
    // launch() gives every browser a fresh temporary profile (Playwright refuses a --user-data-dir argument).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        ...CHROMIUM_FLAGS,
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
        // Any host name but the local servers fails to resolve: nothing can reach the internet (cdn.segment.com, api.segment.io).
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (staticServer ? staticServer.close(() => resolve()) : resolve()));
  });

  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  // Skipped only where Chromium is missing outside CI (noBrowser): the test needs a real browser.
  it.skipIf(noChromium)('snippet + standalone build: settings from Segmentum, one request per call, events stored and linked', async () => {
    s = await startTestSegmentum();
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const received = serverLog(s);
    const segOrigin = originOf(s.app.server);
    const staticOrigin = originOf(staticServer as Server);
    pages.set(
      '/shop.html',
      snippetPage(
        staticOrigin,
        segOrigin,
        `analytics.identify('u-browser', { email: 'browser.user@example.fr', plan: 'pro' });
analytics.track('Product Viewed', { sku: 'SKU-42', price: 19.99 });
analytics.page();`,
      ),
    );

    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    const net = watchNetwork(page, segOrigin, staticOrigin);
    const pageUrl = `${staticOrigin}/shop.html?ref=test`;
    await page.goto(pageUrl);

    // Three calls -> three stored events on one profile.
    const profile = await waitFor('the u-browser profile with 3 events', async () => {
      const res = await adminGet<Profile>(s as Segmentum, '/api/profiles?userId=u-browser');
      return res.status === 200 && res.body.events.total >= 3 ? res.body : null;
    }, () => ({ net, received }));
    const browserAnonymousId = await page.evaluate('analytics.user().anonymousId()');
    // Let any late retry or duplicate arrive before counting.
    await page.waitForTimeout(500);
    const userAgent = await page.evaluate('navigator.userAgent');
    await context.close();

    expectCleanNetwork(net, staticOrigin);

    // The settings came from Segmentum and the events went to the apiHost its settings name, one request per call.
    const toSegmentum = net.sent;
    expect(toSegmentum.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [`GET /v1/projects/${WRITE_KEY}/settings`, 'POST /v1/i', 'POST /v1/p', 'POST /v1/t'].sort(),
    );
    // Basic auth makes each POST a preflighted CORS request, and Segmentum itself answered the preflights.
    expect(new Set(received.filter((r) => r.startsWith('OPTIONS ')))).toEqual(new Set(['OPTIONS /v1/i', 'OPTIONS /v1/t', 'OPTIONS /v1/p']));
    expect(received.filter((r) => !r.startsWith('OPTIONS ')).sort()).toEqual(toSegmentum.map((r) => `${r.method} ${r.path}`).sort());
    const wire = toSegmentum.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body ?? 'null') as WireMessage);
    expect(wire.every((m) => m.writeKey === WRITE_KEY)).toBe(true);

    const stats = await adminGet<{ events: number; duplicates: number; quarantined: number }>(s, '/api/stats');
    expect(stats.body).toMatchObject({ events: 3, duplicates: 0, quarantined: 0 });

    const events = await timelineOf(s, profile.id);
    expect(events).toHaveLength(3);
    const byType = new Map(events.map((e) => [e.type, e]));
    const identify = byType.get('identify');
    const track = byType.get('track');
    const pageView = byType.get('page');
    if (!identify || !track || !pageView) throw new Error(`expected identify, track and page, got ${events.map((e) => e.type).join(', ')}`);

    // One browser, one anonymousId, shared by the three calls and linked to the userId's profile.
    const anonymousId = identify.anonymousId;
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(anonymousId).toBe(browserAnonymousId);
    for (const e of events) {
      expect(e.anonymousId).toBe(anonymousId);
      expect(e.userId).toBe('u-browser');
      // The messageId is the library's (not one Segmentum made up) and the one it put on the wire.
      expect(e.messageIdGenerated).toBe(false);
      expect(e.messageId).toMatch(/^ajs-next-\d+-/);
      expect(wire.find((m) => m.type === e.type)?.messageId).toBe(e.messageId);
      expect(e.sentAt).not.toBeNull();
      const ctx = e.context;
      expect(ctx.library).toEqual({ name: 'analytics.js', version: `next-${LIBRARY_VERSION}` });
      expect(ctx.userAgent).toBe(userAgent);
      expect(ctx.ip).toBe('127.0.0.1');
      expect(ctx.page).toMatchObject({ url: pageUrl, path: '/shop.html', search: '?ref=test', title: 'Browser test' });
    }
    const byAnon = await adminGet<Profile>(s, `/api/profiles?anonymousId=${encodeURIComponent(anonymousId ?? '')}`);
    expect(byAnon.body.id).toBe(profile.id);
    expect(profile.identities.map((i) => i.kind).sort()).toEqual(['anonymous_id', 'email', 'user_id']);

    expect(identify.event).toBeNull();
    expect(identify.traits).toEqual({ plan: 'pro' }); // the email goes to the PII vault, not the event's traits
    expect(profile.traits).toMatchObject({ plan: 'pro' });
    expect(profile.personal).toMatchObject({ email: 'browser.user@example.fr' });

    expect(track.event).toBe('Product Viewed');
    expect(track.properties).toEqual({ sku: 'SKU-42', price: 19.99 });

    expect(pageView.event).toBeNull();
    expect(pageView.properties).toMatchObject({ url: pageUrl, path: '/shop.html', search: '?ref=test', title: 'Browser test' });
  });

  it.skipIf(noChromium)('AnalyticsBrowser.load with batching: events arrive in /v1/b batches and are stored exactly once', async () => {
    s = await startTestSegmentum();
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const received = serverLog(s);
    const segOrigin = originOf(s.app.server);
    const staticOrigin = originOf(staticServer as Server);
    const apiHost = `127.0.0.1:${(s.app.server.address() as AddressInfo).port}/v1`;
    pages.set(
      '/batch.html',
      umdPage(
        staticOrigin,
        `window.ajsReady = AnalyticsNext.AnalyticsBrowser.load(
  { writeKey: ${JSON.stringify(WRITE_KEY)}, cdnURL: ${JSON.stringify(segOrigin)} },
  { integrations: { 'Segment.io': { apiHost: ${JSON.stringify(apiHost)}, protocol: 'http',
      deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 300 } } } } },
).then(([analytics]) => { window.ajs = analytics; return true; });`,
      ),
    );

    const context = await (browser as Browser).newContext();
    const page = await context.newPage();
    const net = watchNetwork(page, segOrigin, staticOrigin);
    await page.goto(`${staticOrigin}/batch.html`);
    expect(await page.evaluate('window.ajsReady')).toBe(true);
    // Four calls with a batch size of 3: one full batch at once, the last event after the 300 ms timeout.
    await page.evaluate(`Promise.all([
      ajs.identify('u-batch', { plan: 'team' }),
      ajs.track('Added To Cart', { sku: 'B-1', qty: 2 }),
      ajs.track('Checkout Started', { total: 40 }),
      ajs.page('Checkout'),
    ])`);

    const profile = await waitFor('the u-batch profile with 4 events', async () => {
      const res = await adminGet<Profile>(s as Segmentum, '/api/profiles?userId=u-batch');
      return res.status === 200 && res.body.events.total >= 4 ? res.body : null;
    }, () => ({ net, received }));
    await page.waitForTimeout(800);
    await context.close();

    expectCleanNetwork(net, staticOrigin);

    expect(net.sent.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/projects/${WRITE_KEY}/settings`, 'POST /v1/b', 'POST /v1/b']);
    expect(received.filter((r) => !r.startsWith('OPTIONS '))).toEqual(net.sent.map((r) => `${r.method} ${r.path}`));
    expect(received).toContain('OPTIONS /v1/b');
    const posts = net.sent.filter((r) => r.method === 'POST');
    const batches = posts.map((r) => JSON.parse(r.body ?? 'null') as { writeKey: string; batch: WireMessage[] });
    expect(batches.map((b) => b.batch.length)).toEqual([3, 1]);
    expect(batches.every((b) => b.writeKey === WRITE_KEY)).toBe(true);
    const sentIds = batches.flatMap((b) => b.batch.map((m) => m.messageId));
    expect(new Set(sentIds).size).toBe(4);

    const stats = await adminGet<{ events: number; duplicates: number; quarantined: number }>(s, '/api/stats');
    expect(stats.body).toMatchObject({ events: 4, duplicates: 0, quarantined: 0 });
    const events = await timelineOf(s, profile.id);
    expect(events.map((e) => e.messageId).sort()).toEqual([...sentIds].sort());
    const anonymousIds = new Set(events.map((e) => e.anonymousId));
    expect(anonymousIds.size).toBe(1);
    const anonymousId = [...anonymousIds][0] ?? '';
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await adminGet<Profile>(s, `/api/profiles?anonymousId=${encodeURIComponent(anonymousId)}`)).body.id).toBe(profile.id);
    for (const e of events) {
      expect(e.userId).toBe('u-batch');
      expect(e.messageIdGenerated).toBe(false);
      // sentAt is the batch's, applied to each event.
      expect(e.sentAt).not.toBeNull();
      expect(e.context.library).toEqual({ name: 'analytics.js', version: `next-${LIBRARY_VERSION}` });
      expect(e.context.page).toMatchObject({ url: `${staticOrigin}/batch.html`, path: '/batch.html' });
    }
    expect(events.filter((e) => e.type === 'track').map((e) => [e.event, e.properties]).sort()).toEqual([
      ['Added To Cart', { sku: 'B-1', qty: 2 }],
      ['Checkout Started', { total: 40 }],
    ]);
    const pageView = events.find((e) => e.type === 'page');
    expect(pageView?.event).toBe('Checkout');
    expect(pageView?.properties).toMatchObject({ name: 'Checkout', url: `${staticOrigin}/batch.html` });
  });
});

/**
 * The tracking code shown in the settings, with a write key and Segmentum's address filled in. Pure functions of
 * (key, origin): docs/ingest.md describes each form, and test/browser-analytics-js.test.ts runs the snippet's form.
 */

export interface Snippets {
  npm: string;
  snippet: string;
  curl: string;
  pixelUrl: string;
  pixelImg: string;
}

/** JSON text as base64url (the pixel's `data`): UTF-8 bytes, `-` and `_`, no padding. */
export function base64url(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const js = (s: string): string => JSON.stringify(s);
/** A shell word in single quotes. */
const sh = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

// Segment's async snippet, 5.x form, split into lines at statement ends so the two lines to know about stand out.
const snippetHead =
  '!function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){return function(){if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){var c=document.querySelector("link[rel=\'canonical\']");n.push({__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer})}n.unshift(e);analytics.push(n);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);';
const snippetLoadTail = 'var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n};';

export function buildSnippets(writeKey: string, origin: string): Snippets {
  const npm = [
    "import { AnalyticsBrowser } from '@segment/analytics-next';",
    '',
    'export const analytics = AnalyticsBrowser.load({',
    `  writeKey: ${js(writeKey)},`,
    `  cdnURL: ${js(origin)}, // Segmentum's address`,
    '});',
    '',
    "analytics.identify('usr_42', { plan: 'pro' });",
    "analytics.track('Product Viewed', { sku: 'SKU-42', price: 19.99 });",
  ].join('\n');

  const snippet = [
    '<script>',
    `  ${snippetHead}`,
    '  t.src="https://static.example.com/analytics.js/v1/" + key + "/analytics.min.js"; // your copy of analytics.js',
    `  ${snippetLoadTail}`,
    `  analytics._writeKey=${js(writeKey)};`,
    `  analytics._cdn=${js(origin)}; // Segmentum's address`,
    '  analytics.SNIPPET_VERSION="5.2.0";',
    `  analytics.load(${js(writeKey)});`,
    '  analytics.page();',
    '  }}();',
    '</script>',
  ].join('\n');

  const curl = [
    `curl -u ${sh(`${writeKey}:`)} ${origin}/v1/track \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d '{"userId":"usr_42","event":"Order Completed","properties":{"revenue":129.9,"currency":"EUR"}}'`,
  ].join('\n');

  const data = base64url(JSON.stringify({ userId: 'usr_42', event: 'Email Opened', properties: { campaign: 'newsletter' } }));
  const pixelUrl = `${origin}/v1/pixel/track?writeKey=${encodeURIComponent(writeKey)}&data=${data}`;
  const pixelImg = `<img src="${pixelUrl.replace(/&/g, '&amp;')}" width="1" height="1" alt="">`;

  return { npm, snippet, curl, pixelUrl, pixelImg };
}

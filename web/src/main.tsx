import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

// After an upgrade the old page's chunks are gone from the server: loading a page's code then fails, and a reload
// fetches the new build. Once only, so a server that really lost its files does not make the page reload in a loop.
window.addEventListener('vite:preloadError', (event) => {
  if (sessionStorage.getItem('segmentum.reloaded') === '1') return;
  sessionStorage.setItem('segmentum.reloaded', '1');
  event.preventDefault();
  window.location.reload();
});
window.addEventListener('load', () => setTimeout(() => sessionStorage.removeItem('segmentum.reloaded'), 10_000));

render(<App />, document.getElementById('app')!);

/**
 * The script that makes a page live (served at <area>/assets/live.js; no inline script). An
 * element with `data-live` (the URL of a server-sent event stream) and `data-poll` (its polling
 * trigger) refreshes itself through htmx on every `changed` event while the stream is open, and
 * falls back to polling whenever the stream fails (EventSource keeps reconnecting meanwhile).
 * Without EventSource, or without the script, the element just polls.
 */
export const LIVE_CLIENT_JS = `(function () {
  'use strict';
  var SELECTOR = '[data-live]';
  var first = document.querySelector(SELECTOR);
  if (!first || typeof EventSource !== 'function' || !window.htmx) return;
  var streaming = false;
  function each(fn) { Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), fn); }
  function mode(el) {
    var wanted = streaming ? 'live-change' : el.getAttribute('data-poll');
    if (el.getAttribute('hx-trigger') !== wanted) { el.setAttribute('hx-trigger', wanted); window.htmx.process(el); }
  }
  function state(name) { streaming = name === 'streaming'; document.body.setAttribute('data-live-state', name); each(mode); }
  var source = new EventSource(first.getAttribute('data-live'));
  source.addEventListener('open', function () { state('streaming'); });
  source.addEventListener('error', function () { state('polling'); });
  source.addEventListener('changed', function () { each(function (el) { window.htmx.trigger(el, 'live-change'); }); });
  // A swapped-in element comes with the polling trigger: it follows the stream's state.
  document.body.addEventListener('htmx:load', function (e) { var el = e.detail.elt; if (el && el.matches && el.matches(SELECTOR)) mode(el); });
})();
`;

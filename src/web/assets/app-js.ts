/**
 * @module web/assets/app-js
 * The pages' small progressive script, served as /web/assets/app.js: it only adds conveniences (a confirmation
 * before destructive actions, following the "continue to sign in" link at once); every page works without it.
 */
export const APP_JS = `"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
const follow = document.querySelector('a[data-follow="now"]');
if (follow instanceof HTMLAnchorElement) window.location.assign(follow.href);
`;

/**
 * @module web/assets/app-js
 * The pages' small progressive script, served as /web/assets/app.js: it only adds conveniences (a confirmation
 * before destructive actions); every page works without it.
 */
export const APP_JS = `"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
`;

/**
 * Error bodies an upstream sends are quoted on one line and never as markup (src/registry/upstream-errors.ts): a
 * web server's or a proxy's HTML error page becomes its text.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { summarizeBody } from "../../../src/registry/upstream-errors";

test("an Express error page becomes the text of its body", () => {
  const page =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot POST /mpc</pre>\n</body>\n</html>\n';
  assert.equal(summarizeBody(page), "Cannot POST /mpc");
});

test("an nginx page keeps its words and decodes entities", () => {
  const page =
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 &amp; gone</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";
  assert.equal(summarizeBody(page), "404 & gone nginx");
});

test("a page with an empty body falls back to its title", () => {
  assert.equal(summarizeBody("<html><head><title>Bad Gateway</title></head><body></body></html>"), "Bad Gateway");
});

test("a plain body is one line, and text that merely contains a tag is left as is", () => {
  assert.equal(summarizeBody("line one\n  line two\n"), "line one line two");
  assert.equal(summarizeBody("expected <string>, got number"), "expected <string>, got number");
});

// The widget reads the answers' markdown as smp/markup.py does: both test
// suites check their renderer against the same cases, tests/markup_cases.json.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { installDom, uninstallDom } from "./support.mjs";

const CASES = JSON.parse(readFileSync(new URL("../markup_cases.json", import.meta.url), "utf8"));

let window;
let render;

before(async () => {
  window = installDom();
  render = await import("../../web/widget/render.js");
});
after(() => uninstallDom(window));

/** Inline nodes as the shared cases write them: text, {strong}, {em}, {a, href}. */
function inline(nodes) {
  const out = [];
  for (const node of nodes) {
    if (node.nodeType === 3) {
      if (!node.data) continue;
      if (typeof out[out.length - 1] === "string") out[out.length - 1] += node.data;
      else out.push(node.data);
      continue;
    }
    const tag = node.tagName.toLowerCase();
    if (tag === "a") out.push({ a: inline(node.childNodes), href: node.getAttribute("href") });
    else out.push({ [tag]: inline(node.childNodes) });
  }
  return out;
}

/** A paragraph's lines: its inline nodes cut at each <br>. */
function lines(paragraph) {
  const cut = [[]];
  for (const node of paragraph.childNodes) {
    if (node.nodeType === 1 && node.tagName.toLowerCase() === "br") cut.push([]);
    else cut[cut.length - 1].push(node);
  }
  return cut.map(inline);
}

/** The rendered DOM in the shape of the shared cases. */
function tree(fragment) {
  return [...fragment.childNodes].map((block) => {
    const tag = block.tagName.toLowerCase();
    if (tag === "p") return { p: lines(block) };
    const entry = { [tag]: [...block.children].map((item) => inline(item.childNodes)) };
    if (block.getAttribute("start")) entry.start = Number(block.getAttribute("start"));
    return entry;
  });
}

describe("the widget renders every shared markdown case as smp/markup.py reads it", () => {
  for (const { name, markdown, tree: expected } of CASES) {
    test(name, () => {
      assert.deepEqual(tree(render.renderRichText(markdown)), expected);
    });
  }
});

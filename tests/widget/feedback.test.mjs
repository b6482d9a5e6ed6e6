import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { installDom, uninstallDom } from "./support.mjs";

let window;
let feedback;
let socket;

before(async () => {
  window = installDom();
  feedback = await import("../../web/widget/feedback.js");
  socket = await import("../../web/widget/socket.js");
});
after(() => uninstallDom(window));

const ANSWER = { id: 7, version: 3 };

describe("createFeedbackSender", () => {
  test("posts the vote with the conversation's id and token to the server", async () => {
    const calls = [];
    const sender = feedback.createFeedbackSender({
      serverUrl: "https://rasa.clinic.test/",
      sessionId: () => "conv-1",
      sessionToken: () => "tok-1",
      fetchImpl: async (url, options) => {
        calls.push([url, options]);
        return { ok: true };
      },
    });
    assert.equal(await sender.send({ answer: ANSWER, helpful: false, comment: "too long" }), true);
    const [[url, options]] = calls;
    assert.equal(url, "https://rasa.clinic.test/webhooks/feedback/answers");
    assert.equal(options.method, "POST");
    assert.deepEqual(JSON.parse(options.body), {
      session_id: "conv-1",
      token: "tok-1",
      answer_id: 7,
      version: 3,
      helpful: false,
      comment: "too long",
    });
  });

  test("sends nothing without a token, and reports a refusal or a network error", async () => {
    let called = 0;
    const refuse = async () => {
      called += 1;
      return { ok: false };
    };
    const noToken = feedback.createFeedbackSender({
      serverUrl: "",
      sessionId: () => "conv-1",
      sessionToken: () => null,
      fetchImpl: refuse,
    });
    assert.equal(await noToken.send({ answer: ANSWER, helpful: true }), false);
    assert.equal(called, 0);
    const refused = feedback.createFeedbackSender({
      serverUrl: "",
      sessionId: () => "c",
      sessionToken: () => "t",
      fetchImpl: refuse,
    });
    assert.equal(await refused.send({ answer: ANSWER, helpful: true }), false);
    const offline = feedback.createFeedbackSender({
      serverUrl: "",
      sessionId: () => "c",
      sessionToken: () => "t",
      fetchImpl: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    assert.equal(await offline.send({ answer: ANSWER, helpful: true }), false);
  });
});

describe("feedbackNode", () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  test("one tap votes; then a comment can follow", async () => {
    const votes = [];
    const comments = [];
    const node = feedback.feedbackNode({
      given: null,
      onVote: async (helpful) => votes.push(helpful) > 0,
      onComment: async (text) => comments.push(text) > 0,
    });
    const down = node.querySelector(".smp-thumb--down");
    const form = node.querySelector("form");
    assert.equal(down.getAttribute("aria-label"), "Not helpful");
    assert.equal(form.hidden, true);
    down.click();
    await settle();
    assert.deepEqual(votes, [false]);
    assert.equal(down.getAttribute("aria-pressed"), "true");
    assert.equal(node.querySelector(".smp-thumb--up").getAttribute("aria-pressed"), "false");
    assert.equal(form.hidden, false);
    node.querySelector("input").value = "It did not say how long healing takes";
    form.dispatchEvent(new window.Event("submit", { cancelable: true }));
    await settle();
    assert.deepEqual(comments, ["It did not say how long healing takes"]);
    assert.equal(form.hidden, true);
    assert.match(node.querySelector("[role=status]").textContent, /Thanks/);
  });

  test("a vote the server did not take is undone and says so", async () => {
    const node = feedback.feedbackNode({ given: null, onVote: async () => false, onComment: async () => false });
    const up = node.querySelector(".smp-thumb--up");
    up.click();
    await settle();
    assert.equal(up.getAttribute("aria-pressed"), "false");
    assert.match(node.querySelector("[role=status]").textContent, /didn't go through/);
  });

  test("a vote given before shows as chosen", () => {
    const node = feedback.feedbackNode({
      given: { helpful: true, commented: true },
      onVote: async () => true,
      onComment: async () => true,
    });
    assert.equal(node.querySelector(".smp-thumb--up").getAttribute("aria-pressed"), "true");
    assert.equal(node.querySelector("form").hidden, true);
  });
});

describe("botMessage", () => {
  test("keeps the answer an FAQ reply names, and only a well-formed one", () => {
    assert.deepEqual(socket.botMessage({ text: "Hi", answer: { id: 7, version: 3, x: 1 } }).answer, ANSWER);
    assert.equal(socket.botMessage({ text: "Hi", answer: { id: "7", version: 3 } }).answer, undefined);
    assert.equal(socket.botMessage({ text: "Hi" }).answer, undefined);
  });
});

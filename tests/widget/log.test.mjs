import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import { installDom, uninstallDom } from "./support.mjs";

let window;
let createLogView;
let replyScroll;

before(async () => {
  window = installDom();
  ({ createLogView, replyScroll } = await import("../../web/widget/log.js"));
});
after(() => uninstallDom(window));

let log;
let cue;
let chosen;
let retries;
let view;

beforeEach(() => {
  document.body.replaceChildren();
  log = document.createElement("div");
  cue = document.createElement("button");
  cue.hidden = true;
  document.body.append(log, cue);
  chosen = [];
  retries = 0;
  view = createLogView({
    log,
    cue,
    onChoose: (button) => chosen.push(button.payload),
    onRetry: () => (retries += 1),
  });
});

const user = (id, text = id) => ({ id, role: "user", text });
const bot = (id, text = id, buttons = []) => ({ id, role: "bot", text, buttons });
const base = { accepting: true, online: true };

/** What the list shows, one short line per child. */
function shown() {
  return [...log.children].map((node) => {
    if (node.classList.contains("smp-typing")) return "typing";
    if (node.classList.contains("smp-replies")) return `buttons: ${node.textContent}`;
    if (node.classList.contains("smp-notice")) return "notice";
    const role = node.classList.contains("smp-msg--user") ? "user" : "bot";
    const waiting = node.classList.contains("smp-msg--waiting") ? " (waiting)" : "";
    return `${role}: ${node.querySelector(".smp-bubble").textContent}${waiting}`;
  });
}

/** Counts nodes inserted into the list from now on (what a screen reader would read). */
function watchInsertions() {
  const counter = { added: 0 };
  const observer = new window.MutationObserver((records) => {
    for (const record of records) counter.added += record.addedNodes.length;
  });
  observer.observe(log, { childList: true });
  counter.stop = async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    observer.disconnect();
    return counter.added;
  };
  return counter;
}

describe("the message list", () => {
  test("shows the transcript, then typing dots, then messages waiting to be sent", () => {
    view.render({ ...base, messages: [bot("w", "Welcome")], pending: true, outbox: [user("q1"), user("q2")] });
    assert.deepEqual(shown(), ["bot: Welcome", "typing", "user: q1 (waiting)", "user: q2 (waiting)"]);
  });

  test("a waiting message keeps its node once sent, and the answer goes right after it", () => {
    view.render({ ...base, messages: [], outbox: [user("q1"), user("q2")] });
    const q1 = view.nodeOf("q1");
    view.render({ ...base, messages: [user("q1")], pending: true, outbox: [user("q2")] });
    assert.equal(view.nodeOf("q1"), q1);
    view.render({ ...base, messages: [user("q1"), bot("a1")], pending: true, outbox: [user("q2")] });
    assert.deepEqual(shown(), ["user: q1", "bot: a1", "typing", "user: q2 (waiting)"]);
    assert.ok(view.nodeOf("q2").classList.contains("smp-msg--cont") === false);
  });

  test("drawing the same conversation again inserts nothing", async () => {
    const state = {
      ...base,
      messages: [bot("w", "Welcome", [{ title: "Prices", payload: "/price" }])],
      pending: false,
    };
    view.render(state);
    const counter = watchInsertions();
    view.render(state);
    view.render({ ...state });
    assert.equal(await counter.stop(), 0);
  });

  test("only new messages are inserted", async () => {
    view.render({ ...base, messages: [bot("w"), user("q")], pending: true });
    const counter = watchInsertions();
    view.render({ ...base, messages: [bot("w"), user("q"), bot("a")], pending: false });
    assert.equal(await counter.stop(), 1);
    assert.deepEqual(shown(), ["bot: w", "user: q", "bot: a"]);
  });

  test("messages dropped off the front of the history leave the rest in place", async () => {
    view.render({ ...base, messages: [bot("1"), user("2"), bot("3")] });
    const counter = watchInsertions();
    view.render({ ...base, messages: [user("2"), bot("3"), user("4")] });
    assert.equal(await counter.stop(), 1);
    assert.deepEqual(shown(), ["user: 2", "bot: 3", "user: 4"]);
  });

  test("a different conversation (reset) is drawn from scratch", () => {
    view.render({ ...base, messages: [bot("1"), user("2")] });
    view.render({ ...base, messages: [bot("new")] });
    assert.deepEqual(shown(), ["bot: new"]);
  });

  test("suggested replies follow the latest bot message until the visitor writes", () => {
    const buttons = [
      { title: "Prices", payload: "/price" },
      { title: "Book", payload: "/book" },
    ];
    view.render({ ...base, messages: [bot("w", "Welcome", buttons)] });
    assert.deepEqual(shown(), ["bot: Welcome", "buttons: PricesBook"]);
    log.querySelector(".smp-replies button").click();
    assert.deepEqual(chosen, ["/price"]);
    view.render({ ...base, messages: [bot("w", "Welcome", buttons)], outbox: [user("x", "Prices")] });
    assert.deepEqual(shown(), ["bot: Welcome", "user: Prices (waiting)"]);
  });

  test("suggested replies are disabled while the visitor cannot write", () => {
    const messages = [bot("w", "Welcome", [{ title: "Prices", payload: "/price" }])];
    view.render({ ...base, messages, accepting: false });
    assert.equal(log.querySelector(".smp-reply").disabled, true);
    view.render({ ...base, messages, accepting: true });
    assert.equal(log.querySelector(".smp-reply").disabled, false);
  });

  test("a message the server failed gets its reason as the notice, with Try again", () => {
    const failure = "Sorry, I couldn't take in that message just now.";
    view.render({ ...base, messages: [user("q")], unanswered: true, online: true });
    assert.match(log.querySelector(".smp-notice").textContent, /No reply arrived/);
    view.render({ ...base, messages: [user("q")], unanswered: true, failure, online: true });
    assert.deepEqual(shown(), ["user: q", "notice"]);
    assert.equal(log.querySelector(".smp-notice-text").textContent, failure);
    log.querySelector(".smp-notice button").click();
    assert.equal(retries, 1);
  });

  test("an unanswered message gets the notice with Try again", () => {
    view.render({ ...base, messages: [user("q")], unanswered: true, online: false });
    assert.deepEqual(shown(), ["user: q", "notice"]);
    const retry = log.querySelector(".smp-notice button");
    assert.equal(retry.disabled, true);
    view.render({ ...base, messages: [user("q")], unanswered: true, online: true });
    assert.equal(log.querySelector(".smp-notice button"), retry);
    assert.equal(retry.disabled, false);
    retry.click();
    assert.equal(retries, 1);
    view.render({ ...base, messages: [user("q")], pending: true });
    assert.deepEqual(shown(), ["user: q", "typing"]);
  });
});

describe("scrolling to a reply", () => {
  test("question, answer and buttons fit: the question goes to the top", () => {
    assert.deepEqual(
      replyScroll({ questionTop: 300, answerTop: 350, endBottom: 600, viewHeight: 400, maxScroll: 1000 }),
      { top: 292, cue: false },
    );
  });

  test("only the answer and its buttons fit: the buttons go to the bottom", () => {
    assert.deepEqual(
      replyScroll({ questionTop: 300, answerTop: 350, endBottom: 720, viewHeight: 400, maxScroll: 1000 }),
      { top: 320, cue: false },
    );
  });

  test("a long answer is read from its start, with a cue that more is below", () => {
    assert.deepEqual(
      replyScroll({ questionTop: 300, answerTop: 350, endBottom: 1000, viewHeight: 400, maxScroll: 1000 }),
      { top: 342, cue: true },
    );
  });

  test("a welcome without a question, and the end of the list, are respected", () => {
    assert.deepEqual(
      replyScroll({ questionTop: null, answerTop: 16, endBottom: 200, viewHeight: 400, maxScroll: 0 }),
      { top: 0, cue: false },
    );
    assert.deepEqual(
      replyScroll({ questionTop: 900, answerTop: 950, endBottom: 1000, viewHeight: 400, maxScroll: 700 }),
      { top: 700, cue: false },
    );
  });

  test("revealReply measures the list and shows the cue; the cue scrolls to the end", () => {
    const long = "x";
    view.render({ ...base, messages: [bot("w"), user("q"), bot("a", long, [{ title: "B", payload: "/b" }])] });
    const layout = (node, top, height) => {
      Object.defineProperty(node, "offsetTop", { value: top, configurable: true });
      Object.defineProperty(node, "offsetHeight", { value: height, configurable: true });
    };
    layout(view.nodeOf("w"), 16, 40);
    layout(view.nodeOf("q"), 66, 40);
    layout(view.nodeOf("a"), 116, 900);
    layout(log.querySelector(".smp-replies"), 1026, 40);
    Object.defineProperty(log, "clientHeight", { value: 480, configurable: true });
    Object.defineProperty(log, "scrollHeight", { value: 1080, configurable: true });
    let scrolledTo = null;
    log.scrollTo = ({ top }) => (scrolledTo = top);

    view.revealReply();
    assert.equal(log.scrollTop, 108);
    assert.equal(cue.hidden, false);
    cue.click();
    assert.equal(scrolledTo, 1080);
    assert.equal(cue.hidden, true);
  });
});

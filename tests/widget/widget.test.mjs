// The modules put together, in a DOM, against a fake socket.io server: from
// the one script tag to a conversation.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";

import { fakeIo, installDom, settle, uninstallDom } from "./support.mjs";

const WIDGET_DIR = new URL("../../web/widget/", import.meta.url).href;
const timing = { replyTimeoutMs: 400, welcomeTimeoutMs: 300, burstQuietMs: 60, bannerDelayMs: 0 };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let window;

beforeEach(() => {
  window = installDom({ url: "https://www.clinic.example/" });
});
afterEach(() => uninstallDom(window));

/** Polls `check` until it returns something truthy (or fails after a second). */
async function until(check, what) {
  for (let i = 0; i < 100; i += 1) {
    const value = check();
    if (value) return value;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Loads the widget's entry module (a fresh copy) and starts it with a fake server. */
async function startWidget(dataset = {}) {
  const io = fakeIo();
  const { start } = await import(`${WIDGET_DIR}widget.js?${Math.random()}`);
  const api = start({ dataset, baseUrl: WIDGET_DIR, timing, loadClient: () => Promise.resolve(io) });
  const host = await until(() => document.querySelector("#smp-chat"), "the widget");
  const root = host.shadowRoot;
  await until(() => host.style.getPropertyValue("visibility") === "", "the widget to show");
  const $ = (selector) => root.querySelector(selector);
  const $$ = (selector) => [...root.querySelectorAll(selector)];
  const texts = (selector) => $$(selector).map((node) => node.textContent);
  const type = (text) => {
    $(".smp-input").value = text;
    $(".smp-input").dispatchEvent(new window.Event("input", { bubbles: true }));
    $(".smp-input").dispatchEvent(
      new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }),
    );
  };
  /** The server confirms the session, with its token, once the widget has connected. */
  const serverAccepts = async (sessionId = "session-1") => {
    const socket = await until(() => io.sockets[0], "the socket");
    socket.serverSends("connect");
    socket.serverSends("session_confirm", { session_id: sessionId, token: `token-of-${sessionId}` });
    return socket;
  };
  return { api, io, host, root, $, $$, texts, type, serverAccepts };
}

describe("the widget", () => {
  test("a new visitor opens the chat, is welcomed and gets an answer", async () => {
    const w = await startWidget({ clinicName: "Northgate Scalp Clinic" });
    assert.equal(w.$(".smp-panel").hidden, true);
    w.$(".smp-launcher").click();
    assert.equal(w.$(".smp-panel").hidden, false);
    const socket = await w.serverAccepts();
    assert.deepEqual(socket.emitted("session_request"), [{ session_id: null, token: null }]);
    assert.deepEqual(socket.emitted("user_uttered"), [{ message: "/greet", session_id: "session-1" }]);
    socket.serverSends("bot_uttered", {
      text: "Hello! Call **01244 555 010**.",
      quick_replies: [{ title: "Prices", payload: "/ask_price" }],
    });
    assert.deepEqual(w.texts(".smp-msg--bot .smp-bubble"), ["Hello! Call 01244 555 010."]);
    assert.equal(w.$(".smp-bubble a").getAttribute("href"), "tel:01244555010");
    assert.equal(w.$(".smp-typing") !== null, true); // The reply may go on.
    await until(() => !w.$(".smp-typing"), "the burst to end");

    w.$(".smp-reply").click();
    assert.deepEqual(w.texts(".smp-msg--user .smp-bubble"), ["Prices"]);
    assert.equal(w.$(".smp-replies"), null);
    assert.deepEqual(socket.emitted("user_uttered").at(-1), { message: "/ask_price", session_id: "session-1" });
    assert.equal(w.api.sessionId(), "session-1");
    assert.deepEqual(JSON.parse(localStorage.getItem("smp-chat:session")), {
      id: "session-1",
      token: "token-of-session-1",
    });
  });

  test("a returning visitor asks for the stored conversation with its token", async () => {
    localStorage.setItem("smp-chat:session", JSON.stringify({ id: "kept", token: "token-of-kept" }));
    localStorage.setItem("smp-chat:transcript", JSON.stringify([{ id: "1", role: "bot", text: "Earlier answer" }]));
    const w = await startWidget({ startPayload: "" });
    w.api.open();
    const socket = await w.serverAccepts("kept");
    assert.deepEqual(socket.emitted("session_request"), [{ session_id: "kept", token: "token-of-kept" }]);
    assert.deepEqual(w.texts(".smp-msg--bot .smp-bubble"), ["Earlier answer"]);
    w.type("and another thing");
    assert.deepEqual(socket.emitted("user_uttered"), [{ message: "and another thing", session_id: "kept" }]);
  });

  test("when the server starts a new conversation instead, the old messages go and a welcome comes", async () => {
    // A bare id, as widgets before 1.2 kept it, or a copied one: no token.
    localStorage.setItem("smp-chat:session", JSON.stringify("someone-elses"));
    localStorage.setItem("smp-chat:transcript", JSON.stringify([{ id: "1", role: "bot", text: "Not yours" }]));
    const w = await startWidget();
    w.api.open();
    const socket = await w.serverAccepts("fresh");
    assert.deepEqual(socket.emitted("session_request"), [{ session_id: "someone-elses", token: null }]);
    assert.equal(w.api.sessionId(), "fresh");
    assert.deepEqual(w.texts(".smp-msg--bot .smp-bubble"), []);
    assert.deepEqual(socket.emitted("user_uttered"), [{ message: "/greet", session_id: "fresh" }]);
  });

  test("a message typed while connecting is shown at once and sent after the welcome", async () => {
    const w = await startWidget();
    w.api.open();
    w.type("typed too early");
    assert.deepEqual(w.texts(".smp-msg--user .smp-bubble"), ["typed too early"]);
    assert.ok(w.$(".smp-msg--user").classList.contains("smp-msg--waiting"));
    assert.equal(w.$(".smp-input").value, "");

    const socket = await w.serverAccepts();
    socket.serverSends("bot_uttered", { text: "Welcome" });
    await until(() => socket.emitted("user_uttered").length === 2, "the message to go");
    assert.deepEqual(socket.emitted("user_uttered").map((m) => m.message), ["/greet", "typed too early"]);
    assert.equal(w.$(".smp-msg--waiting"), null);
    assert.deepEqual(
      w.$$(".smp-msg").map((node) => node.querySelector(".smp-bubble").textContent),
      ["Welcome", "typed too early"],
    );
  });

  test("a reply that never comes offers Try again, which sends the message again", async () => {
    const w = await startWidget({ startPayload: "" });
    w.api.open();
    const socket = await w.serverAccepts();
    w.type("are you there?");
    assert.ok(w.$(".smp-typing"));
    const retry = await until(() => w.$(".smp-notice button"), "the notice");
    assert.equal(w.$(".smp-typing"), null);
    assert.match(w.$(".smp-notice").textContent, /No reply arrived/);
    retry.click();
    assert.deepEqual(socket.emitted("user_uttered").map((m) => m.message), ["are you there?", "are you there?"]);
    assert.equal(w.$(".smp-notice"), null);
    assert.equal(w.$$(".smp-msg--user").length, 1);
    socket.serverSends("bot_uttered", { text: "Yes!" });
    assert.deepEqual(w.texts(".smp-msg--bot .smp-bubble"), ["Yes!"]);
  });

  test("while the connection is lost, nothing is accepted and the banner says so", async () => {
    const w = await startWidget({ startPayload: "" });
    w.api.open();
    const socket = await w.serverAccepts();
    socket.serverSends("disconnect", "transport close");
    await until(() => !w.$(".smp-banner").hidden, "the banner");
    w.type("lost?");
    assert.equal(w.$(".smp-input").value, "lost?");
    assert.equal(w.$(".smp-send").disabled, true);
    assert.equal(w.$$(".smp-msg").length, 0);
    assert.equal(w.api.send("via the API"), false);
  });

  test("a reply while the chat is closed shows the unread badge", async () => {
    const w = await startWidget({ startPayload: "" });
    w.api.open();
    const socket = await w.serverAccepts();
    w.api.send("slow question");
    w.api.close();
    socket.serverSends("bot_uttered", { text: "Slow answer" });
    assert.equal(w.$(".smp-badge").hidden, false);
    assert.equal(w.$(".smp-badge").textContent, "1");
    w.api.open();
    assert.equal(w.$(".smp-badge").hidden, true);
  });

  test("reset forgets the conversation and asks for a new session", async () => {
    const w = await startWidget();
    w.api.open();
    const socket = await w.serverAccepts();
    socket.serverSends("bot_uttered", { text: "Welcome" });
    w.api.reset();
    assert.equal(w.$$(".smp-msg").length, 0);
    assert.equal(w.api.sessionId(), null);
    assert.equal(socket.connects, 1);
    socket.serverSends("connect");
    assert.deepEqual(socket.emitted("session_request").at(-1), { session_id: null, token: null });
    socket.serverSends("session_confirm", { session_id: "session-2", token: "token-2" });
    assert.deepEqual(socket.emitted("user_uttered").at(-1), { message: "/greet", session_id: "session-2" });
  });
});

describe("the script tag", () => {
  function addTag(attributes) {
    const script = document.createElement("script");
    script.setAttribute("src", `${WIDGET_DIR}smp-chat.js`);
    for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value);
    document.body.append(script);
  }

  test("loads the modules from its own folder with the tag's options", async () => {
    window.SMPChatConfig = { clinicName: "From the object", subtitle: "From the object" };
    addTag({ "data-clinic-name": "Northgate Scalp Clinic", "data-position": "left" });
    await import(`${WIDGET_DIR}smp-chat.js?${Math.random()}`);
    assert.equal(window.SMPChat.loading, true);
    const host = await until(() => document.querySelector("#smp-chat"), "the widget");
    const root = host.shadowRoot;
    assert.equal(root.querySelector(".smp-title").textContent, "Northgate Scalp Clinic");
    assert.match(root.querySelector(".smp-subtitle").textContent, /From the object/);
    assert.equal(root.querySelector(".smp-widget").dataset.position, "left");
    assert.equal(root.querySelector("link").getAttribute("href"), `${WIDGET_DIR}smp-chat.css`);
    await until(() => typeof window.SMPChat.open === "function", "the API");
    assert.equal(window.SMPChat.loading, undefined);
  });

  test("a second tag on the same page adds nothing", async () => {
    addTag({});
    await import(`${WIDGET_DIR}smp-chat.js?${Math.random()}`);
    await until(() => typeof window.SMPChat.open === "function", "the API");
    await import(`${WIDGET_DIR}smp-chat.js?${Math.random()}`);
    await settle();
    await sleep(50);
    assert.equal(document.querySelectorAll("#smp-chat").length, 1);
  });
});

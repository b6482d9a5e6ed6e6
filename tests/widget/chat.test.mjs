import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createChat } from "../../web/widget/chat.js";
import { createConversation, createStore } from "../../web/widget/state.js";
import { fakeClock, memoryStorage } from "./support.mjs";

const timing = { replyTimeoutMs: 45000, welcomeTimeoutMs: 8000, burstQuietMs: 1200 };

/** A connection the test drives by hand (see socket.js for the real one). */
function fakeConnection() {
  return {
    status: "idle",
    online: false,
    sent: [],
    connect() {
      if (this.status === "idle") this.status = "connecting";
    },
    send(message) {
      if (!this.online) return false;
      this.sent.push(message);
      return true;
    },
  };
}

function setup({ startPayload = "/greet", storage = memoryStorage(), clock = fakeClock(), tabId = "tab-1" } = {}) {
  const conversation = createConversation(createStore("smp-chat", storage), {
    historyLimit: 100,
    now: clock.now,
  });
  const connection = fakeConnection();
  const events = [];
  const returned = [];
  const chat = createChat({
    config: { startPayload, maxLength: 20 },
    conversation,
    connection,
    tabId,
    timing,
    timers: clock,
    now: clock.now,
    onChange: (event) => events.push(event.type),
    onReturn: (texts) => returned.push(...texts),
  });
  const goOnline = () => {
    connection.status = "online";
    connection.online = true;
    conversation.setSession("session-1", "token-1");
    chat.status("online");
  };
  const goOffline = () => {
    connection.status = "offline";
    connection.online = false;
    chat.status("offline");
  };
  const botSays = (text, open = true) =>
    chat.receive({ id: `bot-${text}`, role: "bot", text, buttons: [] }, { open });
  const texts = () => conversation.transcript().map((m) => `${m.role}: ${m.text}`);
  return { chat, clock, conversation, connection, events, returned, goOnline, goOffline, botSays, texts, storage };
}

describe("writing before the chat is ready", () => {
  test("a message written while connecting waits, then follows the welcome", () => {
    const s = setup();
    s.chat.engage();
    assert.equal(s.connection.status, "connecting");
    assert.equal(s.chat.submit("hello?"), true);
    assert.deepEqual(s.chat.outbox.map((m) => m.text), ["hello?"]);
    assert.deepEqual(s.connection.sent, []);

    s.goOnline();
    assert.deepEqual(s.connection.sent, ["/greet"]); // The welcome comes first.
    s.botSays("Welcome!");
    s.clock.tick(timing.burstQuietMs - 1);
    assert.deepEqual(s.connection.sent, ["/greet"]);
    s.clock.tick(50);
    assert.deepEqual(s.connection.sent, ["/greet", "hello?"]);
    assert.deepEqual(s.chat.outbox, []);
    assert.deepEqual(s.texts(), ["bot: Welcome!", "user: hello?"]);
  });

  test("if the welcome never comes, waiting messages go after a short wait", () => {
    const s = setup();
    s.chat.engage();
    s.goOnline();
    s.chat.submit("anyone there?");
    s.clock.tick(timing.welcomeTimeoutMs - 100);
    assert.deepEqual(s.connection.sent, ["/greet"]);
    s.clock.tick(200);
    assert.deepEqual(s.connection.sent, ["/greet", "anyone there?"]);
  });

  test("without a start payload the message goes as soon as the session is confirmed", () => {
    const s = setup({ startPayload: "" });
    s.chat.engage();
    s.chat.submit("straight in");
    s.goOnline();
    assert.deepEqual(s.connection.sent, ["straight in"]);
  });

  test("a message written before opening the chat still opens with the welcome", () => {
    const s = setup();
    s.chat.submit("from the API");
    s.goOnline();
    assert.deepEqual(s.connection.sent, ["/greet"]);
  });
});

describe("one question at a time", () => {
  test("the typing indicator stays on through a burst of bubbles", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("tell me everything");
    assert.equal(s.conversation.isPending(), true);
    s.clock.tick(3000);
    s.botSays("part one");
    s.clock.tick(800);
    assert.equal(s.conversation.isPending(), true);
    s.botSays("part two");
    s.clock.tick(1100);
    assert.equal(s.conversation.isPending(), true);
    s.clock.tick(200);
    assert.equal(s.conversation.isPending(), false);
    assert.equal(s.chat.unanswered, false);
  });

  test("ten quick messages are sent one by one, each answer right after its question", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    for (let i = 1; i <= 10; i += 1) s.chat.submit(`q${i}`);
    assert.deepEqual(s.connection.sent, ["q1"]);
    assert.equal(s.chat.outbox.length, 9);
    for (let i = 1; i <= 10; i += 1) {
      assert.equal(s.connection.sent.at(-1), `q${i}`);
      s.clock.tick(300);
      s.botSays(`a${i}.1`);
      s.clock.tick(400);
      s.botSays(`a${i}.2`);
      s.clock.tick(timing.burstQuietMs + 50);
    }
    assert.equal(s.connection.sent.length, 10);
    const expected = [];
    for (let i = 1; i <= 10; i += 1) expected.push(`user: q${i}`, `bot: a${i}.1`, `bot: a${i}.2`);
    assert.deepEqual(s.texts(), expected);
  });

  test("a suggested reply sends its payload and shows its title", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("/ask_price", "How much is it?");
    assert.deepEqual(s.connection.sent, ["/ask_price"]);
    const [entry] = s.conversation.transcript();
    assert.equal(entry.text, "How much is it?");
    assert.equal(entry.sent, "/ask_price");
  });

  test("blank messages are refused and long ones cut at the limit", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    assert.equal(s.chat.submit("   \n "), false);
    s.chat.submit("x".repeat(50));
    assert.deepEqual(s.connection.sent, ["x".repeat(20)]);
  });
});

describe("a reply that never arrives", () => {
  test("after the timeout the message counts as unanswered and Try again resends it", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("/book", "Book a consultation");
    assert.equal(s.chat.retry(), false); // Still waiting.
    s.clock.tick(timing.replyTimeoutMs - 10);
    assert.equal(s.chat.unanswered, false);
    s.clock.tick(100);
    assert.equal(s.chat.unanswered, true);
    assert.ok(s.events.includes("settled"));

    assert.equal(s.chat.retry(), true);
    assert.deepEqual(s.connection.sent, ["/book", "/book"]);
    assert.equal(s.conversation.transcript().length, 1); // No second bubble.
    assert.equal(s.conversation.isPending(), true);
    assert.equal(s.chat.unanswered, false);
    s.botSays("Booked");
    s.clock.tick(timing.burstQuietMs + 50);
    assert.equal(s.chat.unanswered, false);
  });

  test("a failed turn is no bubble: its text is the notice and Try again resends", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("/book", "Book a consultation");
    s.chat.receive(
      { id: "f1", role: "bot", text: "Sorry, try again.", buttons: [], failed: true },
      { open: true },
    );
    assert.equal(s.conversation.isPending(), false); // No waiting for 45 s.
    assert.equal(s.chat.unanswered, true);
    assert.equal(s.conversation.failure(), "Sorry, try again.");
    assert.deepEqual(s.texts(), ["user: Book a consultation"]);
    assert.ok(s.events.includes("failed"));

    assert.equal(s.chat.retry(), true);
    assert.deepEqual(s.connection.sent, ["/book", "/book"]);
    assert.equal(s.conversation.failure(), null);
    assert.equal(s.chat.unanswered, false);
    s.botSays("Booked");
    s.clock.tick(timing.burstQuietMs + 50);
    assert.deepEqual(s.texts(), ["user: Book a consultation", "bot: Booked"]);
    assert.equal(s.chat.unanswered, false);
  });

  test("a turn that fails after some bubbles still offers to resend the message", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("hello");
    s.botSays("Part of it");
    s.chat.receive(
      { id: "f2", role: "bot", text: "Sorry, try again.", buttons: [], failed: true },
      { open: true },
    );
    assert.equal(s.chat.unanswered, true);
    assert.equal(s.chat.retry(), true);
    assert.deepEqual(s.connection.sent, ["hello", "hello"]);
  });

  test("Try again waits for the connection", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("hello");
    s.clock.tick(timing.replyTimeoutMs + 100);
    s.goOffline();
    assert.equal(s.chat.retry(), false);
    s.goOnline();
    assert.equal(s.chat.retry(), true);
  });

  test("a lost welcome is not offered again", () => {
    const s = setup();
    s.chat.engage();
    s.goOnline();
    s.clock.tick(timing.welcomeTimeoutMs + 100);
    assert.equal(s.chat.unanswered, false);
    assert.equal(s.chat.retry(), false);
  });
});

describe("losing the connection", () => {
  test("nothing is accepted while offline", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.goOffline();
    assert.equal(s.chat.accepting, false);
    assert.equal(s.chat.submit("while offline"), false);
    assert.deepEqual(s.chat.outbox, []);
  });

  test("waiting messages go back to the message box, not out later", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("first");
    s.chat.submit("second");
    s.chat.submit("third");
    s.goOffline();
    assert.deepEqual(s.returned, ["second", "third"]);
    assert.deepEqual(s.chat.outbox, []);
    s.clock.tick(timing.replyTimeoutMs + 100);
    s.goOnline();
    assert.deepEqual(s.connection.sent, ["first"]);
  });

  test("a first connection that fails hands the text back too", () => {
    const s = setup();
    s.chat.engage();
    s.chat.submit("hello?");
    s.goOffline();
    assert.deepEqual(s.returned, ["hello?"]);
  });
});

describe("tabs and badge", () => {
  test("only the tab that sent the latest message records replies", () => {
    const storage = memoryStorage();
    const clock = fakeClock();
    const first = setup({ storage, clock, tabId: "first", startPayload: "" });
    const second = setup({ storage, clock, tabId: "second", startPayload: "" });
    first.goOnline();
    second.goOnline();
    first.chat.submit("from the first tab");
    first.botSays("Echo");
    second.botSays("Echo");
    assert.deepEqual(first.texts(), ["user: from the first tab", "bot: Echo"]);
  });

  test("another tab's pending reply holds this tab's messages back", () => {
    const storage = memoryStorage();
    const clock = fakeClock();
    const first = setup({ storage, clock, tabId: "first", startPayload: "" });
    const second = setup({ storage, clock, tabId: "second", startPayload: "" });
    first.goOnline();
    second.goOnline();
    first.chat.submit("question one");
    second.chat.submit("question two");
    assert.deepEqual(second.connection.sent, []);
    first.botSays("answer one");
    clock.tick(timing.burstQuietMs + 50);
    second.chat.refresh(); // The storage event of the first tab's change.
    assert.deepEqual(second.connection.sent, ["question two"]);
  });

  test("replies that arrive while the chat is closed are counted as unread", () => {
    const s = setup({ startPayload: "" });
    s.goOnline();
    s.chat.submit("hi");
    s.botSays("one", false);
    s.botSays("two", false);
    assert.equal(s.conversation.unread(), 2);
  });

  test("reset forgets the conversation and the waiting messages", () => {
    const s = setup();
    s.chat.engage();
    s.goOnline();
    s.chat.submit("waiting");
    s.chat.reset();
    assert.deepEqual(s.chat.outbox, []);
    assert.deepEqual(s.conversation.transcript(), []);
    assert.equal(s.conversation.sessionId(), null);
    s.goOnline();
    assert.deepEqual(s.connection.sent, ["/greet", "/greet"]); // A new welcome.
  });

  test("a conversation the server replaced opens clean, with a welcome, and keeps waiting messages", () => {
    const s = setup();
    s.chat.engage();
    s.goOnline();
    s.botSays("Welcome to the old conversation");
    s.clock.tick(timing.burstQuietMs + 50);
    s.goOffline();
    s.chat.submit("ignored while offline");
    s.connection.status = "connecting";
    s.chat.status("connecting");
    s.chat.submit("typed meanwhile");
    s.chat.replaced();
    assert.deepEqual(s.texts(), []);
    s.goOnline();
    assert.deepEqual(s.connection.sent, ["/greet", "/greet"]);
    s.botSays("Welcome");
    s.clock.tick(timing.burstQuietMs + 50);
    assert.deepEqual(s.connection.sent, ["/greet", "/greet", "typed meanwhile"]);
  });
});

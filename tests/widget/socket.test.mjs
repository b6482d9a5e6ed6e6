import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { botMessage, createConnection } from "../../web/widget/socket.js";
import { fakeIo, settle } from "./support.mjs";

function connection(overrides = {}) {
  const io = fakeIo();
  const events = { statuses: [], sessions: [], messages: [], errors: [], scheduled: [] };
  let session = null;
  let token = null;
  let loads = 0;
  const link = createConnection({
    serverUrl: "https://rasa.clinic.example",
    socketPath: "/socket.io/",
    loadClient: () => {
      loads += 1;
      return Promise.resolve(io);
    },
    sessionId: () => session,
    sessionToken: () => token,
    onSession: (id, issued, { replaced }) => {
      session = id;
      token = issued;
      events.sessions.push(replaced ? [id, issued, "replaced"] : [id, issued]);
    },
    onMessage: (message) => events.messages.push(message),
    onStatus: (status) => events.statuses.push(status),
    schedule: (fn, ms) => events.scheduled.push([fn, ms]),
    logError: (...args) => events.errors.push(args),
    ...overrides,
  });
  const setSession = (id, issued = null) => {
    session = id;
    token = issued;
  };
  return { io, link, events, loads: () => loads, setSession };
}

async function online(setup) {
  setup.link.connect();
  await settle();
  const socket = setup.io.sockets[0];
  socket.serverSends("connect");
  socket.serverSends("session_confirm", "session-1");
  return socket;
}

describe("connection", () => {
  test("connects once to the configured server and path", async () => {
    const setup = connection();
    setup.link.connect();
    setup.link.connect();
    assert.equal(setup.link.status, "connecting");
    await settle();
    setup.link.connect();
    assert.equal(setup.io.sockets.length, 1);
    assert.equal(setup.loads(), 1);
    const socket = setup.io.sockets[0];
    assert.equal(socket.url, "https://rasa.clinic.example");
    assert.equal(socket.options.path, "/socket.io/");
    assert.deepEqual(socket.options.transports, ["websocket", "polling"]);
    assert.equal(socket.options.reconnection, true);
  });

  test("asks for the stored session with its token on every connect and goes online when confirmed", async () => {
    const setup = connection();
    setup.setSession("kept-id", "kept-token");
    setup.link.connect();
    await settle();
    const socket = setup.io.sockets[0];
    socket.serverSends("connect");
    assert.deepEqual(socket.emitted("session_request"), [{ session_id: "kept-id", token: "kept-token" }]);
    assert.equal(setup.link.online, false);
    socket.serverSends("session_confirm", { session_id: "kept-id", token: "kept-token" });
    assert.equal(setup.link.status, "online");
    assert.equal(setup.link.online, true);
    assert.deepEqual(setup.events.sessions, [["kept-id", "kept-token"]]);
    assert.deepEqual(setup.events.statuses, ["connecting", "online"]);
  });

  test("a first visit asks with neither id nor token and keeps the token it is given", async () => {
    const setup = connection();
    setup.link.connect();
    await settle();
    const socket = setup.io.sockets[0];
    socket.serverSends("connect");
    assert.deepEqual(socket.emitted("session_request"), [{ session_id: null, token: null }]);
    socket.serverSends("session_confirm", { session_id: "new-id", token: "new-token" });
    assert.deepEqual(setup.events.sessions, [["new-id", "new-token"]]);
    socket.serverSends("connect"); // A reconnection asks for it with the token.
    assert.deepEqual(socket.emitted("session_request").at(-1), { session_id: "new-id", token: "new-token" });
  });

  test("a different conversation than the one asked for is reported as replaced", async () => {
    const setup = connection();
    setup.setSession("someone-elses", null);
    setup.link.connect();
    await settle();
    const socket = setup.io.sockets[0];
    socket.serverSends("connect");
    assert.deepEqual(socket.emitted("session_request"), [{ session_id: "someone-elses", token: null }]);
    socket.serverSends("session_confirm", { session_id: "fresh", token: "fresh-token" });
    assert.deepEqual(setup.events.sessions, [["fresh", "fresh-token", "replaced"]]);
  });

  test("a bare id from a server without tokens is taken, with no token", async () => {
    const setup = connection();
    setup.link.connect();
    await settle();
    const socket = setup.io.sockets[0];
    socket.serverSends("connect");
    socket.serverSends("session_confirm", "plain-id");
    assert.deepEqual(setup.events.sessions, [["plain-id", null]]);
    assert.equal(setup.link.status, "online");
  });

  test("a confirmation without an id is ignored", async () => {
    const setup = connection();
    setup.link.connect();
    await settle();
    const socket = setup.io.sockets[0];
    socket.serverSends("connect");
    socket.serverSends("session_confirm", { nope: 1 });
    socket.serverSends("session_confirm", "");
    assert.equal(setup.link.status, "connecting");
  });

  test("sends visitor messages only when online, with the session id", async () => {
    const setup = connection();
    assert.equal(setup.link.send("too early"), false);
    const socket = await online(setup);
    assert.equal(setup.link.send("hello"), true);
    assert.deepEqual(socket.emitted("user_uttered"), [{ message: "hello", session_id: "session-1" }]);
    socket.serverSends("disconnect", "transport close");
    assert.equal(setup.link.status, "offline");
    assert.equal(setup.link.send("while offline"), false);
    assert.equal(socket.emitted("user_uttered").length, 1);
  });

  test("bot messages are parsed; empty ones are dropped", async () => {
    const setup = connection();
    const socket = await online(setup);
    socket.serverSends("bot_uttered", { text: "Hello" });
    socket.serverSends("bot_uttered", { text: "" });
    socket.serverSends("bot_uttered", "not an object");
    assert.deepEqual(setup.events.messages.map((m) => m.text), ["Hello"]);
  });

  test("when the server hangs up on purpose, the widget reconnects after a pause", async () => {
    const setup = connection();
    const socket = await online(setup);
    socket.serverSends("disconnect", "io server disconnect");
    assert.equal(setup.events.scheduled.length, 1);
    const [reconnect, delay] = setup.events.scheduled[0];
    assert.equal(delay, 2000);
    reconnect();
    assert.equal(socket.connects, 1);
    socket.serverSends("disconnect", "transport close"); // socket.io retries on its own.
    assert.equal(setup.events.scheduled.length, 1);
  });

  test("a connection error reads as offline, and the next confirmation as online again", async () => {
    const setup = connection();
    const socket = await online(setup);
    socket.serverSends("connect_error", new Error("refused"));
    assert.equal(setup.link.status, "offline");
    socket.serverSends("connect");
    socket.serverSends("session_confirm", "session-1");
    assert.deepEqual(setup.events.statuses, ["connecting", "online", "offline", "online"]);
    assert.equal(socket.emitted("session_request").length, 2);
  });

  test("a client that cannot load reports failure and may be loaded again", async () => {
    let attempts = 0;
    const setup = connection({
      loadClient: () => {
        attempts += 1;
        return Promise.reject(new Error("404"));
      },
    });
    setup.link.connect();
    await settle();
    assert.equal(setup.link.status, "failed");
    assert.equal(setup.events.errors.length, 1);
    setup.link.connect();
    await settle();
    assert.equal(attempts, 2);
  });

  test("restart drops the connection and connects again", async () => {
    const setup = connection();
    const socket = await online(setup);
    setup.link.restart();
    assert.equal(setup.link.status, "offline");
    assert.equal(socket.connected, false);
    assert.equal(socket.connects, 1);
  });
});

describe("botMessage", () => {
  test("text, quick replies and a safe image", () => {
    const message = botMessage({
      text: "Pick one",
      quick_replies: [
        { title: "Prices", payload: "/ask_price" },
        { title: 3, payload: "/bad" },
        null,
      ],
      attachment: { type: "image", payload: { src: "https://clinic.example/a.png" } },
    });
    assert.equal(message.role, "bot");
    assert.equal(message.text, "Pick one");
    assert.deepEqual(message.buttons, [{ title: "Prices", payload: "/ask_price" }]);
    assert.equal(message.image, "https://clinic.example/a.png");
    assert.ok(message.id);
  });

  test("a turn the server could not process is marked failed, and only then", () => {
    const failed = botMessage({ text: "Sorry, please try again.", turn_failed: true });
    assert.equal(failed.failed, true);
    assert.equal(failed.text, "Sorry, please try again.");
    assert.equal(botMessage({ text: "Hi", turn_failed: "yes" }).failed, undefined);
    assert.equal(botMessage({ text: "Hi" }).failed, undefined);
  });

  test("buttons as well as quick replies, at most ten", () => {
    const buttons = Array.from({ length: 12 }, (_, i) => ({ title: `B${i}`, payload: `/b${i}` }));
    assert.equal(botMessage({ buttons }).buttons.length, 10);
  });

  test("unsafe images are dropped, and a message with nothing left is null", () => {
    assert.equal(
      botMessage({ attachment: { type: "image", payload: { src: "javascript:alert(1)" } } }),
      null,
    );
    assert.equal(botMessage(null), null);
    assert.equal(botMessage({ text: 42 }), null);
  });
});

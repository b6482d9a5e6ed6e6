import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createConversation, createStore, newId } from "../../web/widget/state.js";
import { fakeClock, memoryStorage } from "./support.mjs";

describe("store", () => {
  test("keeps JSON values under the prefix", () => {
    const storage = memoryStorage();
    const store = createStore("smp-chat", storage);
    store.set("transcript", [{ id: "a" }]);
    assert.equal(storage.getItem("smp-chat:transcript"), '[{"id":"a"}]');
    assert.deepEqual(store.get("transcript", []), [{ id: "a" }]);
    assert.equal(store.get("missing", "fallback"), "fallback");
    store.remove("transcript");
    assert.equal(storage.getItem("smp-chat:transcript"), null);
    assert.equal(store.keyOf("smp-chat:unread"), "unread");
    assert.equal(store.keyOf("other:unread"), null);
  });

  test("falls back to memory when storage is blocked or full", () => {
    const blocked = createStore("smp-chat", null);
    assert.equal(blocked.persistent, false);
    blocked.set("open", true);
    assert.equal(blocked.get("open", false), true);

    const full = memoryStorage();
    full.setItem = () => {
      throw new Error("QuotaExceededError");
    };
    const store = createStore("smp-chat", full);
    store.set("unread", 3);
    // Written to memory; reading goes to storage, which has nothing.
    assert.equal(store.get("unread", 0), 0);
  });

  test("corrupt stored values read as the fallback", () => {
    const storage = memoryStorage();
    storage.setItem("smp-chat:transcript", "{not json");
    assert.deepEqual(createStore("smp-chat", storage).get("transcript", []), []);
  });
});

describe("conversation", () => {
  const make = (options = {}) => {
    const clock = fakeClock();
    const storage = memoryStorage();
    const store = createStore("smp-chat", storage);
    const conversation = createConversation(store, { historyLimit: 3, now: clock.now, ...options });
    return { clock, storage, store, conversation };
  };

  test("the transcript keeps the latest messages up to the history limit", () => {
    const { conversation } = make();
    for (const id of ["1", "2", "3", "4"]) conversation.record({ id, role: "bot", text: id });
    assert.deepEqual(conversation.transcript().map((m) => m.id), ["2", "3", "4"]);
    assert.equal(conversation.last().id, "4");
  });

  test("a transcript that is not a list reads as empty", () => {
    const { conversation, store } = make();
    store.set("transcript", { oops: true });
    assert.deepEqual(conversation.transcript(), []);
    assert.equal(conversation.last(), null);
  });

  test("a reply is pending until its deadline", () => {
    const { conversation, clock } = make();
    assert.equal(conversation.isPending(), false);
    conversation.expectReplyWithin(1000);
    assert.equal(conversation.isPending(), true);
    clock.tick(999);
    assert.equal(conversation.isPending(), true);
    clock.tick(1);
    assert.equal(conversation.isPending(), false);
    conversation.expectReplyWithin(1000);
    conversation.expectReplyWithin(0);
    assert.equal(conversation.isPending(), false);
  });

  test("the session keeps the id and its token in one entry", () => {
    const { conversation, storage } = make();
    assert.equal(conversation.sessionId(), null);
    assert.equal(conversation.sessionToken(), null);
    conversation.setSession("abc", "token-abc");
    assert.equal(conversation.sessionId(), "abc");
    assert.equal(conversation.sessionToken(), "token-abc");
    assert.deepEqual(JSON.parse(storage.getItem("smp-chat:session")), { id: "abc", token: "token-abc" });
    conversation.setSession("def");
    assert.equal(conversation.sessionToken(), null);
  });

  test("a bare id stored by an older widget reads as a session without a token", () => {
    const { conversation, storage } = make();
    storage.setItem("smp-chat:session", JSON.stringify("legacy-id"));
    assert.equal(conversation.sessionId(), "legacy-id");
    assert.equal(conversation.sessionToken(), null);
    for (const junk of [42, { id: 7, token: "t" }, { token: "t" }, ["x"], ""]) {
      storage.setItem("smp-chat:session", JSON.stringify(junk));
      assert.equal(conversation.sessionId(), null);
      assert.equal(conversation.sessionToken(), null);
    }
  });

  test("unread count, owner tab, open flag and teaser", () => {
    const { conversation } = make();
    conversation.addUnread();
    conversation.addUnread();
    assert.equal(conversation.unread(), 2);
    conversation.clearUnread();
    assert.equal(conversation.unread(), 0);
    assert.equal(conversation.isOwner("tab-1"), true); // Nobody claimed it yet.
    conversation.claim("tab-2");
    assert.equal(conversation.isOwner("tab-1"), false);
    conversation.setOpen(true);
    assert.equal(conversation.wasOpen(), true);
    conversation.dismissTeaser();
    assert.equal(conversation.teaserDismissed(), true);
  });

  test("forgetting the messages keeps the session and the interface flags", () => {
    const { conversation } = make();
    conversation.setSession("abc", "token-abc");
    conversation.record({ id: "1", role: "user", text: "hi" });
    conversation.expectReplyWithin(5000);
    conversation.addUnread();
    conversation.dismissTeaser();
    conversation.forgetMessages();
    assert.deepEqual(conversation.transcript(), []);
    assert.equal(conversation.isPending(), false);
    assert.equal(conversation.unread(), 0);
    assert.equal(conversation.sessionToken(), "token-abc");
    assert.equal(conversation.teaserDismissed(), true);
  });

  test("forget clears the conversation but not the open flag", () => {
    const { conversation, storage } = make();
    conversation.setSession("abc", "token-abc");
    conversation.record({ id: "1", role: "user", text: "hi" });
    conversation.expectReplyWithin(5000);
    conversation.addUnread();
    conversation.dismissTeaser();
    conversation.setOpen(true);
    conversation.forget();
    assert.equal(conversation.sessionId(), null);
    assert.deepEqual(conversation.transcript(), []);
    assert.equal(conversation.isPending(), false);
    assert.equal(conversation.unread(), 0);
    assert.equal(conversation.teaserDismissed(), false);
    assert.deepEqual([...storage.data.keys()], ["smp-chat:open"]);
  });

  test("ids are unique", () => {
    const ids = new Set(Array.from({ length: 200 }, newId));
    assert.equal(ids.size, 200);
  });
});

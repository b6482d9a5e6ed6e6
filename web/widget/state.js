/**
 * The visitor's conversation as the browser keeps it: the session (the
 * conversation id and the token the server issued for it), the transcript,
 * whether a reply is on its way, the unread count and a few interface flags,
 * in localStorage (memory when the browser blocks storage). Every tab of the
 * visitor reads and writes the same entries.
 */

/** A short random id for messages and tabs. */
export function newId() {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
}

function probeLocalStorage(prefix) {
  try {
    const storage = globalThis.localStorage;
    const probe = `${prefix}:probe`;
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null; // Blocked storage (privacy settings): the chat still works.
  }
}

/**
 * JSON values under `prefix:key` in `storage` (by default localStorage, if
 * the browser allows it), falling back to memory.
 */
export function createStore(prefix, storage = probeLocalStorage(prefix)) {
  const memory = new Map();
  const local = storage || null;
  const fullKey = (key) => `${prefix}:${key}`;
  return {
    persistent: local !== null,
    fullKey,
    /** The key of a full storage key of this store (`prefix:key`), or null. */
    keyOf(full) {
      return typeof full === "string" && full.startsWith(`${prefix}:`)
        ? full.slice(prefix.length + 1)
        : null;
    },
    get(key, fallback) {
      try {
        const raw = local ? local.getItem(fullKey(key)) : memory.get(key);
        return raw === null || raw === undefined ? fallback : JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    set(key, value) {
      const raw = JSON.stringify(value);
      try {
        if (local) local.setItem(fullKey(key), raw);
        else memory.set(key, raw);
      } catch {
        memory.set(key, raw); // Quota exceeded: keep this page working.
      }
    },
    remove(key) {
      memory.delete(key);
      try {
        if (local) local.removeItem(fullKey(key));
      } catch {
        /* ignore */
      }
    },
  };
}

/** Keys that describe the conversation itself (what the message list shows). */
export const CONVERSATION_KEYS = ["transcript", "pendingUntil", "failure"];
const MESSAGE_KEYS = ["transcript", "pendingUntil", "failure", "unread", "votes"];
const FORGOTTEN_ON_RESET = ["session", ...MESSAGE_KEYS, "teaserDismissed"];

/**
 * `{id, token}` from the stored session: an object, or a bare id string as
 * widgets before 1.2 stored it (no token: the server then starts afresh).
 */
function readSession(stored) {
  if (typeof stored === "string" && stored) return { id: stored, token: null };
  if (!stored || typeof stored !== "object" || typeof stored.id !== "string" || !stored.id) {
    return null;
  }
  return { id: stored.id, token: typeof stored.token === "string" && stored.token ? stored.token : null };
}

/**
 * The conversation on top of a store. `now` gives the time in milliseconds
 * (tests pass a fake clock).
 */
export function createConversation(store, { historyLimit, now = () => Date.now() }) {
  const number = (key) => Number(store.get(key, 0)) || 0;
  return {
    store,

    transcript() {
      const stored = store.get("transcript", []);
      return Array.isArray(stored) ? stored.filter((m) => m && typeof m === "object") : [];
    },
    /** Adds a message, keeping the latest `historyLimit`. */
    record(message) {
      const messages = this.transcript();
      messages.push(message);
      store.set("transcript", messages.slice(-historyLimit));
      this.clearFailure();
    },
    last() {
      const messages = this.transcript();
      return messages[messages.length - 1] || null;
    },
    /** The visitor's latest message, or null. */
    lastFromVisitor() {
      const messages = this.transcript();
      for (let i = messages.length - 1; i >= 0; i -= 1) {
        if (messages[i].role === "user") return messages[i];
      }
      return null;
    },

    /** Why the latest message got no answer, as the server said it, or null. */
    failure() {
      const text = store.get("failure", null);
      return typeof text === "string" && text ? text : null;
    },
    setFailure(text) {
      store.set("failure", String(text));
    },
    clearFailure() {
      if (this.failure() !== null) store.remove("failure");
    },

    sessionId() {
      return readSession(store.get("session", null))?.id ?? null;
    },
    /** The token the server issued for the session: the right to rejoin it. */
    sessionToken() {
      return readSession(store.get("session", null))?.token ?? null;
    },
    /** Keeps the id and its token together, in one entry, so tabs never mix them. */
    setSession(id, token = null) {
      store.set("session", { id, token: token || null });
    },

    /** A reply is on its way until this time (ms since the epoch), or 0. */
    pendingUntil() {
      return number("pendingUntil");
    },
    isPending() {
      return this.pendingUntil() > now();
    },
    /** Waits `ms` more for the reply (0: not waiting any more). */
    expectReplyWithin(ms) {
      store.set("pendingUntil", ms > 0 ? now() + ms : 0);
    },

    unread() {
      return number("unread");
    },
    addUnread() {
      store.set("unread", this.unread() + 1);
    },
    clearUnread() {
      store.set("unread", 0);
    },

    /** The tab that records replies: the one that sent the latest message. */
    claim(tabId) {
      store.set("owner", tabId);
    },
    isOwner(tabId) {
      return store.get("owner", tabId) === tabId;
    },

    wasOpen() {
      return store.get("open", false) === true;
    },
    setOpen(open) {
      store.set("open", Boolean(open));
    },
    teaserDismissed() {
      return store.get("teaserDismissed", false) === true;
    },
    dismissTeaser() {
      store.set("teaserDismissed", true);
    },

    /** The visitor's "Was this helpful?" vote under `key` (see feedback.js), or null. */
    vote(key) {
      const votes = store.get("votes", {});
      return votes && typeof votes === "object" && votes[key] ? votes[key] : null;
    },
    setVote(key, vote) {
      const votes = store.get("votes", {});
      store.set("votes", { ...(votes && typeof votes === "object" ? votes : {}), [key]: vote });
    },

    /** Forgets the conversation on this device. */
    forget() {
      for (const key of FORGOTTEN_ON_RESET) store.remove(key);
    },
    /** Forgets the messages only (the server gave us another conversation). */
    forgetMessages() {
      for (const key of MESSAGE_KEYS) store.remove(key);
    },
  };
}

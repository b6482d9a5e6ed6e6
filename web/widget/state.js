/**
 * The visitor's conversation as the browser keeps it: the session id, the
 * transcript, whether a reply is on its way, the unread count and a few
 * interface flags, in localStorage (memory when the browser blocks storage).
 * Every tab of the visitor reads and writes the same entries.
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
export const CONVERSATION_KEYS = ["transcript", "pendingUntil"];
const FORGOTTEN_ON_RESET = ["session", "transcript", "pendingUntil", "unread", "teaserDismissed"];

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
    },
    last() {
      const messages = this.transcript();
      return messages[messages.length - 1] || null;
    },

    sessionId() {
      const id = store.get("session", null);
      return typeof id === "string" && id ? id : null;
    },
    setSessionId(id) {
      store.set("session", id);
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

    /** Forgets the conversation on this device. */
    forget() {
      for (const key of FORGOTTEN_ON_RESET) store.remove(key);
    },
  };
}

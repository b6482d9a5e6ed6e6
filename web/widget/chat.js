/**
 * The conversation's flow: what the visitor writes, when it goes to Rasa,
 * and when a reply counts as finished or as lost. No DOM here.
 *
 * - One question at a time. A message written while the connection is still
 *   being set up, while the welcome is on its way, or while the previous
 *   reply is still coming in waits in the outbox (shown, marked as waiting)
 *   and is sent as soon as the way is clear. So each answer follows its own
 *   question, even when the visitor sends several messages quickly.
 * - A reply is a burst of bubbles: it counts as finished once no bubble has
 *   come for `burstQuietMs`. The typing dots stay on until then.
 * - If no bubble comes within `replyTimeoutMs`, the reply counts as lost and
 *   the visitor is offered "Try again" (`retry()`), which sends the last
 *   message again. The same when the server says it could not process the
 *   message (a `failed` bot message): its text replaces the "no reply" notice.
 * - When the connection is lost, nothing waits for it: the waiting messages'
 *   text goes back to the message box (`onReturn`), so it is neither lost nor
 *   sent late without the visitor seeing it.
 *
 * The waiting-for-a-reply deadline lives in storage, so every tab of the
 * visitor shows the same typing dots and waits for the same reply.
 */
import { newId } from "./state.js";

const defaultTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

/**
 * - `conversation`: see state.js; `connection`: see socket.js;
 * - `timing`: `replyTimeoutMs`, `welcomeTimeoutMs`, `burstQuietMs`;
 * - `onChange(event)`: something to show changed; `event.type` is one of
 *   "queued", "sent", "reply", "failed", "settled", "status", "sync";
 * - `onReturn(texts)`: waiting messages whose text goes back to the box;
 * - `timers` and `now`: the clock (tests pass a fake one).
 */
export function createChat({
  config,
  conversation,
  connection,
  tabId,
  timing,
  timers = defaultTimers,
  now = () => Date.now(),
  onChange = () => {},
  onReturn = () => {},
}) {
  const outbox = [];
  let engaged = false; // The visitor opened the chat (or wrote) on this page.
  let startSent = false;
  let deadline = null;

  const accepting = () => connection.status !== "offline" && connection.status !== "failed";
  const ready = () => connection.online && conversation.sessionId() !== null;

  function watchDeadline() {
    timers.clearTimeout(deadline);
    deadline = null;
    if (!conversation.isPending()) return;
    // The deadline may move (another bubble, another tab): check again then.
    const wait = Math.max(0, conversation.pendingUntil() - now());
    deadline = timers.setTimeout(() => {
      deadline = null;
      if (conversation.isPending()) {
        watchDeadline();
        return;
      }
      onChange({ type: "settled" });
      flush();
    }, wait + 20);
  }

  function awaitReply(ms) {
    conversation.expectReplyWithin(ms);
    watchDeadline();
  }

  /** A new conversation opens with the start payload (the welcome). */
  function maybeStart() {
    if (startSent || !config.startPayload || !(engaged || outbox.length)) return false;
    if (!ready() || conversation.isPending() || conversation.transcript().length) return false;
    if (!connection.send(config.startPayload)) return false;
    startSent = true;
    conversation.claim(tabId);
    awaitReply(timing.welcomeTimeoutMs);
    onChange({ type: "sync" });
    return true;
  }

  /** Sends the next waiting message if nothing else is on its way. */
  function flush() {
    if (!outbox.length || !ready() || conversation.isPending()) return;
    if (maybeStart()) return;
    const next = outbox[0];
    if (!connection.send(next.sent ?? next.text)) return;
    outbox.shift();
    conversation.claim(tabId);
    conversation.record(next);
    awaitReply(timing.replyTimeoutMs);
    onChange({ type: "sent", message: next });
  }

  function returnOutbox() {
    if (!outbox.length) return;
    const texts = outbox.splice(0).map((message) => message.text);
    onReturn(texts);
    onChange({ type: "sync" });
  }

  return {
    /** Messages written but not sent yet, oldest first. */
    get outbox() {
      return outbox.slice();
    },

    /** Whether the visitor may write now (false while the connection is lost). */
    get accepting() {
      return accepting();
    },

    /** Whether the latest message got no reply in time, or failed on the server. */
    get unanswered() {
      if (outbox.length || conversation.isPending()) return false;
      const last = conversation.last();
      if (last && last.role === "user") return true;
      return conversation.failure() !== null && conversation.lastFromVisitor() !== null;
    },

    /** The chat was opened: connect, and welcome a new visitor. */
    engage() {
      engaged = true;
      connection.connect();
      maybeStart();
      flush();
    },

    /**
     * The visitor sends `text`, shown as `shown` (a button's title when its
     * payload is sent). False if it was not accepted (blank, or offline).
     */
    submit(text, shown = text) {
      const message = String(text).trim().slice(0, config.maxLength);
      const label = String(shown).trim().slice(0, config.maxLength) || message;
      if (!message || !accepting()) return false;
      const entry = { id: newId(), role: "user", text: label, at: now() };
      if (message !== label) entry.sent = message;
      outbox.push(entry);
      onChange({ type: "queued", message: entry });
      connection.connect();
      flush();
      return true;
    },

    /** Sends the last message again after its reply got lost or failed. */
    retry() {
      const last = conversation.lastFromVisitor();
      if (!this.unanswered || !last || !ready()) return false;
      if (!connection.send(last.sent ?? last.text)) return false;
      conversation.clearFailure();
      conversation.claim(tabId);
      awaitReply(timing.replyTimeoutMs);
      onChange({ type: "sent", message: last, retried: true });
      return true;
    },

    /** A bot message arrived (see socket.js). */
    receive(message, { open }) {
      // Another tab of this visitor sent the latest message: it records the
      // reply, and this tab follows through storage.
      if (!conversation.isOwner(tabId)) return;
      if (message.failed) {
        // Nothing of the turn was kept: the message waits for "Try again".
        conversation.setFailure(message.text);
        awaitReply(0);
        if (!open) conversation.addUnread();
        onChange({ type: "failed", message });
        flush();
        return;
      }
      const replying = conversation.isPending();
      conversation.record(message);
      if (replying) awaitReply(timing.burstQuietMs);
      if (!open) conversation.addUnread();
      onChange({ type: "reply", message });
    },

    /** The connection's status changed (see socket.js). */
    status(status) {
      if (status === "offline" || status === "failed") returnOutbox();
      onChange({ type: "status", status });
      if (status === "online") {
        maybeStart();
        flush();
      }
    },

    /** Another tab changed the conversation in storage. */
    refresh() {
      watchDeadline();
      onChange({ type: "sync" });
      flush();
    },

    /** Forgets the conversation; the next one starts with a new welcome. */
    reset() {
      outbox.length = 0;
      startSent = false;
      timers.clearTimeout(deadline);
      deadline = null;
      conversation.forget();
      onChange({ type: "sync" });
    },

    /**
     * The server confirmed another conversation than the stored one: its
     * messages are not this conversation's, and it opens with a welcome.
     * Messages still waiting to be sent go to the new conversation.
     */
    replaced() {
      startSent = false;
      timers.clearTimeout(deadline);
      deadline = null;
      conversation.forgetMessages();
      onChange({ type: "sync" });
    },

    /** Starts watching a reply that was already on its way when the page loaded. */
    resume() {
      watchDeadline();
    },
  };
}

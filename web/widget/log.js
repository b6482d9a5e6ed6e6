/**
 * The message list: keeps the `role="log"` element in line with the
 * conversation, shows the typing dots and the "no reply" notice (or the
 * server's reason a message failed), and scrolls
 * so that a reply can be read from its start with its buttons in view.
 *
 * Nodes are only added for what is new and are never re-inserted when
 * nothing changed: the list is an aria-live region, and anything inserted
 * into it is read out by screen readers.
 */
import { h } from "./dom.js";
import { markWaiting, messageNode, noReplyNode, repliesNode } from "./render.js";

const GAP = 8; // Space kept above the first thing a scroll brings into view.

/**
 * Where to scroll after a reply (all values in pixels, in the list's
 * coordinates): the question at the top if question, answer and buttons fit;
 * else the end of the reply at the bottom if the answer's start stays in
 * view; else the answer's start at the top, with a cue that more is below.
 * `questionTop` is null when there is no question (a welcome).
 */
export function replyScroll({ questionTop, answerTop, endBottom, viewHeight, maxScroll }) {
  const clamp = (top) => Math.max(0, Math.min(maxScroll, top));
  const fromQuestion = questionTop === null ? null : questionTop - GAP;
  const fromAnswer = answerTop - GAP;
  if (fromQuestion !== null && endBottom - fromQuestion <= viewHeight) {
    return { top: clamp(fromQuestion), cue: false };
  }
  if (endBottom - fromAnswer <= viewHeight) {
    return { top: clamp(endBottom - viewHeight), cue: false };
  }
  return { top: clamp(fromAnswer), cue: endBottom - clamp(fromAnswer) > viewHeight };
}

/**
 * The view of the message list `log`, with `cue` (a "More below" button
 * outside the scrolling list). `onChoose(button)` runs for a suggested reply,
 * `onRetry()` for "Try again"; `feedback(message)` gives an answer's
 * "Was this helpful?" handlers (see feedback.js).
 */
export function createLogView({ log, cue, onChoose, onRetry, feedback = null }) {
  const typing = h("div", { class: "smp-typing", "aria-hidden": "true" }, [
    h("span"),
    h("span"),
    h("span"),
  ]);
  let shown = []; // [{ message, node }] for the transcript, in order.
  const waiting = new Map(); // id -> node, for messages not sent yet.
  let replies = null; // { id, node } of the suggested replies shown.
  let notice = null; // { text, node } of the "no reply" notice shown.

  const lastShownNode = () => (shown.length ? shown[shown.length - 1].node : null);

  function place(node, after) {
    const before = after ? after.nextSibling : log.firstChild;
    if (before !== node) log.insertBefore(node, before);
  }

  function setContinued(node, message, previous) {
    node.classList.toggle("smp-msg--cont", Boolean(previous && previous.role === message.role));
  }

  /** Brings the transcript part of the list in line with `messages`. */
  function syncTranscript(messages) {
    const ids = messages.map((message) => message.id);
    // Old messages dropped off the front of a full history.
    const start = ids.length ? shown.findIndex((entry) => entry.message.id === ids[0]) : -1;
    if (start > 0 && shown.slice(start).every((entry, i) => entry.message.id === ids[i])) {
      for (const entry of shown.slice(0, start)) entry.node.remove();
      shown = shown.slice(start);
      if (shown.length) setContinued(shown[0].node, shown[0].message, null);
    }
    const extendsShown =
      shown.length <= ids.length && shown.every((entry, i) => entry.message.id === ids[i]);
    if (!extendsShown) {
      log.replaceChildren();
      shown = [];
      waiting.clear();
      replies = null;
    }
    for (let i = shown.length; i < messages.length; i += 1) {
      const message = messages[i];
      let node = waiting.get(message.id);
      if (node) {
        waiting.delete(message.id);
        markWaiting(node, false);
      } else {
        node = messageNode(message, messages[i - 1], feedback);
      }
      setContinued(node, message, messages[i - 1]);
      place(node, lastShownNode());
      shown.push({ message, node });
    }
  }

  /**
   * Shows `messages` (the transcript), then the suggested replies of the
   * last bot message, the "no reply" notice (with `failure`, the server's
   * reason, as its text), the typing dots and the messages in `outbox`
   * (written, not sent yet).
   */
  function render({
    messages,
    outbox = [],
    pending = false,
    unanswered = false,
    failure = null,
    accepting,
    online,
  }) {
    syncTranscript(messages);

    const last = messages[messages.length - 1];
    const extras = [];
    if (last && last.role === "bot" && last.buttons && last.buttons.length && !outbox.length) {
      if (!replies || replies.id !== last.id) {
        replies = {
          id: last.id,
          node: repliesNode(last.buttons, { disabled: !accepting, onChoose }),
        };
      }
      extras.push(replies.node);
    } else {
      replies = null;
    }
    if (replies) {
      for (const button of replies.node.querySelectorAll("button")) button.disabled = !accepting;
    }
    if (unanswered) {
      // The server's reason when it gave one, else "no reply arrived".
      const text = failure || null;
      if (notice && notice.text !== text) notice = null;
      notice ??= { text, node: noReplyNode({ text, disabled: !online, onRetry }) };
      notice.node.querySelector("button").disabled = !online;
      extras.push(notice.node);
    } else {
      notice = null;
    }
    if (pending) extras.push(typing);

    const outboxIds = new Set(outbox.map((message) => message.id));
    for (const id of waiting.keys()) if (!outboxIds.has(id)) waiting.delete(id);
    let previous = last;
    for (const message of outbox) {
      let node = waiting.get(message.id);
      if (!node) {
        node = messageNode(message, previous);
        markWaiting(node, true);
        waiting.set(message.id, node);
      }
      setContinued(node, message, previous);
      extras.push(node);
      previous = message;
    }

    // Put the extras after the transcript, moving only what is out of place.
    let cursor = lastShownNode() ? lastShownNode().nextSibling : log.firstChild;
    for (const node of extras) {
      if (cursor === node) cursor = cursor.nextSibling;
      else log.insertBefore(node, cursor);
    }
    while (cursor) {
      const next = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    if (!pending && !unanswered) hideCueIfSeen();
  }

  function nodeOf(id) {
    const entry = shown.find((item) => item.message.id === id);
    return entry ? entry.node : waiting.get(id) || null;
  }

  function atBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  }

  function hideCueIfSeen() {
    if (cue && atBottom()) cue.hidden = true;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
    if (cue) cue.hidden = true;
  }

  /** Scrolls so the latest reply reads from its start, buttons in view. */
  function revealReply() {
    let questionIndex = -1;
    for (let i = shown.length - 1; i >= 0; i -= 1) {
      if (shown[i].message.role === "user") {
        questionIndex = i;
        break;
      }
    }
    const answer = shown.slice(questionIndex + 1);
    if (!answer.length) {
      scrollToEnd();
      return;
    }
    const question = questionIndex >= 0 ? shown[questionIndex].node : null;
    const end = replies && replies.node.isConnected ? replies.node : answer[answer.length - 1].node;
    const { top, cue: showCue } = replyScroll({
      questionTop: question ? question.offsetTop : null,
      answerTop: answer[0].node.offsetTop,
      endBottom: end.offsetTop + end.offsetHeight + GAP,
      viewHeight: log.clientHeight,
      maxScroll: Math.max(0, log.scrollHeight - log.clientHeight),
    });
    log.scrollTop = top;
    if (cue) cue.hidden = !showCue;
  }

  if (cue) {
    cue.addEventListener("click", () => {
      log.scrollTo({ top: log.scrollHeight, behavior: "smooth" });
      cue.hidden = true;
    });
    log.addEventListener("scroll", hideCueIfSeen, { passive: true });
  }

  return { render, scrollToEnd, revealReply, nodeOf, typing };
}

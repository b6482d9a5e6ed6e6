/**
 * The chat widget, put together: options (config.js), the conversation in
 * storage (state.js), the link to Rasa (socket.js), the conversation's flow
 * (chat.js), the frame (ui.js) and the message list (log.js).
 *
 * smp-chat.js, the script tag's file, loads this module and calls `start`.
 */
import { TIMING, VERSION, readConfig } from "./config.js";
import { createChat } from "./chat.js";
import { createFeedbackSender, voteKey } from "./feedback.js";
import { createLogView } from "./log.js";
import { CONVERSATION_KEYS, createConversation, createStore, newId } from "./state.js";
import { createConnection } from "./socket.js";
import { createShell } from "./ui.js";

/**
 * Draws the widget and returns its JavaScript API (also set as
 * `window.SMPChat`). `dataset`: the script tag's data-* options; `baseUrl`:
 * the folder the widget's files are served from. `timing` (see config.js)
 * and `loadClient` (resolves to socket.io's `io`; by default the copy in
 * `vendor/`) are there for tests.
 */
export function start({ dataset = {}, baseUrl, timing = TIMING, loadClient } = {}) {
  const config = readConfig({ fromObject: window.SMPChatConfig, fromTag: dataset, baseUrl });
  const store = createStore(config.storageKey);
  const conversation = createConversation(store, { historyLimit: config.historyLimit });
  // The tab that sent the latest message (or loaded last) records replies;
  // other tabs of the same visitor follow through the `storage` event.
  const tabId = newId();
  conversation.claim(tabId);

  const connection = createConnection({
    serverUrl: config.serverUrl,
    socketPath: config.socketPath,
    loadClient:
      loadClient ||
      (() => import(`${baseUrl}vendor/socket.io.esm.min.js`).then((module) => module.io)),
    sessionId: () => conversation.sessionId(),
    sessionToken: () => conversation.sessionToken(),
    onSession: (id, token, { replaced } = {}) => {
      // The stored conversation was not ours to rejoin: start the new one clean.
      if (replaced) chat.replaced();
      conversation.setSession(id, token);
    },
    onMessage: (message) => chat.receive(message, { open: shell.isOpen }),
    onStatus: (status) => chat.status(status),
  });

  const chat = createChat({
    config,
    conversation,
    connection,
    tabId,
    timing,
    onChange: show,
    onReturn: (texts) => shell.restoreDraft(texts),
  });

  const shell = createShell(config, {
    baseUrl,
    modalQuery: window.matchMedia("(max-width: 480px)"),
    bannerDelayMs: timing.bannerDelayMs,
    handlers: {
      onLauncher: () => (shell.isOpen ? close() : open()),
      onLauncherHover: () => connection.preload().catch(() => {}),
      onClose: () => close(),
      onSubmit: (text) => chat.submit(text),
      onTeaserOpen: () => open(),
      onTeaserDismiss: () => {
        conversation.dismissTeaser();
        updateTeaser();
      },
    },
  });

  const view = createLogView({
    log: shell.log,
    cue: shell.cue,
    onChoose: (button) => {
      // Keyboard users carry on typing.
      if (chat.submit(button.payload, button.title)) shell.focusInput();
    },
    onRetry: () => chat.retry(),
    feedback: (message) => answerFeedback(message.answer),
  });

  const votes = createFeedbackSender({
    serverUrl: config.serverUrl,
    sessionId: () => conversation.sessionId(),
    sessionToken: () => conversation.sessionToken(),
  });

  /** "Was this helpful?" on one answer version: the vote given, and sending one. */
  function answerFeedback(answer) {
    const key = voteKey(answer);
    return {
      given: conversation.vote(key),
      onVote: async (helpful) => {
        const ok = await votes.send({ answer, helpful });
        if (ok) conversation.setVote(key, { helpful, commented: false });
        return ok;
      },
      onComment: async (comment) => {
        const given = conversation.vote(key);
        if (!given) return false;
        const ok = await votes.send({ answer, helpful: given.helpful, comment });
        if (ok) conversation.setVote(key, { ...given, commented: true });
        return ok;
      },
    };
  }

  function render() {
    view.render({
      messages: conversation.transcript(),
      outbox: chat.outbox,
      pending: conversation.isPending(),
      unanswered: chat.unanswered,
      failure: conversation.failure(),
      accepting: chat.accepting,
      online: connection.online,
    });
  }

  /** Draws a change of the conversation (see chat.js for the events). */
  function show(event) {
    render();
    if (event.type === "queued") view.scrollToEnd();
    else if (event.type === "sent" && !chat.outbox.length) view.scrollToEnd();
    else if (event.type === "reply") view.revealReply();
    else if (event.type === "failed") view.scrollToEnd();
    else if (event.type === "status") {
      shell.setStatus(event.status, { canWrite: chat.accepting });
    }
    updateBadge();
    updateTeaser();
  }

  function updateBadge() {
    shell.setUnread(conversation.unread());
  }

  function updateTeaser() {
    shell.setTeaser(
      Boolean(config.greeting) &&
        !shell.isOpen &&
        !conversation.teaserDismissed() &&
        conversation.transcript().length === 0 &&
        chat.outbox.length === 0,
    );
  }

  function open({ focus = true } = {}) {
    conversation.setOpen(true);
    conversation.clearUnread();
    render(); // Before showing the list, so the history is not read out as new.
    shell.setOpen(true, { focus: false });
    view.scrollToEnd();
    updateBadge();
    updateTeaser();
    chat.engage();
    if (focus) shell.focusInput();
  }

  function close() {
    conversation.setOpen(false);
    shell.setOpen(false);
    updateBadge();
    updateTeaser();
  }

  // Another tab of this visitor changed the conversation: show the same.
  window.addEventListener("storage", (event) => {
    const key = store.keyOf(event.key);
    if (key === null) return;
    if (CONVERSATION_KEYS.includes(key)) {
      chat.refresh();
      if (shell.isOpen) view.scrollToEnd();
    } else if (key === "unread") {
      updateBadge();
    } else if (key === "session") {
      connection.requestSession();
    }
  });

  /** Forget this visitor's conversation and start a new one. */
  function reset() {
    chat.reset();
    connection.restart(); // Reconnecting asks Rasa for a new session.
    render();
    updateBadge();
    updateTeaser();
  }

  const api = {
    version: VERSION,
    open: () => open(),
    close: () => close(),
    toggle: () => (shell.isOpen ? close() : open()),
    send: (text) => chat.submit(text),
    sessionId: () => conversation.sessionId(),
    reset,
  };
  window.SMPChat = api;

  shell.mount(() => {
    render();
    updateBadge();
    updateTeaser();
    chat.resume();
    // Keep the conversation where the visitor left it on the previous page,
    // without taking keyboard focus away from the page that just loaded.
    if (conversation.wasOpen()) open({ focus: false });
    else if (conversation.isPending()) connection.connect(); // A reply is on its way.
  });
  return api;
}

/*!
 * SMP clinic chat widget: a website chat for the clinic's Rasa assistant.
 *
 * Embed with one tag (options: docs/widget.md):
 *   <script src="https://host/widget/smp-chat.js"
 *           data-server-url="https://rasa.example" defer></script>
 *
 * It loads its stylesheet and the socket.io client from the folder it was
 * served from, draws itself inside a shadow root (the host page's CSS and the
 * widget's CSS cannot touch each other), and talks to Rasa's socket.io
 * channel. Bot and visitor text is only ever put into the page as text nodes.
 */
(() => {
  "use strict";

  if (window.SMPChat) return; // The tag was included twice.

  const VERSION = "1.0.0";
  const script =
    document.currentScript ||
    document.querySelector('script[src*="smp-chat.js"]');
  const BASE_URL = new URL(".", script ? script.src : location.href).href;

  const DEFAULTS = {
    serverUrl: "",
    socketPath: "/socket.io/",
    clinicName: "Clinic assistant",
    subtitle: "Virtual assistant",
    primaryColor: "#1d5c63",
    greeting: "",
    startPayload: "/greet",
    placeholder: "Type your question…",
    disclaimer: "Automated answers · not medical advice",
    position: "right",
    storageKey: "smp-chat",
    maxLength: 1000,
    historyLimit: 100,
  };
  const NUMBER_OPTIONS = new Set(["maxLength", "historyLimit"]);
  // Every text of the widget's own interface, in one place for translation.
  const TEXT = {
    chatWith: (name) => `Chat with ${name}`,
    openChat: (name) => `Open chat with ${name}`,
    closeChatWith: (name) => `Close chat with ${name}`,
    unread: (count) => `(${count} unread)`,
    closeChat: "Close chat",
    conversation: "Conversation",
    messageLabel: "Type your message",
    send: "Send message",
    suggestedReplies: "Suggested replies",
    youSaid: "You said:",
    assistantSaid: "Assistant said:",
    image: "Image from the assistant",
    dismissGreeting: "Dismiss message",
    reconnecting: "Connection lost. Reconnecting…",
    loadFailed: "The chat could not load. Please refresh the page.",
  };
  const REPLY_TIMEOUT_MS = 45000;
  const WELCOME_TIMEOUT_MS = 8000;
  const BANNER_DELAY_MS = 600;
  const COUNTER_FROM = 0.8; // Show the character counter from 80% of the limit.

  /** Options from window.SMPChatConfig, overridden by the tag's data-* attributes. */
  function readConfig() {
    const config = { ...DEFAULTS };
    const fromObject = window.SMPChatConfig;
    const fromTag = script ? script.dataset : {};
    for (const source of [fromObject, fromTag]) {
      if (!source || typeof source !== "object") continue;
      for (const key of Object.keys(DEFAULTS)) {
        if (source[key] === undefined || source[key] === null) continue;
        config[key] = NUMBER_OPTIONS.has(key) ? Number(source[key]) : String(source[key]);
      }
    }
    if (!config.serverUrl) config.serverUrl = new URL(BASE_URL).origin;
    config.maxLength = clampInt(config.maxLength, 1, 10000, DEFAULTS.maxLength);
    config.historyLimit = clampInt(config.historyLimit, 1, 1000, DEFAULTS.historyLimit);
    config.position = config.position === "left" ? "left" : "right";
    return config;
  }

  function clampInt(value, min, max, fallback) {
    return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
  }

  // ---------------------------------------------------------------------------
  // Storage: localStorage when the browser allows it, memory otherwise.

  function createStore(prefix) {
    const memory = new Map();
    let local = null;
    try {
      const probe = `${prefix}:probe`;
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      local = window.localStorage;
    } catch {
      local = null; // Blocked storage (privacy settings): the chat still works.
    }
    const fullKey = (key) => `${prefix}:${key}`;
    return {
      persistent: local !== null,
      fullKey,
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

  // ---------------------------------------------------------------------------
  // DOM helpers. Text only ever enters the page through text nodes.

  function h(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === false || value === null || value === undefined) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of [].concat(children)) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: [
      "M6.5 3.5h11a2.5 2.5 0 0 1 2.5 2.5v7.5a2.5 2.5 0 0 1-2.5 2.5H11l-4.5 3.8V16a2.5 2.5 0 0 1-2.5-2.5V6a2.5 2.5 0 0 1 2.5-2.5z",
      "M8.5 9.75h.01M12 9.75h.01M15.5 9.75h.01",
    ],
    close: ["M6 6l12 12", "M18 6L6 18"],
    down: ["M6 9.5l6 6 6-6"],
    send: ["M12 19V5.5", "M5.5 12L12 5.5l6.5 6.5"],
  };

  function icon(name, className = "smp-icon") {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", className);
    for (const d of ICONS[name]) {
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.append(path);
    }
    return svg;
  }

  // ---------------------------------------------------------------------------
  // Safe minimal markdown: **bold**, *italic*, line breaks, "- " and "1. "
  // lists, [label](url) and bare http(s)/mailto links and e-mail addresses.

  const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
  const INLINE = new RegExp(
    [
      String.raw`\*\*(?=\S)([\s\S]*?\S)\*\*`, // 1: bold
      String.raw`\*(?=[^\s*])([^*]*?[^\s*])\*`, // 2: italic
      String.raw`\[([^\]\n]+)\]\(\s*([^()\s]+)\s*\)`, // 3, 4: [label](url)
      String.raw`((?:https?:\/\/|mailto:)[^\s<>"]+)`, // 5: bare link
      String.raw`([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})`, // 6: e-mail
    ].join("|"),
    "g",
  );
  const TRAILING_PUNCTUATION = /[.,;:!?'")\]]+$/;

  function safeUrl(href) {
    try {
      const url = new URL(href);
      return LINK_PROTOCOLS.has(url.protocol) ? url : null;
    } catch {
      return null;
    }
  }

  function link(url, label) {
    const anchor = h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" });
    appendInline(anchor, label, false);
    return anchor;
  }

  function appendInline(parent, text, linksAllowed = true) {
    let last = 0;
    INLINE.lastIndex = 0;
    for (let match = INLINE.exec(text); match; match = INLINE.exec(text)) {
      let [whole] = match;
      let node = null;
      if (match[1] !== undefined) {
        node = h("strong");
        appendInline(node, match[1], linksAllowed);
      } else if (match[2] !== undefined) {
        node = h("em");
        appendInline(node, match[2], linksAllowed);
      } else if (match[3] !== undefined) {
        const url = linksAllowed ? safeUrl(match[4]) : null;
        node = url ? link(url, match[3]) : document.createTextNode(match[3]);
      } else if (match[5] !== undefined || match[6] !== undefined) {
        const trailing = whole.match(TRAILING_PUNCTUATION);
        if (trailing) whole = whole.slice(0, -trailing[0].length);
        const url = linksAllowed
          ? safeUrl(match[5] !== undefined ? whole : `mailto:${whole}`)
          : null;
        node = url ? link(url, whole) : document.createTextNode(whole);
      }
      parent.append(text.slice(last, match.index), node);
      last = match.index + whole.length;
      INLINE.lastIndex = last;
    }
    parent.append(text.slice(last));
  }

  function renderRichText(text) {
    const fragment = document.createDocumentFragment();
    let paragraph = null;
    let list = null;
    for (const rawLine of String(text).replace(/\r\n?/g, "\n").split("\n")) {
      const line = rawLine.replace(/\s+$/, "");
      const bullet = /^\s*[-*•]\s+(.+)$/.exec(line);
      const numbered = bullet ? null : /^\s*(\d{1,3})[.)]\s+(.+)$/.exec(line);
      if (bullet || numbered) {
        const tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = h(tag);
          if (numbered && numbered[1] !== "1") list.setAttribute("start", numbered[1]);
          fragment.append(list);
        }
        const item = h("li");
        appendInline(item, bullet ? bullet[1] : numbered[2]);
        list.append(item);
        paragraph = null;
        continue;
      }
      list = null;
      if (!line.trim()) {
        paragraph = null;
        continue;
      }
      if (paragraph) paragraph.append(h("br"));
      else {
        paragraph = h("p");
        fragment.append(paragraph);
      }
      appendInline(paragraph, line);
    }
    return fragment;
  }

  // ---------------------------------------------------------------------------
  // Messages.

  function newId() {
    return Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  }

  /** A transcript entry from a `bot_uttered` payload, or null if nothing to show. */
  function botMessage(data) {
    if (!data || typeof data !== "object") return null;
    const text = typeof data.text === "string" ? data.text : "";
    const choices = Array.isArray(data.quick_replies)
      ? data.quick_replies
      : Array.isArray(data.buttons)
        ? data.buttons
        : [];
    const buttons = choices
      .filter((b) => b && typeof b.title === "string" && typeof b.payload === "string")
      .slice(0, 10)
      .map((b) => ({ title: b.title, payload: b.payload }));
    const attachment = data.attachment;
    let image = null;
    if (attachment && attachment.type === "image" && attachment.payload) {
      const url = safeUrl(String(attachment.payload.src || ""));
      if (url && url.protocol !== "mailto:") image = url.href;
    }
    if (!text && !buttons.length && !image) return null;
    return { id: newId(), role: "bot", text, buttons, image, at: Date.now() };
  }

  function initials(name) {
    const words = name.split(/\s+/).filter((w) => /^[A-Za-z0-9]/.test(w));
    return (words.slice(0, 2).map((w) => w[0]).join("") || "?").toUpperCase();
  }

  // ---------------------------------------------------------------------------
  // The widget.

  function start() {
    const config = readConfig();
    const store = createStore(config.storageKey);
    const tabId = newId();
    const modalQuery = window.matchMedia("(max-width: 480px)");

    const state = {
      open: false,
      socket: null,
      connecting: false,
      loading: null,
      online: false,
      sessionId: store.get("session", null),
      startSent: false,
      welcoming: false,
      shown: [],
      turnStart: null,
      replyTimer: null,
      bannerTimer: null,
    };
    // The tab that sent the latest message (or loaded last) records replies;
    // other tabs of the same visitor follow through the `storage` event.
    store.set("owner", tabId);

    const host = h("div", { id: "smp-chat", "data-version": VERSION });
    host.style.setProperty("position", "fixed");
    host.style.setProperty("z-index", "2147483000");
    host.style.setProperty("visibility", "hidden");
    const root = host.attachShadow({ mode: "open" });
    const stylesheet = h("link", { rel: "stylesheet", href: `${BASE_URL}smp-chat.css` });

    const title = config.clinicName;
    const log = h("div", {
      class: "smp-log",
      id: "smp-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": TEXT.conversation,
      tabindex: "0",
    });
    const typing = h("div", { class: "smp-typing", "aria-hidden": "true" }, [
      h("span"),
      h("span"),
      h("span"),
    ]);
    const bannerText = h("span", { text: TEXT.reconnecting });
    const banner = h(
      "div",
      { class: "smp-banner", role: "status", hidden: true },
      [h("span", { class: "smp-spinner", "aria-hidden": "true" }), bannerText],
    );
    const input = h("textarea", {
      id: "smp-input",
      class: "smp-input",
      rows: "1",
      maxlength: String(config.maxLength),
      placeholder: config.placeholder,
      autocomplete: "off",
      enterkeyhint: "send",
      "aria-describedby": "smp-counter",
    });
    const counter = h("div", { id: "smp-counter", class: "smp-counter", hidden: true });
    const sendButton = h("button", {
      type: "submit",
      class: "smp-send",
      "aria-label": TEXT.send,
      disabled: true,
    }, [icon("send")]);
    const composer = h("form", { class: "smp-composer", novalidate: true }, [
      h("label", { class: "smp-sr", for: "smp-input", text: TEXT.messageLabel }),
      input,
      sendButton,
      counter,
    ]);
    const closeButton = h("button", {
      type: "button",
      class: "smp-close",
      "aria-label": TEXT.closeChat,
    }, [icon("close")]);
    const statusDot = h("span", { class: "smp-status", "aria-hidden": "true" });
    const panel = h(
      "section",
      {
        class: "smp-panel",
        id: "smp-panel",
        role: "dialog",
        "aria-label": TEXT.chatWith(title),
        hidden: true,
      },
      [
        h("header", { class: "smp-header" }, [
          h("div", { class: "smp-avatar", "aria-hidden": "true", text: initials(title) }),
          h("div", { class: "smp-titles" }, [
            h("h2", { class: "smp-title", text: title }),
            h("p", { class: "smp-subtitle" }, [statusDot, config.subtitle]),
          ]),
          closeButton,
        ]),
        banner,
        log,
        composer,
        config.disclaimer ? h("p", { class: "smp-disclaimer", text: config.disclaimer }) : null,
      ],
    );
    const badge = h("span", { class: "smp-badge", "aria-hidden": "true", hidden: true });
    const launcher = h(
      "button",
      {
        type: "button",
        class: "smp-launcher",
        "aria-controls": "smp-panel",
        "aria-expanded": "false",
      },
      [icon("chat", "smp-icon smp-icon-open"), icon("down", "smp-icon smp-icon-close"), badge],
    );
    const teaserClose = h("button", {
      type: "button",
      class: "smp-teaser-close",
      "aria-label": TEXT.dismissGreeting,
    }, [icon("close")]);
    const teaserText = h("p", {
      class: "smp-teaser-text",
      id: "smp-teaser",
      text: config.greeting,
    });
    const teaser = h("div", { class: "smp-teaser", hidden: true }, [teaserText, teaserClose]);
    const widget = h("div", { class: "smp-widget", "data-position": config.position }, [
      panel,
      teaser,
      launcher,
    ]);
    root.append(stylesheet, widget);

    applyTheme(host, config.primaryColor);

    // -- Transcript ------------------------------------------------------------

    function transcript() {
      const stored = store.get("transcript", []);
      return Array.isArray(stored) ? stored : [];
    }

    function record(message) {
      const messages = transcript();
      messages.push(message);
      store.set("transcript", messages.slice(-config.historyLimit));
    }

    function messageNode(message, previous) {
      const role = message.role === "user" ? "user" : "bot";
      const bubble = h("div", { class: "smp-bubble" });
      if (message.text) bubble.append(renderRichText(message.text));
      if (message.image) {
        bubble.append(h("img", { class: "smp-image", src: message.image, alt: TEXT.image }));
      }
      const continued = previous && previous.role === message.role;
      return h(
        "div",
        { class: `smp-msg smp-msg--${role}${continued ? " smp-msg--cont" : ""}` },
        [
          h("span", { class: "smp-sr", text: role === "user" ? TEXT.youSaid : TEXT.assistantSaid }),
          bubble,
        ],
      );
    }

    function repliesNode(buttons) {
      const group = h("div", {
        class: "smp-replies",
        role: "group",
        "aria-label": TEXT.suggestedReplies,
      });
      for (const button of buttons) {
        group.append(
          h("button", {
            type: "button",
            class: "smp-reply",
            disabled: !state.online,
            onclick: () => {
              if (!send(button.payload, button.title)) return;
              group.remove();
              input.focus({ preventScroll: true }); // Keyboard users carry on typing.
            },
            text: button.title,
          }),
        );
      }
      return group;
    }

    /**
     * Brings the message list in line with the stored transcript. Only new
     * messages are added, so screen readers announce just those (the list is
     * an aria-live region), not the whole history again.
     */
    function sync() {
      const messages = transcript();
      const ids = messages.map((message) => message.id);
      const extendsShown =
        state.shown.length <= ids.length && state.shown.every((id, i) => ids[i] === id);
      if (!extendsShown) {
        log.replaceChildren();
        state.shown = [];
      }
      typing.remove();
      for (const group of log.querySelectorAll(".smp-replies")) group.remove();
      for (let i = state.shown.length; i < messages.length; i += 1) {
        log.append(messageNode(messages[i], messages[i - 1]));
      }
      state.shown = ids;
      const last = messages[messages.length - 1];
      if (last && last.role === "bot" && Array.isArray(last.buttons) && last.buttons.length) {
        log.append(repliesNode(last.buttons));
      }
      watchPending();
    }

    function append(message) {
      record(message);
      sync();
      const nodes = log.querySelectorAll(".smp-msg");
      if (message.role === "user") {
        state.turnStart = nodes[nodes.length - 1];
        scrollToEnd();
      } else {
        scrollToReply();
      }
    }

    function scrollToEnd() {
      log.scrollTop = log.scrollHeight;
    }

    // A long answer should be read from its start: keep the visitor's question
    // at the top rather than jumping to the end of the reply.
    function scrollToReply() {
      const question = state.turnStart && state.turnStart.isConnected ? state.turnStart : null;
      const end = log.scrollHeight - log.clientHeight;
      log.scrollTop = question ? Math.min(end, question.offsetTop - 8) : end;
    }

    function showTyping(visible) {
      if (visible) {
        log.append(typing);
        scrollToEnd();
      } else {
        typing.remove();
      }
    }

    /** Whether a reply is on its way (the visitor wrote less than a while ago). */
    function isPending() {
      const since = Number(store.get("pendingSince", 0)) || 0;
      return since > 0 && Date.now() - since < REPLY_TIMEOUT_MS;
    }

    function setPending(pending) {
      store.set("pendingSince", pending ? Date.now() : 0);
      watchPending();
    }

    // Never leave the dots running if a reply got lost.
    function watchPending() {
      clearTimeout(state.replyTimer);
      const pending = isPending();
      if (pending) {
        const since = Number(store.get("pendingSince", 0));
        state.replyTimer = setTimeout(watchPending, since + REPLY_TIMEOUT_MS - Date.now() + 50);
      }
      showTyping(pending);
    }

    // -- Unread badge and teaser --------------------------------------------------

    function updateBadge() {
      const unread = Number(store.get("unread", 0)) || 0;
      badge.hidden = unread === 0 || state.open;
      badge.textContent = unread > 9 ? "9+" : String(unread);
      const label = state.open ? TEXT.closeChatWith(title) : TEXT.openChat(title);
      launcher.setAttribute(
        "aria-label",
        unread && !state.open ? `${label} ${TEXT.unread(unread)}` : label,
      );
    }

    function updateTeaser() {
      const show =
        Boolean(config.greeting) &&
        !state.open &&
        !store.get("teaserDismissed", false) &&
        transcript().length === 0;
      teaser.hidden = !show;
      if (show) launcher.setAttribute("aria-describedby", "smp-teaser");
      else launcher.removeAttribute("aria-describedby");
    }

    // -- Open and close ---------------------------------------------------------

    function open({ focus = true } = {}) {
      state.open = true;
      store.set("open", true);
      store.set("unread", 0);
      sync(); // Before showing the list, so the history is not read out as new.
      panel.hidden = false;
      scrollToEnd();
      widget.classList.add("is-open");
      launcher.setAttribute("aria-expanded", "true");
      updateModal();
      updateBadge();
      updateTeaser();
      connect();
      maybeStart();
      if (focus) input.focus({ preventScroll: true });
    }

    function close() {
      const hadFocus = root.activeElement !== null && panel.contains(root.activeElement);
      state.open = false;
      store.set("open", false);
      panel.hidden = true;
      widget.classList.remove("is-open");
      launcher.setAttribute("aria-expanded", "false");
      updateBadge();
      updateTeaser();
      if (hadFocus || root.activeElement === launcher) launcher.focus();
    }

    function updateModal() {
      // On a phone the panel covers the page, so it behaves as a modal dialog.
      if (modalQuery.matches) panel.setAttribute("aria-modal", "true");
      else panel.removeAttribute("aria-modal");
    }

    function trapFocus(event) {
      if (event.key !== "Tab" || !modalQuery.matches) return;
      const focusable = [...panel.querySelectorAll("button, textarea, [tabindex='0']")].filter(
        (el) => !el.disabled && !el.closest("[hidden]"),
      );
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && root.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && root.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }

    // -- Connection -------------------------------------------------------------

    function loadClient() {
      state.loading ??= import(`${BASE_URL}vendor/socket.io.esm.min.js`).then(
        (module) => module.io,
      );
      return state.loading;
    }

    function setOnline(online) {
      state.online = online;
      widget.classList.toggle("is-online", online);
      for (const button of log.querySelectorAll(".smp-reply")) button.disabled = !online;
      updateSendButton();
      clearTimeout(state.bannerTimer);
      if (online) {
        banner.hidden = true;
      } else {
        // A short grace period keeps a brief blip from flashing the banner.
        state.bannerTimer = setTimeout(() => {
          banner.hidden = false;
        }, BANNER_DELAY_MS);
      }
    }

    function connect() {
      if (state.socket || state.connecting) return;
      state.connecting = true;
      loadClient()
        .then((io) => {
          const socket = io(config.serverUrl, {
            path: config.socketPath,
            transports: ["websocket", "polling"],
            tryAllTransports: true,
            reconnection: true,
            reconnectionDelay: 1000,
            reconnectionDelayMax: 5000,
          });
          state.socket = socket;
          state.connecting = false;
          bannerText.textContent = TEXT.reconnecting;
          socket.on("connect", () => {
            socket.emit("session_request", { session_id: state.sessionId });
          });
          socket.on("session_confirm", (payload) => {
            const id = typeof payload === "string" ? payload : payload && payload.session_id;
            if (typeof id !== "string" || !id) return;
            state.sessionId = id;
            store.set("session", id);
            setOnline(true);
            maybeStart();
          });
          socket.on("bot_uttered", receive);
          socket.on("disconnect", (reason) => {
            setOnline(false);
            // The server hung up on purpose: socket.io leaves reconnecting to us.
            if (reason === "io server disconnect") setTimeout(() => socket.connect(), 2000);
          });
          socket.on("connect_error", () => setOnline(false));
        })
        .catch((error) => {
          state.connecting = false;
          state.loading = null;
          setOnline(false);
          bannerText.textContent = TEXT.loadFailed;
          console.error("smp-chat: could not load the socket.io client", error);
        });
    }

    function receive(data) {
      const message = botMessage(data);
      if (!message) return;
      // Another tab of this visitor is in charge and will record the reply.
      if (store.get("owner", tabId) !== tabId) return;
      setPending(false);
      state.welcoming = false;
      updateSendButton();
      append(message);
      if (!state.open) store.set("unread", (Number(store.get("unread", 0)) || 0) + 1);
      updateBadge();
    }

    /** Sends `text` to the assistant; shows `shown` as the visitor's bubble. */
    function send(text, shown = text) {
      const message = String(text).trim().slice(0, config.maxLength);
      const socket = state.socket;
      if (!message || !state.online || !socket || !socket.connected || !state.sessionId) {
        return false; // Never queued: nothing is sent twice or late after a reconnect.
      }
      // Wait for the welcome, so the conversation reads in the order it happened.
      if (shown !== null && state.welcoming) return false;
      store.set("owner", tabId);
      socket.emit("user_uttered", { message, session_id: state.sessionId });
      if (shown !== null) {
        append({ id: newId(), role: "user", text: String(shown).trim(), at: Date.now() });
      }
      setPending(true);
      updateTeaser();
      return true;
    }

    /** A new conversation starts with the start payload (the assistant's welcome). */
    function maybeStart() {
      if (!state.open || !state.online || state.startSent || !config.startPayload) return;
      if (transcript().length) return;
      state.startSent = true;
      if (send(config.startPayload, null)) {
        state.welcoming = true;
        updateSendButton();
        setTimeout(() => {
          state.welcoming = false;
          updateSendButton();
        }, WELCOME_TIMEOUT_MS);
      }
    }

    // -- Composer ---------------------------------------------------------------

    function updateSendButton() {
      sendButton.disabled = !state.online || state.welcoming || !input.value.trim();
    }

    function updateCounter() {
      const length = input.value.length;
      counter.hidden = length < Math.floor(config.maxLength * COUNTER_FROM);
      counter.textContent = `${length} / ${config.maxLength}`;
      counter.classList.toggle("is-full", length >= config.maxLength);
    }

    function autosize() {
      input.style.height = "auto";
      input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
    }

    function submit() {
      if (send(input.value)) {
        input.value = "";
        autosize();
        updateCounter();
        updateSendButton();
      }
    }

    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    input.addEventListener("input", () => {
      autosize();
      updateCounter();
      updateSendButton();
    });
    widget.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && state.open) {
        event.preventDefault();
        close();
      } else {
        trapFocus(event);
      }
    });
    launcher.addEventListener("click", () => (state.open ? close() : open()));
    launcher.addEventListener("pointerenter", () => loadClient().catch(() => {}), { once: true });
    closeButton.addEventListener("click", close);
    teaserText.addEventListener("click", () => open());
    teaserClose.addEventListener("click", () => {
      store.set("teaserDismissed", true);
      updateTeaser();
    });
    modalQuery.addEventListener("change", updateModal);

    // Another tab of this visitor changed the conversation: show the same.
    window.addEventListener("storage", (event) => {
      if (!event.key || !event.key.startsWith(`${config.storageKey}:`)) return;
      const conversationKeys = [store.fullKey("transcript"), store.fullKey("pendingSince")];
      if (conversationKeys.includes(event.key)) {
        sync();
        if (state.open) scrollToEnd();
        updateTeaser();
      } else if (event.key === store.fullKey("unread")) {
        updateBadge();
      } else if (event.key === store.fullKey("session")) {
        state.sessionId = store.get("session", null);
        if (state.socket && state.socket.connected) {
          state.socket.emit("session_request", { session_id: state.sessionId });
        }
      }
    });

    /** Forget this visitor's conversation and start a new one. */
    function reset() {
      for (const key of ["session", "transcript", "pendingSince", "unread", "teaserDismissed"]) {
        store.remove(key);
      }
      state.sessionId = null;
      state.startSent = false;
      state.welcoming = false;
      clearTimeout(state.replyTimer);
      if (state.socket) {
        setOnline(false);
        state.socket.disconnect();
        state.socket.connect(); // `connect` asks Rasa for a new session.
      }
      sync();
      updateBadge();
      updateTeaser();
    }

    window.SMPChat = {
      version: VERSION,
      open: () => open(),
      close,
      toggle: () => (state.open ? close() : open()),
      send: (text) => send(text),
      sessionId: () => state.sessionId,
      reset,
    };

    const reveal = () => {
      host.style.removeProperty("visibility");
      updateBadge();
      updateTeaser();
      // Keep the conversation where the visitor left it on the previous page,
      // without taking keyboard focus away from the page that just loaded.
      if (store.get("open", false)) open({ focus: false });
      else if (isPending()) connect(); // A reply is on its way.
    };
    stylesheet.addEventListener("load", reveal, { once: true });
    stylesheet.addEventListener("error", reveal, { once: true });
    document.body.append(host);
  }

  /** Sets the brand colour and a readable text colour on top of it. */
  function applyTheme(host, color) {
    if (!color || !window.CSS || !CSS.supports("color", color)) return;
    host.style.setProperty("--smp-primary", color);
    const probe = document.createElement("span");
    probe.style.setProperty("color", color);
    probe.style.setProperty("display", "none");
    document.documentElement.append(probe);
    const rgb = getComputedStyle(probe).color.match(/[\d.]+/g) || [];
    probe.remove();
    if (rgb.length < 3) return;
    const [r, g, b] = rgb.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    // Pick whichever of white or near-black contrasts more with the colour.
    const whiteContrast = 1.05 / (luminance + 0.05);
    const darkContrast = (luminance + 0.05) / 0.05;
    const onPrimary = whiteContrast >= darkContrast ? "#ffffff" : "#111418";
    host.style.setProperty("--smp-on-primary", onPrimary);
  }

  window.SMPChat = { version: VERSION, loading: true };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();

/**
 * Options, interface texts and timings of the chat widget.
 *
 * Options come from `window.SMPChatConfig`, overridden by the script tag's
 * `data-*` attributes (docs/widget.md lists them).
 */

export const VERSION = "1.2.0";

export const DEFAULTS = Object.freeze({
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
});

const NUMBER_OPTIONS = new Set(["maxLength", "historyLimit"]);

/** Every text of the widget's own interface, in one place for translation. */
export const TEXT = Object.freeze({
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
  waiting: "Waiting to send…",
  noReply: "No reply arrived. Please try again.",
  tryAgain: "Try again",
  moreBelow: "More below",
  helpfulQuestion: "Was this helpful?",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  feedbackComment: "Anything to add? (optional)",
  feedbackSend: "Send",
  feedbackThanks: "Thanks for your feedback.",
  feedbackFailed: "Sorry, that didn't go through. Please try again.",
});

export const TIMING = Object.freeze({
  /** How long the typing dots wait for the first bubble of a reply. */
  replyTimeoutMs: 45000,
  /** How long new messages wait for the welcome before they are sent anyway. */
  welcomeTimeoutMs: 8000,
  /** A reply is over once no bubble has come for this long. */
  burstQuietMs: 1200,
  /** A connection blip shorter than this does not flash the banner. */
  bannerDelayMs: 600,
});

/** The character counter shows from this share of the length limit. */
export const COUNTER_FROM = 0.8;

export function clampInt(value, min, max, fallback) {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

/**
 * The widget's options: defaults, then `fromObject` (window.SMPChatConfig),
 * then `fromTag` (the script tag's dataset). `baseUrl` is the folder the
 * widget was loaded from; its origin is the default Rasa server.
 */
export function readConfig({ fromObject, fromTag, baseUrl }) {
  const config = { ...DEFAULTS };
  for (const source of [fromObject, fromTag]) {
    if (!source || typeof source !== "object") continue;
    for (const key of Object.keys(DEFAULTS)) {
      if (source[key] === undefined || source[key] === null) continue;
      config[key] = NUMBER_OPTIONS.has(key) ? Number(source[key]) : String(source[key]);
    }
  }
  if (!config.serverUrl) config.serverUrl = new URL(baseUrl).origin;
  config.maxLength = clampInt(config.maxLength, 1, 10000, DEFAULTS.maxLength);
  config.historyLimit = clampInt(config.historyLimit, 1, 1000, DEFAULTS.historyLimit);
  config.position = config.position === "left" ? "left" : "right";
  return config;
}

/**
 * Turning conversation entries into DOM nodes.
 *
 * The minimal markdown covers **bold**, *italic*, line breaks, "- " and "1. "
 * lists, [label](url), bare http(s)/mailto links, e-mail addresses and phone
 * numbers. It is built only from elements and text nodes: bot and visitor
 * text is never parsed as HTML, and links only ever get http(s), mailto or
 * tel addresses.
 */
import { TEXT } from "./config.js";
import { h } from "./dom.js";
import { feedbackNode } from "./feedback.js";

const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);
const IMAGE_PROTOCOLS = new Set(["http:", "https:"]);

// A phone number: an optional "+", then groups of digits (or a "(020)" style
// area code) with at most one space, dot or hyphen between them. It may not
// touch a letter, digit or URL-ish character on either side, so reference
// codes (BK-12345), URLs and e-mail addresses are left alone. `phoneHref`
// then decides whether the match really reads as a phone number.
const PHONE = String.raw`(?<![\w+/@.:#=&%-])(\+?(?:\(\d{1,5}\)|\d{1,14})(?:[ .-]?(?:\(\d{1,5}\)|\d{1,14})){0,7})(?![\w@])`;

const INLINE = new RegExp(
  [
    String.raw`\*\*(?=\S)([\s\S]*?\S)\*\*`, // 1: bold
    String.raw`\*(?=[^\s*])([^*]*?[^\s*])\*`, // 2: italic
    String.raw`\[([^\]\n]+)\]\(\s*([^()\s]+)\s*\)`, // 3, 4: [label](url)
    String.raw`((?:https?:\/\/|mailto:)[^\s<>"]+)`, // 5: bare link
    String.raw`([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})`, // 6: e-mail
    PHONE, // 7: phone number
  ].join("|"),
  "g",
);
const TRAILING_PUNCTUATION = /[.,;:!?'")\]]+$/;
const DATE_SHAPE = /^\d{1,4}([./-])\d{1,2}\1\d{1,4}$/;
const NORTH_AMERICAN = /^(?:1[ .-]?)?\(?[2-9]\d{2}\)?[ .-]?\d{3}[ .-]\d{4}$/;

/** `href` as a URL if it is an http(s) or mailto address, else null. */
export function safeUrl(href, protocols = LINK_PROTOCOLS) {
  try {
    const url = new URL(href);
    return protocols.has(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

/** `src` as a URL if an image may be loaded from it (http or https), else null. */
export function safeImageUrl(src) {
  return safeUrl(src, IMAGE_PROTOCOLS);
}

/**
 * A `tel:` address for text that reads as a phone number, else null.
 *
 * International numbers ("+44 (0)1244 555 010") keep their "+" and lose the
 * optional trunk "(0)": tel:+441244555010. National ones must start with a
 * trunk "0" ("01244 555010", "(020) 7946 0958") or have the North American
 * shape ("(555) 123-4567"), so dates, prices, years and version numbers stay
 * plain text. Between 8 and 15 digits, as E.164 allows.
 */
export function phoneHref(text) {
  const value = String(text).trim();
  const international = value.startsWith("+");
  const digits = (international ? value.replace(/\(0\)/, "") : value).replace(/\D/g, "");
  if (digits.length < 8 || digits.length > 15) return null;
  if (!international) {
    if (DATE_SHAPE.test(value)) return null;
    if (!/^\(?0/.test(value) && !NORTH_AMERICAN.test(value)) return null;
  }
  return `tel:${international ? "+" : ""}${digits}`;
}

function link(href, label) {
  const external = !href.startsWith("tel:");
  const anchor = h("a", {
    href,
    target: external ? "_blank" : null,
    rel: external ? "noopener noreferrer" : null,
  });
  appendInline(anchor, label, false);
  return anchor;
}

/** The address a `[label](target)` link may use, or null. */
function markdownTarget(target) {
  if (/^tel:/i.test(target)) return phoneHref(target.slice(4));
  const url = safeUrl(target);
  return url ? url.href : null;
}

/** Appends `text` to `parent`, with bold, italic and links as elements. */
export function appendInline(parent, text, linksAllowed = true) {
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
      const href = linksAllowed ? markdownTarget(match[4]) : null;
      node = href ? link(href, match[3]) : document.createTextNode(match[3]);
    } else if (match[5] !== undefined || match[6] !== undefined) {
      const trailing = whole.match(TRAILING_PUNCTUATION);
      if (trailing) whole = whole.slice(0, -trailing[0].length);
      const url = linksAllowed
        ? safeUrl(match[5] !== undefined ? whole : `mailto:${whole}`)
        : null;
      node = url ? link(url.href, whole) : document.createTextNode(whole);
    } else if (match[7] !== undefined) {
      const href = linksAllowed ? phoneHref(whole) : null;
      node = href ? link(href, whole) : document.createTextNode(whole);
    }
    parent.append(text.slice(last, match.index), node);
    last = match.index + whole.length;
    INLINE.lastIndex = last;
  }
  parent.append(text.slice(last));
}

/** A fragment of paragraphs and lists for a message's text. */
export function renderRichText(text) {
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

/**
 * One message of the conversation. `previous` (the message before it) makes
 * consecutive messages from the same side sit closer together. An answer
 * gets "Was this helpful?" when `feedback(message)` gives its handlers.
 */
export function messageNode(message, previous, feedback = null) {
  const role = message.role === "user" ? "user" : "bot";
  const bubble = h("div", { class: "smp-bubble" });
  if (message.text) bubble.append(renderRichText(message.text));
  const image = message.image ? safeImageUrl(String(message.image)) : null;
  if (image) bubble.append(h("img", { class: "smp-image", src: image.href, alt: TEXT.image }));
  const continued = previous && previous.role === message.role;
  const handlers = role === "bot" && message.answer && feedback ? feedback(message) : null;
  return h(
    "div",
    {
      class: `smp-msg smp-msg--${role}${continued ? " smp-msg--cont" : ""}${handlers ? " smp-msg--answer" : ""}`,
      "data-id": message.id,
    },
    [
      h("span", { class: "smp-sr", text: role === "user" ? TEXT.youSaid : TEXT.assistantSaid }),
      bubble,
      handlers ? feedbackNode(handlers) : null,
    ],
  );
}

/** Marks a visitor's message node as written but not sent yet (or as sent). */
export function markWaiting(node, waiting) {
  node.classList.toggle("smp-msg--waiting", waiting);
  const note = node.querySelector(".smp-msg-note");
  if (waiting && !note) node.append(h("span", { class: "smp-msg-note", text: TEXT.waiting }));
  else if (!waiting && note) note.remove();
}

/** The suggested replies under a bot message; `onChoose(button)` on a click. */
export function repliesNode(buttons, { disabled, onChoose }) {
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
        disabled,
        text: button.title,
        onclick: () => onChoose(button),
      }),
    );
  }
  return group;
}

/**
 * The notice shown when a reply never came, or `text` when the server said
 * why it could not answer, with its "Try again" button.
 */
export function noReplyNode({ text = null, disabled, onRetry }) {
  // The log around it is a live region, so the notice is announced as added.
  return h("div", { class: "smp-notice" }, [
    h("span", { class: "smp-notice-text", text: text || TEXT.noReply }),
    h("button", {
      type: "button",
      class: "smp-retry",
      disabled,
      text: TEXT.tryAgain,
      onclick: onRetry,
    }),
  ]);
}

/** Up to two initials of a name, for the avatar. */
export function initials(name) {
  const words = String(name).split(/\s+/).filter((w) => /^[A-Za-z0-9]/.test(w));
  return (words.slice(0, 2).map((w) => w[0]).join("") || "?").toUpperCase();
}

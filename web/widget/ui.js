/**
 * The widget's frame: launcher with its unread badge, greeting teaser, the
 * panel (header, connection banner, message list, message box) and keyboard
 * handling (Escape, focus trap on phones). Everything is drawn inside a
 * shadow root, so the host page's CSS and the widget's CSS cannot touch each
 * other. The message list itself is log.js.
 */
import { COUNTER_FROM, TEXT, VERSION } from "./config.js";
import { h, icon } from "./dom.js";
import { initials } from "./render.js";

/** Sets the brand colour and a readable text colour (white or near-black) on top. */
export function applyTheme(host, color) {
  if (!color || !window.CSS || !window.CSS.supports("color", color)) return;
  host.style.setProperty("--smp-primary", color);
  const probe = document.createElement("span");
  probe.style.setProperty("color", color);
  probe.style.setProperty("display", "none");
  document.documentElement.append(probe);
  const rgb = parseColor(getComputedStyle(probe).color);
  probe.remove();
  if (rgb) host.style.setProperty("--smp-on-primary", textColorOn(rgb));
}

/** `[r, g, b]` (0-255) of a computed colour ("rgb(…)", "rgba(…)" or "#rrggbb"), or null. */
export function parseColor(value) {
  const text = String(value).trim();
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(text);
  if (hex) return hex.slice(1, 4).map((part) => parseInt(part, 16));
  const rgb = /^rgba?\(([^)]*)\)/i.exec(text);
  if (!rgb) return null;
  const parts = rgb[1].split(/[\s,/]+/).filter(Boolean).slice(0, 3).map(Number);
  return parts.length === 3 && parts.every(Number.isFinite) ? parts : null;
}

/** White or near-black, whichever contrasts more with the colour `[r, g, b]`. */
export function textColorOn([r, g, b]) {
  const [lr, lg, lb] = [r, g, b].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * lr + 0.7152 * lg + 0.0722 * lb;
  const whiteContrast = 1.05 / (luminance + 0.05);
  const darkContrast = (luminance + 0.05) / 0.05;
  return whiteContrast >= darkContrast ? "#ffffff" : "#111418";
}

/**
 * Builds the widget. Handlers: `onLauncher()`, `onClose()`, `onSubmit(text)`
 * (returns whether the text was taken), `onTeaserOpen()`, `onTeaserDismiss()`,
 * `onLauncherHover()`. `modalQuery` is the media query under which the panel
 * fills the screen and behaves as a modal dialog.
 */
export function createShell(config, { baseUrl, handlers, modalQuery, bannerDelayMs = 600 }) {
  const title = config.clinicName;
  let open = false;
  let accepting = true;
  let bannerTimer = null;

  const host = h("div", { id: "smp-chat", "data-version": VERSION });
  host.style.setProperty("position", "fixed");
  host.style.setProperty("z-index", "2147483000");
  host.style.setProperty("visibility", "hidden");
  const root = host.attachShadow({ mode: "open" });
  const stylesheet = h("link", { rel: "stylesheet", href: `${baseUrl}smp-chat.css` });

  const log = h("div", {
    class: "smp-log",
    id: "smp-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": TEXT.conversation,
    tabindex: "0",
  });
  const cue = h("button", { type: "button", class: "smp-more", hidden: true }, [
    icon("down", "smp-icon"),
    TEXT.moreBelow,
  ]);
  const bannerText = h("span", { text: TEXT.reconnecting });
  const banner = h("div", { class: "smp-banner", role: "status", hidden: true }, [
    h("span", { class: "smp-spinner", "aria-hidden": "true" }),
    bannerText,
  ]);
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
  const sendButton = h(
    "button",
    { type: "submit", class: "smp-send", "aria-label": TEXT.send, disabled: true },
    [icon("send")],
  );
  const composer = h("form", { class: "smp-composer", novalidate: true }, [
    h("label", { class: "smp-sr", for: "smp-input", text: TEXT.messageLabel }),
    input,
    sendButton,
    counter,
  ]);
  const closeButton = h(
    "button",
    { type: "button", class: "smp-close", "aria-label": TEXT.closeChat },
    [icon("close")],
  );
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
      h("div", { class: "smp-log-wrap" }, [log, cue]),
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
      "aria-label": TEXT.openChat(title),
    },
    [icon("chat", "smp-icon smp-icon-open"), icon("down", "smp-icon smp-icon-close"), badge],
  );
  const teaserClose = h(
    "button",
    { type: "button", class: "smp-teaser-close", "aria-label": TEXT.dismissGreeting },
    [icon("close")],
  );
  const teaserText = h("p", { class: "smp-teaser-text", id: "smp-teaser", text: config.greeting });
  const teaser = h("div", { class: "smp-teaser", hidden: true }, [teaserText, teaserClose]);
  const widget = h("div", { class: "smp-widget", "data-position": config.position }, [
    panel,
    teaser,
    launcher,
  ]);
  root.append(stylesheet, widget);
  applyTheme(host, config.primaryColor);

  // -- Message box ------------------------------------------------------------

  function updateSendButton() {
    sendButton.disabled = !accepting || !input.value.trim();
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

  function boxChanged() {
    autosize();
    updateCounter();
    updateSendButton();
  }

  function submit() {
    if (handlers.onSubmit(input.value)) {
      input.value = "";
      boxChanged();
    }
  }

  // -- Keyboard -----------------------------------------------------------------

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
  input.addEventListener("input", boxChanged);
  widget.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && open) {
      event.preventDefault();
      handlers.onClose();
    } else {
      trapFocus(event);
    }
  });
  launcher.addEventListener("click", () => handlers.onLauncher());
  launcher.addEventListener("pointerenter", () => handlers.onLauncherHover(), { once: true });
  closeButton.addEventListener("click", () => handlers.onClose());
  teaserText.addEventListener("click", () => handlers.onTeaserOpen());
  teaserClose.addEventListener("click", () => handlers.onTeaserDismiss());
  modalQuery.addEventListener("change", updateModal);

  return {
    host,
    root,
    log,
    cue,
    input,
    sendButton,
    launcher,
    panel,
    banner,
    teaser,
    badge,

    /** Adds the widget to the page; `onShown()` once its stylesheet is in. */
    mount(onShown) {
      const reveal = () => {
        host.style.removeProperty("visibility");
        onShown();
      };
      stylesheet.addEventListener("load", reveal, { once: true });
      stylesheet.addEventListener("error", reveal, { once: true });
      document.body.append(host);
    },

    get isOpen() {
      return open;
    },

    /** Shows or hides the panel. Closing returns focus to the launcher. */
    setOpen(value, { focus = true } = {}) {
      open = value;
      if (open) {
        panel.hidden = false;
        widget.classList.add("is-open");
        launcher.setAttribute("aria-expanded", "true");
        updateModal();
        if (focus) input.focus({ preventScroll: true });
      } else {
        const hadFocus = root.activeElement !== null && panel.contains(root.activeElement);
        panel.hidden = true;
        widget.classList.remove("is-open");
        launcher.setAttribute("aria-expanded", "false");
        if (hadFocus || root.activeElement === launcher) launcher.focus();
      }
    },

    /** The connection's status (see socket.js): status dot, banner, send button. */
    setStatus(status, { canWrite }) {
      accepting = canWrite;
      widget.classList.toggle("is-online", status === "online");
      updateSendButton();
      clearTimeout(bannerTimer);
      if (status === "failed") {
        bannerText.textContent = TEXT.loadFailed;
        banner.hidden = false;
      } else if (status === "offline") {
        bannerText.textContent = TEXT.reconnecting;
        // A short grace period keeps a brief blip from flashing the banner.
        bannerTimer = setTimeout(() => {
          banner.hidden = false;
        }, bannerDelayMs);
      } else {
        banner.hidden = true;
      }
    },

    /** The unread count on the launcher (hidden while the panel is open). */
    setUnread(unread) {
      badge.hidden = unread === 0 || open;
      badge.textContent = unread > 9 ? "9+" : String(unread);
      const label = open ? TEXT.closeChatWith(title) : TEXT.openChat(title);
      launcher.setAttribute("aria-label", unread && !open ? `${label} ${TEXT.unread(unread)}` : label);
    },

    setTeaser(show) {
      teaser.hidden = !show;
      if (show) launcher.setAttribute("aria-describedby", "smp-teaser");
      else launcher.removeAttribute("aria-describedby");
    },

    /** Puts texts that could not be sent back into the message box, first. */
    restoreDraft(texts) {
      input.value = [...texts, input.value].filter((text) => text.trim()).join("\n");
      boxChanged();
    },

    focusInput() {
      input.focus({ preventScroll: true });
    },
  };
}

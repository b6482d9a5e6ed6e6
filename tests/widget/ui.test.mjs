import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import { installDom, uninstallDom } from "./support.mjs";

let window;
let ui;

before(async () => {
  window = installDom();
  ui = await import("../../web/widget/ui.js");
});
after(() => uninstallDom(window));

const config = {
  clinicName: "Northgate Scalp Clinic",
  subtitle: "Virtual assistant",
  primaryColor: "#1d5c63",
  greeting: "Questions about SMP?",
  placeholder: "Type your question…",
  disclaimer: "Automated answers",
  position: "left",
  maxLength: 10,
};

let calls;
let accept;
let modal;
let shell;

function key(target, name, options = {}) {
  const event = new window.KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true, composed: true, ...options });
  target.dispatchEvent(event);
  return event;
}

function type(text) {
  shell.input.value = text;
  shell.input.dispatchEvent(new window.Event("input", { bubbles: true }));
}

beforeEach(() => {
  document.body.replaceChildren();
  calls = [];
  accept = true;
  modal = { matches: false, addEventListener() {} };
  shell = ui.createShell(config, {
    baseUrl: "https://chat.clinic.example/widget/",
    modalQuery: modal,
    bannerDelayMs: 0,
    handlers: {
      onLauncher: () => calls.push("launcher"),
      onLauncherHover: () => calls.push("hover"),
      onClose: () => calls.push("close"),
      onSubmit: (text) => {
        calls.push(`submit:${text}`);
        return accept;
      },
      onTeaserOpen: () => calls.push("teaser"),
      onTeaserDismiss: () => calls.push("dismiss"),
    },
  });
  document.body.append(shell.host);
});

describe("the frame", () => {
  test("a labelled dialog, a launcher and the stylesheet from the widget's folder", () => {
    const { root, panel, launcher } = shell;
    assert.equal(panel.getAttribute("role"), "dialog");
    assert.equal(panel.getAttribute("aria-label"), "Chat with Northgate Scalp Clinic");
    assert.equal(panel.hidden, true);
    assert.equal(launcher.getAttribute("aria-label"), "Open chat with Northgate Scalp Clinic");
    assert.equal(launcher.getAttribute("aria-expanded"), "false");
    assert.equal(
      root.querySelector("link").getAttribute("href"),
      "https://chat.clinic.example/widget/smp-chat.css",
    );
    assert.equal(root.querySelector(".smp-avatar").textContent, "NS");
    assert.equal(root.querySelector(".smp-widget").dataset.position, "left");
    assert.equal(shell.log.getAttribute("role"), "log");
    assert.equal(shell.log.getAttribute("aria-live"), "polite");
  });

  test("opening shows the panel and focuses the message box; closing hands focus back", () => {
    shell.setOpen(true);
    assert.equal(shell.panel.hidden, false);
    assert.equal(shell.launcher.getAttribute("aria-expanded"), "true");
    assert.equal(shell.root.activeElement, shell.input);
    shell.setOpen(false);
    assert.equal(shell.panel.hidden, true);
    assert.equal(shell.root.activeElement, shell.launcher);
  });

  test("buttons call their handlers", () => {
    shell.launcher.click();
    shell.root.querySelector(".smp-close").click();
    shell.root.querySelector(".smp-teaser-text").click();
    shell.root.querySelector(".smp-teaser-close").click();
    assert.deepEqual(calls, ["launcher", "close", "teaser", "dismiss"]);
  });

  test("Escape closes an open panel", () => {
    shell.setOpen(true);
    const event = key(shell.input, "Escape");
    assert.equal(event.defaultPrevented, true);
    assert.deepEqual(calls, ["close"]);
  });

  test("on a phone the panel is modal and Tab stays inside it", () => {
    modal.matches = true;
    shell.setOpen(true);
    assert.equal(shell.panel.getAttribute("aria-modal"), "true");
    type("hi");
    shell.sendButton.focus();
    const event = key(shell.sendButton, "Tab");
    assert.equal(event.defaultPrevented, true);
    assert.equal(shell.root.activeElement, shell.root.querySelector(".smp-close"));
    key(shell.root.querySelector(".smp-close"), "Tab", { shiftKey: true });
    assert.equal(shell.root.activeElement, shell.sendButton);
  });
});

describe("the message box", () => {
  test("Enter submits and clears the box when the text is taken", () => {
    type("hello");
    assert.equal(shell.sendButton.disabled, false);
    const event = key(shell.input, "Enter");
    assert.equal(event.defaultPrevented, true);
    assert.deepEqual(calls, ["submit:hello"]);
    assert.equal(shell.input.value, "");
    assert.equal(shell.sendButton.disabled, true);
  });

  test("text that is not taken stays in the box; Shift+Enter does not submit", () => {
    accept = false;
    type("keep me");
    key(shell.input, "Enter");
    assert.equal(shell.input.value, "keep me");
    key(shell.input, "Enter", { shiftKey: true });
    assert.deepEqual(calls, ["submit:keep me"]);
  });

  test("the send button needs text and a way to send it", () => {
    type("   ");
    assert.equal(shell.sendButton.disabled, true);
    type("hi");
    shell.setStatus("offline", { canWrite: false });
    assert.equal(shell.sendButton.disabled, true);
    shell.setStatus("connecting", { canWrite: true });
    assert.equal(shell.sendButton.disabled, false);
  });

  test("the counter shows from 80 % of the limit", () => {
    const counter = shell.root.querySelector("#smp-counter");
    type("1234567");
    assert.equal(counter.hidden, true);
    type("12345678");
    assert.equal(counter.hidden, false);
    assert.equal(counter.textContent, "8 / 10");
    type("1234567890");
    assert.ok(counter.classList.contains("is-full"));
  });

  test("texts that could not be sent come back first, the rest is kept", () => {
    type("typed since");
    shell.restoreDraft(["first", "second"]);
    assert.equal(shell.input.value, "first\nsecond\ntyped since");
    assert.equal(shell.sendButton.disabled, false);
  });
});

describe("status, badge and teaser", () => {
  test("the banner waits out a blip, says so when loading failed, and goes when online", async () => {
    const banner = shell.banner;
    shell.setStatus("offline", { canWrite: false });
    assert.equal(banner.hidden, true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(banner.hidden, false);
    assert.match(banner.textContent, /Reconnecting/);
    shell.setStatus("online", { canWrite: true });
    assert.equal(banner.hidden, true);
    assert.ok(shell.root.querySelector(".smp-widget").classList.contains("is-online"));
    shell.setStatus("failed", { canWrite: false });
    assert.equal(banner.hidden, false);
    assert.match(banner.textContent, /could not load/);
  });

  test("the unread badge counts up to 9+ and is named on the launcher", () => {
    shell.setUnread(3);
    assert.equal(shell.badge.hidden, false);
    assert.equal(shell.badge.textContent, "3");
    assert.equal(shell.launcher.getAttribute("aria-label"), "Open chat with Northgate Scalp Clinic (3 unread)");
    shell.setUnread(12);
    assert.equal(shell.badge.textContent, "9+");
    shell.setOpen(true);
    shell.setUnread(12);
    assert.equal(shell.badge.hidden, true);
    assert.equal(shell.launcher.getAttribute("aria-label"), "Close chat with Northgate Scalp Clinic");
  });

  test("the teaser describes the launcher while shown", () => {
    shell.setTeaser(true);
    assert.equal(shell.teaser.hidden, false);
    assert.equal(shell.launcher.getAttribute("aria-describedby"), "smp-teaser");
    shell.setTeaser(false);
    assert.equal(shell.launcher.getAttribute("aria-describedby"), null);
  });
});

describe("theme", () => {
  test("text on the brand colour is white or near-black, whichever reads better", () => {
    assert.equal(ui.textColorOn([29, 92, 99]), "#ffffff");
    assert.equal(ui.textColorOn([250, 220, 90]), "#111418");
  });

  test("computed colours in either notation", () => {
    assert.deepEqual(ui.parseColor("rgb(29, 92, 99)"), [29, 92, 99]);
    assert.deepEqual(ui.parseColor("rgba(250 220 90 / 0.5)"), [250, 220, 90]);
    assert.deepEqual(ui.parseColor("#fadc5a"), [250, 220, 90]);
    assert.equal(ui.parseColor("papayawhip"), null);
  });

  test("the brand colour and its text colour are set on the host", () => {
    const host = document.createElement("div");
    ui.applyTheme(host, "#fadc5a");
    assert.equal(host.style.getPropertyValue("--smp-primary"), "#fadc5a");
    assert.equal(host.style.getPropertyValue("--smp-on-primary"), "#111418");
    // A value the browser rejects as a colour is not applied.
    const css = Object.getOwnPropertyDescriptor(window, "CSS");
    Object.defineProperty(window, "CSS", { value: { supports: () => false }, configurable: true });
    try {
      const untouched = document.createElement("div");
      ui.applyTheme(untouched, "not a colour;");
      assert.equal(untouched.style.getPropertyValue("--smp-primary"), "");
    } finally {
      if (css) Object.defineProperty(window, "CSS", css);
      else delete window.CSS;
    }
  });
});

/*!
 * SMP clinic chat widget: a website chat for the clinic's Rasa assistant.
 *
 * Embed with one tag (options: docs/widget.md):
 *   <script src="https://host/widget/smp-chat.js"
 *           data-server-url="https://rasa.example" defer></script>
 *
 * This file only reads the tag and loads the widget's modules (widget.js and
 * the files it imports) from the folder it was itself served from; no build
 * step. The widget draws itself inside a shadow root and talks to Rasa's
 * socket.io channel. Bot and visitor text is only ever put into the page as
 * text nodes.
 */
(() => {
  "use strict";

  if (window.SMPChat) return; // The tag was included twice.

  const VERSION = "1.2.0";
  const script =
    document.currentScript || document.querySelector('script[src*="smp-chat.js"]');
  const baseUrl = new URL(".", script ? script.src : location.href).href;
  // Read now: `document.currentScript` is only set while this file runs.
  const dataset = script ? { ...script.dataset } : {};

  window.SMPChat = { version: VERSION, loading: true };
  // Fetch the modules while the page finishes loading.
  const widget = import(`${baseUrl}widget.js`);
  widget.catch(() => {}); // Reported once, by `start`.
  const start = () =>
    widget
      .then((module) => module.start({ dataset, baseUrl }))
      .catch((error) => console.error("smp-chat: the chat could not load", error));

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();

/**
 * Building DOM nodes. Text only ever enters the page through text nodes and
 * `textContent`; nothing here parses a string as HTML.
 */

/**
 * `h("p", { class: "x", text: "hi", onclick: fn }, [child])`: an element with
 * attributes, listeners (`on…` keys), optional text and children.
 */
export function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of [].concat(children)) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
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
  retry: ["M4.5 12a7.5 7.5 0 1 0 2.2-5.3", "M4.5 4.5v4h4"],
  // Thumbs down is this one turned over (smp-chat.css).
  thumb: [
    "M7.5 10.5v9h-3v-9z",
    "M7.5 10.5l3.6-6.6c1.3 0 2.3 1.1 2 2.5l-.6 3.1h5.1a2 2 0 0 1 2 2.3l-1.1 6.5a2 2 0 0 1-2 1.7H7.5",
  ],
};

/** An inline SVG icon, hidden from assistive technology. */
export function icon(name, className = "smp-icon") {
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

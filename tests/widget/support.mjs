// Shared helpers of the widget's unit tests: a DOM (happy-dom, installed by
// `npm ci --prefix web`), a fake clock, a fake socket.io client and a memory
// Storage.
import { createRequire } from "node:module";

const require = createRequire(new URL("../../web/package.json", import.meta.url));
const { Window } = require("happy-dom");

/** Sets up a browser-like global DOM; returns the window. */
export function installDom({ url = "https://clinic.test/", html = "" } = {}) {
  const window = new Window({ url, width: 1280, height: 800 });
  window.document.body.innerHTML = html;
  for (const name of ["window", "document", "localStorage", "getComputedStyle", "CSS", "location"]) {
    Object.defineProperty(globalThis, name, {
      value: name === "window" ? window : window[name],
      configurable: true,
      writable: true,
    });
  }
  return window;
}

/** Removes what `installDom` set up. */
export async function uninstallDom(window) {
  await window.happyDOM.abort();
  window.close();
}

/** A clock whose time only moves when `tick(ms)` says so. */
export function fakeClock(start = 1_700_000_000_000) {
  let time = start;
  let nextId = 1;
  const timers = new Map();
  return {
    now: () => time,
    setTimeout(fn, ms = 0) {
      const id = nextId++;
      timers.set(id, { at: time + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    /** Moves time on by `ms`, running due timers in order. */
    tick(ms) {
      const end = time + ms;
      for (;;) {
        let due = null;
        for (const [id, timer] of timers) {
          if (timer.at <= end && (!due || timer.at < due[1].at)) due = [id, timer];
        }
        if (!due) break;
        timers.delete(due[0]);
        time = due[1].at;
        due[1].fn();
      }
      time = end;
    },
    get pending() {
      return timers.size;
    },
  };
}

/** A Storage in memory (what localStorage offers). */
export function memoryStorage() {
  const data = new Map();
  return {
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, String(value)),
    removeItem: (key) => data.delete(key),
    get length() {
      return data.size;
    },
    data,
  };
}

/**
 * A stand-in for socket.io's `io()`: records what the widget emits and lets
 * a test play the server (`server.emit("bot_uttered", …)`).
 */
export function fakeIo() {
  const sockets = [];
  function io(url, options) {
    const handlers = new Map();
    const socket = {
      url,
      options,
      connected: false,
      sent: [],
      connects: 0,
      on(event, handler) {
        if (!handlers.has(event)) handlers.set(event, []);
        handlers.get(event).push(handler);
        return socket;
      },
      emit(event, payload) {
        socket.sent.push([event, payload]);
        return socket;
      },
      connect() {
        socket.connects += 1;
        return socket;
      },
      disconnect() {
        socket.connected = false;
        return socket;
      },
      /** The server side: fire an event at the widget. */
      serverSends(event, ...args) {
        if (event === "connect") socket.connected = true;
        if (event === "disconnect" || event === "connect_error") socket.connected = false;
        for (const handler of handlers.get(event) || []) handler(...args);
      },
      /** What the widget sent as `event`, in order. */
      emitted(event) {
        return socket.sent.filter(([name]) => name === event).map(([, payload]) => payload);
      },
    };
    sockets.push(socket);
    return socket;
  }
  io.sockets = sockets;
  return io;
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

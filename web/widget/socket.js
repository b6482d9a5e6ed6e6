/**
 * The link to Rasa's socket.io channel.
 *
 * Protocol (channels/socketio.py): on connect the widget sends
 * `session_request {session_id, token}` (both null the first time) and waits
 * for `session_confirm {session_id, token}`. The server rejoins the stored
 * conversation only when the token is the one it issued for it; otherwise it
 * confirms a new conversation, with its own token. Then the widget sends
 * `user_uttered {message, session_id}` and receives `bot_uttered` payloads.
 *
 * Status: "idle" (not started), "connecting" (first connection under way),
 * "online" (session confirmed), "offline" (connection lost, socket.io
 * retries on its own) or "failed" (the socket.io client could not load).
 */
import { newId } from "./state.js";
import { safeImageUrl } from "./render.js";

/**
 * A transcript entry for a `bot_uttered` payload (text, quick replies or
 * buttons, image attachment), or null if there is nothing to show.
 */
export function botMessage(data) {
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
    const url = safeImageUrl(String(attachment.payload.src || ""));
    if (url) image = url.href;
  }
  if (!text && !buttons.length && !image) return null;
  const message = { id: newId(), role: "bot", text, buttons, image, at: Date.now() };
  // The server could not process the visitor's message (channels/socketio.py):
  // the text explains it, and the message is to be sent again.
  if (data.turn_failed === true) message.failed = true;
  // An FAQ answer names itself, for "Was this helpful?" (channels/widget_output.py).
  const answer = data.answer;
  if (answer && Number.isInteger(answer.id) && Number.isInteger(answer.version)) {
    message.answer = { id: answer.id, version: answer.version };
  }
  return message;
}

/**
 * A connection to Rasa.
 *
 * - `loadClient()` resolves to socket.io's `io` function (loaded lazily);
 * - `sessionId()` and `sessionToken()` give the id to ask for on each
 *   (re)connection and the token that proves it is ours;
 * - `onSession(id, token, { replaced })` runs when Rasa confirms the session;
 *   `replaced` is true when it confirmed another conversation than the one
 *   asked for (the stored one was unknown or its token refused);
 * - `onMessage(message)` runs for each bot message (see `botMessage`);
 * - `onStatus(status)` runs when the status changes;
 * - `retryAfterKickMs`: how long to wait before reconnecting when the server
 *   closed the connection on purpose (socket.io leaves that to us).
 */
export function createConnection({
  serverUrl,
  socketPath,
  loadClient,
  sessionId,
  sessionToken = () => null,
  onSession = () => {},
  onMessage = () => {},
  onStatus = () => {},
  retryAfterKickMs = 2000,
  schedule = (fn, ms) => setTimeout(fn, ms),
  logError = (...args) => console.error(...args),
}) {
  let socket = null;
  let loading = null;
  let status = "idle";
  let requested = null;

  function setStatus(next) {
    if (next === status) return;
    status = next;
    onStatus(next);
  }

  function requestSession() {
    if (!socket || !socket.connected) return;
    requested = sessionId();
    socket.emit("session_request", { session_id: requested, token: requested ? sessionToken() : null });
  }

  function attach(io) {
    socket = io(serverUrl, {
      path: socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    socket.on("connect", requestSession);
    socket.on("session_confirm", (payload) => {
      const id = typeof payload === "string" ? payload : payload && payload.session_id;
      if (typeof id !== "string" || !id) return;
      const token = payload && typeof payload.token === "string" ? payload.token : null;
      onSession(id, token, { replaced: requested !== null && requested !== id });
      setStatus("online");
    });
    socket.on("bot_uttered", (data) => {
      const message = botMessage(data);
      if (message) onMessage(message);
    });
    socket.on("disconnect", (reason) => {
      setStatus("offline");
      if (reason === "io server disconnect") schedule(() => socket.connect(), retryAfterKickMs);
    });
    socket.on("connect_error", () => setStatus("offline"));
  }

  return {
    get status() {
      return status;
    },
    /** Whether messages can be sent right now. */
    get online() {
      return status === "online" && Boolean(socket && socket.connected);
    },

    /** Starts loading the socket.io client (e.g. when the visitor hovers). */
    preload() {
      loading ??= loadClient();
      return loading;
    },

    /** Connects once; socket.io then reconnects on its own. */
    connect() {
      if (socket || status === "connecting") return;
      setStatus("connecting");
      this.preload()
        .then((io) => {
          if (!socket) attach(io);
        })
        .catch((error) => {
          loading = null;
          setStatus("failed");
          logError("smp-chat: could not load the socket.io client", error);
        });
    },

    /** Asks for the current session again (another tab changed it). */
    requestSession,

    /** Sends a visitor message; false if it could not be sent now. */
    send(message) {
      const id = sessionId();
      if (!this.online || !id) return false;
      socket.emit("user_uttered", { message, session_id: id });
      return true;
    },

    /** Drops the connection and connects again, asking for a new session. */
    restart() {
      if (!socket) return;
      setStatus("offline");
      socket.disconnect();
      socket.connect();
    },
  };
}

/**
 * "Was this helpful?" under each answer: thumbs up or down in one tap, then
 * an optional comment. Votes go to the Rasa server's feedback endpoint
 * (channels/feedback.py) with the conversation's id and token, and are
 * remembered on this device so the choice shows again after a reload.
 */
import { TEXT } from "./config.js";
import { h, icon } from "./dom.js";

export const FEEDBACK_PATH = "/webhooks/feedback/answers";
export const MAX_COMMENT = 1000;

/** The storage key of a vote on one answer version. */
export function voteKey(answer) {
  return `${answer.id}@${answer.version}`;
}

/**
 * Sends votes for the conversation. `send({ answer, helpful, comment })`
 * resolves to whether the server stored it.
 */
export function createFeedbackSender({ serverUrl, sessionId, sessionToken, fetchImpl = (...a) => fetch(...a) }) {
  const url = `${String(serverUrl).replace(/\/+$/, "")}${FEEDBACK_PATH}`;
  return {
    async send({ answer, helpful, comment = "" }) {
      const id = sessionId();
      const token = sessionToken();
      if (!id || !token) return false;
      try {
        const reply = await fetchImpl(url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            session_id: id,
            token,
            answer_id: answer.id,
            version: answer.version,
            helpful,
            comment: String(comment).slice(0, MAX_COMMENT),
          }),
        });
        return reply.ok;
      } catch {
        return false;
      }
    },
  };
}

/**
 * The row under an answer. `given` is the vote already made on this device
 * (`{ helpful, commented }`) or null; `onVote(helpful)` and `onComment(text)`
 * return promises of whether the server took it.
 */
export function feedbackNode({ given, onVote, onComment }) {
  const state = { helpful: given ? given.helpful : null, commented: Boolean(given && given.commented) };
  const status = h("span", { class: "smp-feedback-status", role: "status" });
  const thumb = (helpful) =>
    h(
      "button",
      {
        type: "button",
        class: `smp-thumb smp-thumb--${helpful ? "up" : "down"}`,
        "aria-label": helpful ? TEXT.helpful : TEXT.notHelpful,
        "aria-pressed": "false",
        onclick: () => vote(helpful),
      },
      [icon("thumb")],
    );
  const up = thumb(true);
  const down = thumb(false);
  const input = h("input", {
    type: "text",
    class: "smp-feedback-input",
    maxlength: MAX_COMMENT,
    "aria-label": TEXT.feedbackComment,
    placeholder: TEXT.feedbackComment,
  });
  const form = h("form", { class: "smp-feedback-form", hidden: true, novalidate: true }, [
    input,
    h("button", { type: "submit", class: "smp-feedback-send", text: TEXT.feedbackSend }),
  ]);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    form.querySelector("button").disabled = true;
    const ok = await onComment(text);
    form.querySelector("button").disabled = false;
    if (ok) {
      state.commented = true;
      show();
    } else status.textContent = TEXT.feedbackFailed;
  });

  function show(message) {
    up.setAttribute("aria-pressed", String(state.helpful === true));
    down.setAttribute("aria-pressed", String(state.helpful === false));
    form.hidden = state.helpful === null || state.commented;
    status.textContent = message ?? (state.commented ? TEXT.feedbackThanks : "");
  }

  async function vote(helpful) {
    const before = state.helpful;
    state.helpful = helpful;
    show(TEXT.feedbackThanks);
    if (!(await onVote(helpful))) {
      state.helpful = before;
      show(TEXT.feedbackFailed);
    }
  }

  show();
  return h("div", { class: "smp-feedback", role: "group", "aria-label": TEXT.helpfulQuestion }, [
    h("span", { class: "smp-feedback-label", text: TEXT.helpfulQuestion }),
    up,
    down,
    status,
    form,
  ]);
}

/* Test chat: send messages through the console and show how each was understood. */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) { return; }
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var sendButton = document.getElementById("chat-send");
  var errorBox = document.getElementById("chat-error");
  var senderLabel = document.getElementById("chat-sender");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function clearEmpty() {
    var empty = document.getElementById("chat-empty");
    if (empty) { empty.remove(); }
  }

  function addUser(text, clicked) {
    clearEmpty();
    var item = el("li", "msg user" + (clicked ? " clicked" : ""));
    item.appendChild(el("div", "bubble", text));
    log.appendChild(item);
    scrollDown();
  }

  function addReply(reply) {
    var item = el("li", "msg bot");
    var bubble = el("div", "bubble");
    // Rendered and escaped by the server (answer_editing.message_html).
    bubble.innerHTML = reply.html;
    item.appendChild(bubble);
    if (reply.buttons && reply.buttons.length) {
      var row = el("div", "buttons");
      reply.buttons.forEach(function (button) {
        var chip = el("button", "chip", button.title);
        chip.type = "button";
        chip.setAttribute("data-payload", button.payload);
        row.appendChild(chip);
      });
      item.appendChild(row);
    }
    log.appendChild(item);
  }

  function detailRow(list, label, build) {
    var row = el("div");
    row.appendChild(el("dt", null, label));
    var dd = el("dd");
    build(dd);
    row.appendChild(dd);
    list.appendChild(row);
  }

  function codes(dd, items, separator) {
    if (!items.length) { dd.textContent = "none"; return; }
    items.forEach(function (item, index) {
      if (index) { dd.appendChild(document.createTextNode(separator)); }
      dd.appendChild(el("code", null, item));
    });
  }

  function addDetails(turn) {
    var item = el("li", "msg debug" + (turn.is_fallback ? " fallback" : ""));
    var list = el("dl", "nlu");
    list.setAttribute("data-intent", turn.intent || "");
    detailRow(list, "Intent", function (dd) {
      dd.appendChild(el("code", "intent-name", turn.intent || "—"));
      dd.appendChild(document.createTextNode(" "));
      // Written by the server (console/turns.py confidence_text).
      var low = turn.confidence_text !== "button" && (turn.confidence || 0) < 0.5;
      dd.appendChild(el("span", "conf" + (low ? " low" : ""), turn.confidence_text));
    });
    if (turn.runner_ups && turn.runner_ups.length) {
      detailRow(list, "Runner-up", function (dd) {
        turn.runner_ups.forEach(function (other, index) {
          if (index) { dd.appendChild(document.createTextNode(", ")); }
          dd.appendChild(el("code", null, other.name));
          dd.appendChild(document.createTextNode(" "));
          dd.appendChild(el("span", "conf", other.confidence_text));
        });
      });
    }
    detailRow(list, "Entities", function (dd) {
      codes(dd, (turn.entities || []).map(function (e) { return e.entity + "=" + e.value; }), ", ");
    });
    detailRow(list, "Actions", function (dd) { codes(dd, turn.actions || [], " → "); });
    if (turn.served_answer) {
      var served = turn.served_answer;
      detailRow(list, "Answer", function (dd) {
        var link = el("a", "served-answer",
          "#" + served.answer_id + " " + served.intent +
          (served.variant ? " (" + served.variant + ")" : "") + " v" + served.version);
        link.href = served.edit_url;
        dd.appendChild(link);
      });
    }
    item.appendChild(list);
    log.appendChild(item);
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function send(text, shown) {
    if (!text) { return; }
    showError("");
    addUser(shown || text, Boolean(shown));
    sendButton.disabled = true;
    input.disabled = true;
    window.consolePost(root.getAttribute("data-send-url"), { text: text })
      .then(function (data) {
        if (data.turn) {
          data.turn.replies.forEach(addReply);
          addDetails(data.turn);
        }
        scrollDown();
      })
      .catch(function (error) { showError(error.message); })
      .finally(function () {
        sendButton.disabled = false;
        input.disabled = false;
        input.focus();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    input.value = "";
    send(text);
  });

  log.addEventListener("click", function (event) {
    var chip = event.target.closest("button.chip");
    if (chip) { send(chip.getAttribute("data-payload"), chip.textContent); }
  });

  document.getElementById("chat-reset").addEventListener("click", function () {
    window.consolePost(root.getAttribute("data-reset-url"), {})
      .then(function (data) {
        senderLabel.textContent = data.conversation_id;
        log.innerHTML = "";
        var empty = el("li", "empty muted", "New conversation. Say hello.");
        empty.id = "chat-empty";
        log.appendChild(empty);
        showError("");
        input.focus();
      })
      .catch(function (error) { showError(error.message); });
  });

  scrollDown();
})();

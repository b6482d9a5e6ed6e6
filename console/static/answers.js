/* Answer editor: a live preview rendered by the server as the assistant would send it. */
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var bubble = document.getElementById("preview-bubble");
  var buttons = document.getElementById("preview-buttons");
  var warnings = document.getElementById("preview-warnings");
  var words = document.getElementById("word-count");
  var detailWords = document.getElementById("detail-word-count");
  var more = document.getElementById("preview-more");
  var detail = document.getElementById("preview-detail");
  var detailButtons = document.getElementById("preview-detail-buttons");
  var timer = null;

  function collect() {
    var data = new FormData(form);
    return {
      short: data.get("short") || "",
      detail: data.get("detail") || "",
      topic: data.get("topic") || "",
      question: data.get("question") || "",
      base_version: data.get("base_version") || "",
      related_intents: data.getAll("related_intents")
    };
  }

  function chips(box, titles) {
    box.textContent = "";
    titles.forEach(function (title) {
      var chip = document.createElement("span");
      chip.className = "chip static";
      chip.textContent = title;
      box.appendChild(chip);
    });
  }

  function render(result) {
    // Every `html` is escaped and rendered on the server.
    bubble.innerHTML = result.preview.html;
    chips(buttons, result.preview.buttons);
    detail.textContent = "";
    result.preview.detail.forEach(function (html) {
      var message = document.createElement("div");
      message.className = "msg bot";
      var part = document.createElement("div");
      part.className = "bubble";
      part.innerHTML = html;
      message.appendChild(part);
      detail.appendChild(message);
    });
    chips(detailButtons, result.preview.detail_buttons);
    more.hidden = result.preview.detail.length === 0;
    words.textContent = result.preview.words;
    detailWords.textContent = result.preview.detail_words;
    warnings.textContent = "";
    var notes = result.warnings.slice();
    Object.keys(result.errors).forEach(function (field) {
      if (field !== "form") { notes.push(result.errors[field]); }
    });
    notes.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      warnings.appendChild(item);
    });
  }

  function refresh() {
    window.consolePost(form.getAttribute("data-preview-url"), collect())
      .then(render)
      .catch(function () { /* the preview is a convenience; saving still checks */ });
  }

  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  });
})();

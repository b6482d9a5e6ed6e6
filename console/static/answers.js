/* Answer editor: a live preview rendered by the server as the assistant would send it. */
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  if (!form) { return; }
  var bubble = document.getElementById("preview-bubble");
  var buttons = document.getElementById("preview-buttons");
  var warnings = document.getElementById("preview-warnings");
  var words = document.getElementById("word-count");
  var timer = null;

  function collect() {
    var data = new FormData(form);
    return {
      text: data.get("text") || "",
      topic: data.get("topic") || "",
      question: data.get("question") || "",
      base_version: data.get("base_version") || "",
      related_intents: data.getAll("related_intents")
    };
  }

  function render(result) {
    // `html` is escaped and rendered on the server.
    bubble.innerHTML = result.preview.html;
    buttons.textContent = "";
    result.preview.buttons.forEach(function (title) {
      var chip = document.createElement("span");
      chip.className = "chip static";
      chip.textContent = title;
      buttons.appendChild(chip);
    });
    words.textContent = result.preview.words;
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

// The analysis editor's live preview: the body, rendered by the server with the same Markdown sanitiser
// and quote blocks as the analysis page, shown beside the box and refreshed as the editor types.
// Without JavaScript the "Preview the body" button below the form opens the same rendering in a tab.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("id_body");
    var button = document.querySelector("[data-markdown-preview]");
    var form = body && body.form;
    if (!body || !button || !form) return;

    var row = body.closest(".form-row");
    var panel = document.createElement("section");
    panel.className = "markdown-preview";
    panel.setAttribute("aria-labelledby", "markdown-preview-heading");
    panel.tabIndex = 0; // It scrolls: the keyboard must reach it.
    var heading = document.createElement("h2");
    heading.id = "markdown-preview-heading";
    heading.textContent = "Preview";
    var note = document.createElement("p");
    note.className = "help markdown-preview__note";
    note.textContent = "As the analysis page will show it, updated as you type.";
    var rendered = document.createElement("div");
    rendered.className = "markdown-preview__body";
    panel.append(heading, note, rendered);
    row.classList.add("markdown-editor");
    row.firstElementChild.appendChild(panel);

    var url = button.getAttribute("formaction") + "?fragment=1";
    var sent = 0;
    var timer = null;

    function refresh() {
      var data = new FormData(form);
      data.delete("hero_image"); // The preview needs the text, not the upload.
      var ticket = ++sent;
      fetch(url, {method: "POST", body: data, credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          // Only the latest request draws, whatever order the answers arrive in. The HTML is the
          // server's sanitised rendering, the same the public page shows.
          if (ticket === sent) rendered.innerHTML = html;
        })
        .catch(function () {
          if (ticket === sent) note.textContent = "The preview could not be updated. Your text is unchanged.";
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    }

    body.addEventListener("input", later);
    form.addEventListener("change", later);
    // Select2 (the quote boxes) announces its changes through jQuery only.
    if (window.django && window.django.jQuery) window.django.jQuery(form).on("change", "select", later);
    refresh();
  });
})();

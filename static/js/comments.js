/* Comments: Reply moves the form under the comment; a counter shows the characters left; a form sent
   back with errors focuses its error summary. Without JavaScript the Reply link reloads the page with
   the form set to reply, and a form with errors opens at its summary (the address's #comment-errors). */
(function () {
  "use strict";

  function setUpCounter(textarea) {
    var counter = document.getElementById(textarea.id + "_counter");
    var limit = parseInt(textarea.getAttribute("maxlength"), 10);
    if (!counter || !limit) { return; }
    function update() {
      var left = limit - textarea.value.length;
      counter.textContent = left === 1 ? "1 character left" : left.toLocaleString("en-GB") + " characters left";
      counter.classList.toggle("comment-form__counter--low", left < limit / 10);
    }
    textarea.addEventListener("input", update);
    update();
  }

  function setUpReplies(respond) {
    var form = respond.querySelector("form");
    var parentField = form.querySelector("input[name=parent]");
    var heading = respond.querySelector("#respond-heading");
    var cancel = respond.querySelector(".comment-respond__cancel");
    var home = document.createElement("div");
    home.hidden = true;
    respond.parentNode.insertBefore(home, respond);

    function replyTo(link, quietly) {
      var comment = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
      comment.parentNode.insertBefore(respond, comment.nextSibling);
      parentField.value = link.getAttribute("data-reply-to");
      heading.textContent = "Reply to " + link.getAttribute("data-reply-name");
      cancel.hidden = false;
      if (!quietly) { form.querySelector("textarea").focus(); }
    }

    function cancelReply() {
      home.parentNode.insertBefore(respond, home.nextSibling);
      parentField.value = "";
      heading.textContent = heading.getAttribute("data-default");
      cancel.hidden = true;
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-reply-to]");
      if (link) {
        event.preventDefault();
        replyTo(link);
      } else if (event.target.closest("[data-cancel-reply]")) {
        event.preventDefault();
        cancelReply();
        heading.focus();
      }
    });
    heading.setAttribute("tabindex", "-1");

    // A reply sent back with errors (or a ?replyto= link) opens where the reply link would put it.
    var replying = parentField.value && document.querySelector("[data-reply-to='" + parentField.value + "']");
    if (replying) { replyTo(replying, true); }
  }

  // GOV.UK's error summary: read first, so it takes focus; its links lead to the fields.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  }

  document.querySelectorAll("textarea[data-counter]").forEach(setUpCounter);
  var respond = document.querySelector("[data-comment-respond]");
  if (respond) { setUpReplies(respond); }
  focusErrorSummary();
})();

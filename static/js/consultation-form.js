// Moves focus to the error summary, as GOV.UK's pattern does, so screen readers announce it first.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

// Progressive reveal (GOV.UK's conditional reveal): follow-up questions show only once the answer they
// depend on is chosen. Without this script every follow-up is shown, with a hint saying when to answer
// it, and the server ignores what does not apply; so this only hides, it never decides.
(function () {
  var form = document.querySelector(".questionnaire form");
  if (!form) return;
  var reveals = Array.prototype.slice.call(form.querySelectorAll("[data-reveal-when]"));
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-condition-field]"));
  if (!reveals.length && !questions.length) return;

  reveals.forEach(function (block) {
    var input = document.getElementById(block.getAttribute("data-reveal-when"));
    if (input) input.setAttribute("aria-controls", block.id);
  });

  function chosen(name) {
    // An answer inside a hidden question counts for nothing, so chains fall with their first link.
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.checked && !input.closest("[hidden]")) values.push(input.value);
    });
    return values;
  }

  function update() {
    reveals.forEach(function (block) {
      var input = document.getElementById(block.getAttribute("data-reveal-when"));
      block.hidden = !(input && input.checked);
    });
    // In page order, so a question hidden above hides those that depend on it below.
    questions.forEach(function (question) {
      var wanted = JSON.parse(question.getAttribute("data-condition-values") || "[]");
      var have = chosen(question.getAttribute("data-condition-field"));
      question.hidden = !have.some(function (value) { return wanted.indexOf(value) !== -1; });
    });
  }

  form.addEventListener("change", update);
  update();
})();

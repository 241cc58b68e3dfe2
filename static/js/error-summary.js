/* GOV.UK's error summary: it takes focus when the page opens, so a screen reader reads it first.
   Each link is a fragment link to its field, which browsers focus without this script; with it, the
   field's label or legend is scrolled into view too, so the question is seen with the answer box. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    var label = legend || (field.labels && field.labels[0]) || field;
    label.scrollIntoView();
    field.focus({ preventScroll: true });
  });

  summary.focus();
})();

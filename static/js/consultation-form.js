// Moves focus to the error summary, as GOV.UK's pattern does, so screen readers announce it first.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

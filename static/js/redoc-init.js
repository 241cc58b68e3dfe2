// Starts ReDoc on /api/redoc/ from a file, as the Content-Security-Policy forbids inline scripts.
// ReDoc injects <style> elements, which the policy lets in only with this request's nonce.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  // Samples open in full: a collapsed level's 15 px "expand" button is below WCAG 2.2's 24 px target size.
  Redoc.init(
    container.dataset.specUrl,
    { nonce: document.currentScript.nonce, jsonSampleExpandLevel: "all" },
    container
  );
})();

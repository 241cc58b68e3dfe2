// Starts ReDoc on /api/redoc/ from a file, as the Content-Security-Policy forbids inline scripts.
// ReDoc injects <style> elements, which the policy lets in only with this request's nonce.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.specUrl, { nonce: document.currentScript.nonce }, container);
})();

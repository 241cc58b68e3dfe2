// Django admin's autocomplete boxes are Select2 widgets, which take the place of the labelled <select>
// and carry no name of their own: an empty single box names itself after its (empty) value, and the
// search box of a multiple one has no label at all. This names each after the field's <label>, and
// hides the mouse-only "remove all" cross, a <span> inside a list, from assistive technology.
(function () {
  "use strict";

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "-label";
    return label;
  }

  function name(container) {
    var select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") return;
    var label = labelOf(select);
    if (!label) return;
    var combobox = container.querySelector(".select2-selection");
    var rendered = container.querySelector(".select2-selection__rendered");
    if (combobox && container.querySelector(".select2-selection--single")) {
      // The box reads "<label> <chosen value>"; so does the read-only text box inside it, which is
      // empty until something is chosen.
      var both = label.id + (rendered && rendered.id ? " " + rendered.id : "");
      combobox.setAttribute("aria-labelledby", both);
      if (rendered) rendered.setAttribute("aria-labelledby", both);
    } else if (combobox) {
      combobox.setAttribute("aria-labelledby", label.id);
    }
    container.querySelectorAll(".select2-search__field").forEach(function (search) {
      search.setAttribute("aria-labelledby", label.id);
    });
  }

  function tidy(root) {
    if (!root.querySelectorAll) return;
    var containers = root.matches && root.matches("span.select2-container") ? [root] : [];
    containers.concat(Array.from(root.querySelectorAll("span.select2-container"))).forEach(name);
    root.querySelectorAll(".select2-selection__clear").forEach(function (cross) {
      cross.setAttribute("aria-hidden", "true");
    });
  }

  // Select2 builds its boxes when jQuery is ready, for each inline form added later, and redraws a
  // multiple box's list on every change: watch the page for all three.
  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) return;
        if (node.classList.contains("select2-selection__clear")) node.setAttribute("aria-hidden", "true");
        else tidy(node.closest(".select2-container") || node);
      });
    });
  }).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", function () { tidy(document); });
})();

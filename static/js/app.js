/* Verify newsroom: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // <form data-confirm="Question?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <input type="checkbox" data-select-all="claims">: toggles every input[name=claims].
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-select-all]")) {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]')
        .forEach(function (item) { item.checked = box.checked; });
    }
  });

  // Show only the fields that matter for the chosen option.
  function toggleFields(root, attribute, value) {
    root.querySelectorAll("[" + attribute + "]").forEach(function (field) {
      field.hidden = field.getAttribute(attribute) !== value;
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-bulk]:not([data-enhanced])").forEach(function (form) {
      form.dataset.enhanced = "1";
      var select = form.querySelector("[data-bulk-action]");
      if (!select) { return; }
      var update = function () { toggleFields(form, "data-bulk-field", select.value); };
      select.addEventListener("change", update);
      update();
    });
    root.querySelectorAll("[data-evidence-form]:not([data-enhanced])").forEach(function (form) {
      form.dataset.enhanced = "1";
      var update = function () {
        var checked = form.querySelector('input[name="kind"]:checked');
        toggleFields(form, "data-kind-field", checked ? checked.value : "link");
      };
      form.querySelectorAll('input[name="kind"]').forEach(function (radio) {
        radio.addEventListener("change", update);
      });
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    // Secondary panels start folded on phones (they are open without JavaScript).
    if (window.matchMedia("(max-width: 640px)").matches) {
      document.querySelectorAll("details[data-collapse-narrow]").forEach(function (details) {
        details.open = false;
      });
    }
  });
  // Content htmx swaps in gets the same enhancements.
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) { enhance(event.target); }
  });
})();

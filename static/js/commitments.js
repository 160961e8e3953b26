/* Commitments: small enhancements of pages that work without JavaScript.
   - the form shows the regions and countries fields the chosen level of action needs;
   - after a deliverable row is added, removed or kept (htmx), the focus goes where the
     person continues: the new row, the "Keep it" button, the row kept;
   - a form that came back with errors puts the focus on their summary. */
(function () {
  "use strict";

  function showGeography(form) {
    var checked = form.querySelector('input[name="level"]:checked');
    var level = checked ? checked.value : "";
    form.querySelectorAll("[data-level-geography]").forEach(function (block) {
      var levels = block.getAttribute("data-level-geography").split(" ");
      block.hidden = level !== "" && levels.indexOf(level) === -1;
    });
  }

  function focusAfterRowAction(button) {
    var fieldset = document.getElementById("deliverables");
    if (!fieldset || !button) {
      return;
    }
    var target = null;
    if (button.name === "add_deliverable") {
      var rows = fieldset.querySelectorAll(".deliverable-row");
      target = rows.length ? rows[rows.length - 1].querySelector("input[type=text]") : null;
    } else {
      var row = document.getElementById("deliverable-row-" + button.value);
      target = row ? row.querySelector(button.name === "remove_deliverable" ? "button" : "input[type=text]") : null;
    }
    if (target) {
      target.focus();
    }
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("#commitment-form");
    if (form && event.target.name === "level") {
      showGeography(form);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "deliverables") {
      focusAfterRowAction(event.detail.requestConfig && event.detail.requestConfig.elt);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("commitment-form");
    if (form) {
      showGeography(form);
    }
    var errors = document.getElementById("form-errors");
    if (errors) {
      errors.focus();
    }
  });
})();

// A form sent back with errors: scroll to the first error and put the cursor in its field, so a phone user
// does not have to hunt for it below the fold. Also after an htmx swap. Loaded from base.html (CSP-safe).
(function () {
  "use strict";
  var ERROR = ".is-invalid, .invalid-feedback, .errorlist, .alert-danger, [aria-invalid='true']";
  function firstError(root) {
    var forms = (root || document).querySelectorAll("form");
    for (var i = 0; i < forms.length; i += 1) {
      var found = forms[i].querySelector(ERROR);
      if (found) { return found; }
    }
    return null;
  }
  function reveal(root) {
    var error = firstError(root);
    if (!error) { return; }
    var group = error.closest(".mb-3, .form-group, fieldset, .form-check") || error;
    group.scrollIntoView({ block: "center" });
    var field = error.matches("input, select, textarea") ? error : group.querySelector("input:not([type=hidden]), select, textarea");
    if (field && typeof field.focus === "function") { field.focus({ preventScroll: true }); }
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.target); });
})();

/* Publicity forms: show only the fields the chosen category needs, and an inspection item's
   "what was wrong / fix by" only when it failed. Without JavaScript every field stays visible. */
(function () {
  "use strict";

  function activityForm() {
    var source = document.getElementById("publicity-field-categories");
    var category = document.getElementById("id_category");
    if (!source || !category) return;
    var fields = JSON.parse(source.textContent);
    function update() {
      Object.keys(fields).forEach(function (name) {
        var wrapper = document.getElementById("div_id_" + name);
        if (!wrapper) return;
        var input = document.getElementById("id_" + name);
        var hasValue = input && input.value && input.value.trim() !== "";
        var hasError = wrapper.querySelector(".invalid-feedback, .is-invalid");
        wrapper.hidden = fields[name].indexOf(category.value) === -1 && !hasValue && !hasError;
      });
    }
    category.addEventListener("change", update);
    update();
  }

  function inspectionForm() {
    document.querySelectorAll(".inspection-item").forEach(function (fieldset) {
      var failure = fieldset.querySelector(".item-failure");
      var radios = fieldset.querySelectorAll("input[type=radio]");
      if (!failure || !radios.length) return;
      function update() {
        var failed = fieldset.querySelector("input[type=radio][value=fail]:checked");
        failure.hidden = !failed;
      }
      radios.forEach(function (radio) { radio.addEventListener("change", update); });
      update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    activityForm();
    inspectionForm();
  });
})();

/* The door-visit form's typical cases: show those of the fraud types ticked in the form ("fraud types
   explained"); none ticked, a hint. Without JavaScript every case stays visible. */
(function () {
  "use strict";
  var panel = document.querySelector("[data-testid=typical-cases-panel][data-follow-ticks]");
  var form = panel && panel.closest("form") ? panel.closest("form") : document.querySelector("[data-testid=door-visit-form]");
  if (!panel || !form) {
    return;
  }
  var cases = panel.querySelectorAll("[data-fraud-type]");
  var hint = panel.querySelector("[data-testid=typical-cases-hint]");
  function update() {
    var ticked = {};
    form.querySelectorAll("input[name=fraud_types]:checked").forEach(function (input) {
      ticked[input.value] = true;
    });
    var shown = 0;
    cases.forEach(function (element) {
      var visible = Boolean(ticked[element.getAttribute("data-fraud-type")]);
      element.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    panel.hidden = false;
    if (hint) {
      hint.hidden = shown > 0;
    }
  }
  form.addEventListener("change", update);
  update();
})();

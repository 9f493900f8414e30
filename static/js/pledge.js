/* The pledge form's signature pad (signature_pad 5.1.4): the resident signs with a finger; on submit the
   drawing is written, as a PNG data URL, into the hidden input that the server checks and stores.
   Loaded as a file (the CSP forbids inline scripts). */
(function () {
  "use strict";
  var canvas = document.querySelector("canvas[data-signature-pad]");
  if (!canvas || typeof window.SignaturePad !== "function") {
    return;
  }
  var form = canvas.closest("form");
  var input = form.querySelector("input[data-signature-input]");
  var status = document.querySelector("[data-signature-status]");
  var pad = new window.SignaturePad(canvas, { penColor: "#000", minWidth: 1, maxWidth: 3 });
  var cssHeight = parseInt(canvas.getAttribute("data-height"), 10) || 200;
  // After a form error the server sends the drawn signature back in the hidden input: show it again, so
  // the resident does not have to sign twice (and the next submit does not send an empty pad).
  var restored = /^data:image\/png;base64,/.test(input.value) ? input.value : null;

  function restore() {
    if (restored && pad.toData().length === 0) {
      pad.fromDataURL(restored, { width: canvas.offsetWidth, height: cssHeight }).then(update);
    }
  }

  function resize() {
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    var width = canvas.offsetWidth;
    if (!width || canvas.width === Math.round(width * ratio)) {
      return;
    }
    var strokes = pad.toData();
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(strokes);
    restore();
  }

  function update() {
    if (status) {
      status.hidden = pad.isEmpty();
    }
  }

  window.addEventListener("resize", resize);
  resize();
  pad.addEventListener("endStroke", update);

  var clear = document.querySelector("[data-signature-clear]");
  if (clear) {
    clear.addEventListener("click", function () {
      restored = null;
      pad.clear();
      input.value = "";
      update();
    });
  }

  form.addEventListener("submit", function () {
    input.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();

// Print pages (bulletin, pledge forms, letter, contact cards, person file, application): the toolbar's
// print button and its way back. No inline handlers: the CSP allows scripts from our origin only.
(function () {
  "use strict";
  function sameOrigin(url) {
    try { return new URL(url).origin === window.location.origin; } catch (error) { return false; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print-page]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-print-back]").forEach(function (link) {
      // The page the user came from, when it is ours; otherwise the link's own target (the home page).
      if (document.referrer && sameOrigin(document.referrer) && document.referrer !== window.location.href) {
        link.href = document.referrer;
      }
      link.addEventListener("click", function (event) {
        if (window.history.length > 1 && document.referrer && sameOrigin(document.referrer)) {
          event.preventDefault();
          window.history.back();
        }
      });
    });
  });
})();

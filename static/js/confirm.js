// Irreversible steps ask first: a form, or the button that submits it, with data-confirm="…" shows that question
// and is sent only when the user agrees; a link with data-confirm is followed only then. One listener for every
// page (no inline script under the CSP).
(() => {
  document.addEventListener(
    "submit",
    (event) => {
      const button = event.submitter;
      const question = (button && button.dataset.confirm) || event.target.dataset.confirm;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
  document.addEventListener(
    "click",
    (event) => {
      const link = event.target.closest && event.target.closest("a[data-confirm]");
      if (link && !window.confirm(link.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );
})();

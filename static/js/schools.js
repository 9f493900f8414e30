// Schools pages: the approval form's print button (no inline script under the CSP); hidden on paper.
document.addEventListener("DOMContentLoaded", () => {
  const buttons = document.querySelectorAll("[data-print]");
  buttons.forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  window.addEventListener("beforeprint", () => buttons.forEach((button) => { button.hidden = true; }));
  window.addEventListener("afterprint", () => buttons.forEach((button) => { button.hidden = false; }));
});

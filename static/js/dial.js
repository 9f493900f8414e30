// "拨打": the reveal answers with a tel: link (htmx swaps it in place of the button); open the dialler at once, in
// the same tap. The link stays, to call again or to read the number.
(() => {
  const dial = (root) => {
    const links = root.matches && root.matches("a[data-dial]") ? [root] : root.querySelectorAll("a[data-dial]");
    links.forEach((link) => {
      if (link.dataset.dialled) return;
      link.dataset.dialled = "1";
      link.click();
    });
  };
  document.addEventListener("htmx:load", (event) => dial(event.detail.elt));
})();

// The console's own behaviour. A static file: the Content-Security-Policy allows no inline script.

// A select marked data-autosubmit (the language switch) submits its form when it changes;
// its form keeps a submit button for keyboards and for browsers without scripts.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit")) {
    field.form?.requestSubmit();
  }
});

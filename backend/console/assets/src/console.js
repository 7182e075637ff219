// The console's own behaviour. A static file: the Content-Security-Policy allows no inline script.

// A select marked data-autosubmit (the language switch) submits its form when it changes;
// its form keeps a submit button for keyboards and for browsers without scripts.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit")) {
    field.form?.requestSubmit();
  }
});

// Bulk assignment: a box marked data-select-all ticks every row's box (data-case-pick).
// The list swaps itself in anew every few seconds; the ticks survive that, and are cleared
// once the cases have been handed over (the server then fires `cases-changed`).
const picks = () => document.querySelectorAll("input[type=checkbox][data-case-pick]");
let kept = null;

document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-all")) {
    for (const box of picks()) box.checked = field.checked;
  }
});

document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target?.id === "case-results") {
    kept = new Set([...picks()].filter((box) => box.checked).map((box) => box.value));
  }
});

document.addEventListener("htmx:afterSettle", () => {
  if (kept === null) return;
  for (const box of picks()) box.checked = kept.has(box.value);
  kept = null;
});

document.addEventListener("cases-changed", () => {
  kept = null;
  for (const box of picks()) box.checked = false;
  for (const all of document.querySelectorAll("input[data-select-all]")) all.checked = false;
});

// A filter applied by htmx moves the address without reloading the page: the language
// switch's way back (its `next`) moves with it, so the filter survives a change of language.
document.addEventListener("htmx:pushedIntoHistory", (event) => {
  const back = document.querySelectorAll('form[action="/console/language"] input[name="next"]');
  for (const field of back) field.value = event.detail.path;
});

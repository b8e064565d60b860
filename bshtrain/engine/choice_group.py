"""A labelled group of options that behaves like a native radio group.

ipywidgets' RadioButtons gives its inputs no shared `name`, so the browser does not treat
them as one group: every option is its own Tab stop and the arrow keys do nothing. This
widget (anywidget: a small front end shipped as a string, no build step) renders a
<fieldset> with a <legend> and radios sharing one name: Tab reaches the group once, the
arrow keys move the choice, labels wrap, and screen readers announce the group.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function uniqueName() {
  const random = (globalThis.crypto && crypto.randomUUID) ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `bsh-choice-${random}`;
}
function render({ model, el }) {
  const name = uniqueName();  // one group per widget: the browser's own radio-group keys
  const fieldset = document.createElement("fieldset");
  fieldset.className = "bsh-choice";
  // JupyterLab handles keys as they bubble: keep the keys a radio group uses from reaching
  // the notebook's command-mode shortcuts (ArrowDown would select the next cell).
  const groupKeys = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", " "]);
  fieldset.addEventListener("keydown", (event) => {
    if (groupKeys.has(event.key)) event.stopPropagation();
  });
  el.appendChild(fieldset);
  function draw() {
    fieldset.replaceChildren();
    fieldset.disabled = !!model.get("disabled");
    const legend = document.createElement("legend");
    legend.textContent = model.get("label");
    fieldset.appendChild(legend);
    const value = model.get("value");
    for (const [text, id] of model.get("options")) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      input.value = id;
      input.checked = id === value;
      input.addEventListener("change", () => {
        if (input.checked) { model.set("value", id); model.save_changes(); }
      });
      const span = document.createElement("span");
      span.textContent = text;
      label.append(input, span);
      fieldset.appendChild(label);
    }
  }
  draw();
  model.on("change:options", draw);
  model.on("change:label", draw);
  model.on("change:disabled", draw);
  model.on("change:value", () => {
    for (const input of fieldset.querySelectorAll("input")) {
      input.checked = input.value === model.get("value");
    }
  });
}
export default { render };
"""

_CSS = """
.bsh-choice { border: none; margin: 0.5em 0 0.8em; padding: 0; max-width: 62em; }
.bsh-choice legend { font-weight: 600; padding: 0; margin-bottom: 0.3em; white-space: normal; }
.bsh-choice label { display: flex; gap: 0.55em; align-items: flex-start; margin: 0.3em 0;
  line-height: 1.4; cursor: pointer; }
.bsh-choice input { margin-top: 0.2em; flex: none; }
.bsh-choice input:focus-visible { outline: 2px solid #1a5fb4; outline-offset: 2px; }
"""


class ChoiceGroup(anywidget.AnyWidget):
    """One choice among labelled options; `value` is the chosen option's id ('' for none)."""

    _esm = _ESM
    _css = _CSS
    label = traitlets.Unicode("").tag(sync=True)
    options = traitlets.List(traitlets.List()).tag(sync=True)  # [[text, id], ...]
    value = traitlets.Unicode("").tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)

    @traitlets.validate("value")
    def _known(self, proposal):
        value = proposal["value"] or ""
        if value and value not in {option[1] for option in self.options}:
            raise traitlets.TraitError(f"'{value}' is not one of the options of '{self.label}'")
        return value

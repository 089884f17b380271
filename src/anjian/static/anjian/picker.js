// The enterprise picker (enterprises/widgets.py): htmx fetches the suggestions, this file
// turns a click on one into the form's value. Loaded once however many pickers a page has.
(function () {
  if (window.anjianPicker) return;
  window.anjianPicker = true;

  function close(picker) {
    var list = picker.querySelector(".enterprise-suggestions");
    if (list) list.innerHTML = "";
    var input = picker.querySelector("[data-picker-input]");
    if (input) input.setAttribute("aria-expanded", "false");
  }

  function pick(picker, id, name) {
    var input = picker.querySelector("[data-picker-input]");
    if (picker.dataset.multiple) {
      var chips = picker.querySelector(".enterprise-chips");
      var field = picker.dataset.idName;
      if (!chips.querySelector('input[value="' + id + '"]')) {
        var chip = document.createElement("span");
        chip.className = "badge text-bg-light border enterprise-chip";
        chip.textContent = name;
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = field;
        hidden.value = id;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close ms-1";
        remove.style.fontSize = ".6rem";
        remove.setAttribute("data-unpick", "");
        remove.setAttribute("aria-label", "移除" + name);
        chip.appendChild(hidden);
        chip.appendChild(remove);
        chips.appendChild(chip);
      }
      input.value = "";
    } else {
      picker.querySelector("[data-picked-id]").value = id;
      input.value = name;
    }
    close(picker);
    input.focus();
    if (picker.dataset.submitOnPick && input.form) input.form.requestSubmit();
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick-id]");
    var picker = event.target.closest(".enterprise-picker");
    if (option && picker) {
      event.preventDefault();
      pick(picker, option.dataset.pickId, option.dataset.pickName);
      return;
    }
    var unpick = event.target.closest("[data-unpick]");
    if (unpick) {
      event.preventDefault();
      unpick.closest(".enterprise-chip").remove();
      return;
    }
    document.querySelectorAll(".enterprise-picker").forEach(function (p) {
      if (!p.contains(event.target)) close(p);
    });
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-picker-input]")) return;
    var picker = event.target.closest(".enterprise-picker");
    var hidden = picker.querySelector("[data-picked-id]");
    // a single choice is the suggestion picked, not what is typed afterwards
    if (hidden) hidden.value = "";
  });

  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest(".enterprise-picker");
    if (!picker) return;
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-pick-id]"));
    if (event.key === "Escape") {
      close(picker);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      var at = options.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      if (next < 0) {
        picker.querySelector("[data-picker-input]").focus();
      } else {
        options[Math.min(next, options.length - 1)].focus();
      }
    } else if (event.key === "Enter" && event.target.matches("[data-picker-input]")) {
      // Enter picks the only suggestion instead of submitting a half-chosen form
      if (options.length === 1) {
        event.preventDefault();
        pick(picker, options[0].dataset.pickId, options[0].dataset.pickName);
      } else if (options.length > 1 || !picker.dataset.freeText) {
        event.preventDefault();
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.target;
    if (!list.classList || !list.classList.contains("enterprise-suggestions")) return;
    var picker = list.closest(".enterprise-picker");
    var input = picker.querySelector("[data-picker-input]");
    input.setAttribute("aria-expanded", list.children.length ? "true" : "false");
  });
})();

// Handwritten signatures: a canvas per signer; the drawing goes into a hidden field as
// a PNG data URL, so it is saved on the device with the other answers.
(function () {
  "use strict";
  document.querySelectorAll("canvas.signature-pad").forEach(function (canvas) {
    const field = document.querySelector("[name='" + canvas.dataset.target + "']");
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let dirty = false;

    function fit() {
      const ratio = window.devicePixelRatio || 1;
      const width = canvas.clientWidth;
      canvas.width = width * ratio;
      canvas.height = 120 * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.2;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      if (field.value) {
        const image = new Image();
        image.onload = function () { ctx.drawImage(image, 0, 0, width, 120); };
        image.src = field.value;
      }
    }
    function point(event) {
      const box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    function store() {
      if (!dirty) return;
      field.value = canvas.toDataURL("image/png");
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      dirty = true;
      canvas.setPointerCapture(event.pointerId);
      const p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      const p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      event.preventDefault();
    });
    ["pointerup", "pointercancel"].forEach(function (name) {
      canvas.addEventListener(name, function () { if (drawing) { drawing = false; store(); } });
    });
    canvas.style.touchAction = "none";
    document.querySelectorAll("[data-clear-signature='" + canvas.dataset.target + "']").forEach(function (button) {
      button.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
        dirty = false;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    // offline.js restores the hidden field after this script: draw it once restored
    window.addEventListener("load", fit);
    fit();
  });
})();

// The signing pad: records the strokes drawn on the canvas as JSON points in its 300×100 box (what the server
// checks and draws back as SVG), and shows the pad or the name field according to the chosen way of signing.
(function () {
  "use strict";

  function setup(form) {
    var pad = form.querySelector("[data-signature-pad]");
    var typed = form.querySelector("[data-signature-typed]");
    if (!pad) return;
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input[name=strokes]");
    var context = canvas.getContext("2d");
    var strokes = [];
    var current = null;
    try {
      strokes = JSON.parse(input.value || "[]");
    } catch (error) {
      strokes = [];
    }

    function redraw() {
      context.clearRect(0, 0, canvas.width, canvas.height);
      context.strokeStyle = "#14213d";
      context.lineWidth = 2;
      context.lineCap = "round";
      context.lineJoin = "round";
      strokes.forEach(function (stroke) {
        context.beginPath();
        stroke.forEach(function (point, index) {
          if (index === 0) context.moveTo(point[0], point[1]);
          else context.lineTo(point[0], point[1]);
        });
        if (stroke.length === 1) context.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
        context.stroke();
      });
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [
        Math.round(((event.clientX - box.left) * canvas.width) / box.width * 10) / 10,
        Math.round(((event.clientY - box.top) * canvas.height) / box.height * 10) / 10,
      ];
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      current = [point(event)];
      strokes.push(current);
      redraw();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!current) return;
      event.preventDefault();
      current.push(point(event));
      redraw();
    });
    function end() {
      if (!current) return;
      current = null;
      input.value = JSON.stringify(strokes);
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      strokes = [];
      input.value = "";
      redraw();
    });

    function show() {
      var checked = form.querySelector("input[name=method]:checked");
      var drawn = !checked || checked.value === "drawn";
      pad.hidden = !drawn;
      if (typed) typed.hidden = drawn;
    }
    form.querySelectorAll("input[name=method]").forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
    redraw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signature-form]").forEach(setup);
  });
})();

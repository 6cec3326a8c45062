// The import's upload step: a file over the size limit is refused in the browser before it is sent (the server
// refuses it too, with the same words).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches("input[type=file][data-max-bytes]")) return;
    var file = input.files && input.files[0];
    var tooBig = file && file.size > Number(input.getAttribute("data-max-bytes"));
    input.setCustomValidity(tooBig ? input.getAttribute("data-too-big") : "");
    var note = document.getElementById("import-size-note");
    if (note) {
      note.textContent = tooBig ? input.getAttribute("data-too-big") : "";
      note.hidden = !tooBig;
    }
  });
})();

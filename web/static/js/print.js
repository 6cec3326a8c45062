// The print page (web/views/printing): its Print button opens the browser's print dialog, and the page opens it by
// itself when the record page's 打印 button brought the reader here (?autoprint=1).
"use strict";

(() => {
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
  if (new URLSearchParams(window.location.search).get("autoprint") === "1") {
    window.addEventListener("load", () => window.print());
  }
})();

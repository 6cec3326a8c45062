// Export links follow the list's current URL: filters, search and sort change it without reloading the page.
(function () {
  "use strict";
  var KEPT = ["f", "q", "sort", "dir"];
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.export-link") : null;
    if (!link) return;
    var params = new URLSearchParams();
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      if (KEPT.indexOf(key) >= 0) params.append(key, value);
    });
    params.set("format", link.getAttribute("data-format"));
    link.setAttribute("href", link.pathname + "?" + params.toString());
  });
})();

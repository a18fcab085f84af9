/* litmap: the search page of large sites, with Pagefind's UI (served from the site's pagefind/). */
(function () {
  "use strict";
  var el = document.getElementById("litmap-search");
  if (!el) return;
  if (!window.PagefindUI || location.protocol === "file:") {
    var note = document.createElement("p");
    note.textContent = "This search needs the site to be served over HTTP (for example `litmap serve`).";
    el.appendChild(note);
    return;
  }
  el.textContent = "";
  var ui = new PagefindUI({ element: "#litmap-search", bundlePath: el.dataset.bundle, showImages: false,
                            showSubResults: false, resetStyles: false, autofocus: true });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();

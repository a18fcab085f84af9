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
  /* A large site's index is in shards (pagefind/, pagefind/1/, ...): the others are merged into the
     first, each by its path from the host's root (Pagefind takes the pages' base from what precedes
     "pagefind" in it, as it does for the first). */
  var merged = (el.dataset.merge || "").split(" ").filter(Boolean).map(function (path) {
    return { bundlePath: new URL(el.dataset.bundle + path, location.href).pathname };
  });
  var ui = new PagefindUI({ element: "#litmap-search", bundlePath: el.dataset.bundle, showImages: false,
                            showSubResults: false, resetStyles: false, autofocus: true, mergeIndex: merged });
  var query = new URLSearchParams(location.search).get("q");
  if (query) ui.triggerSearch(query);
})();

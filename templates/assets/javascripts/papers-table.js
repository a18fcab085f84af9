/* litmap: sort and filter the "All papers" table. Without JavaScript the table is still complete. */
(function () {
  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var body = root.querySelector("tbody");
    var rows = Array.prototype.slice.call(body.rows);
    var filter = root.querySelector(".litmap-filter");
    var count = document.createElement("p");
    count.className = "litmap-count";
    count.setAttribute("aria-live", "polite");
    filter.hidden = false;
    filter.after(count);

    function applyFilter() {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var title = row.dataset.title;
        var match = words.every(function (w) { return title.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown++;
      });
      count.textContent = shown + " of " + rows.length + " papers";
    }

    function sortBy(th) {
      var key = th.dataset.sort;
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      root.querySelectorAll("th[data-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        if (x === y) return a.dataset.title < b.dataset.title ? -1 : 1;
        if (!x) return 1;           /* unknown values last, whatever the direction */
        if (!y) return -1;
        var order = key === "authors" ? Number(x) - Number(y) : (x < y ? -1 : 1);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }

    root.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(th); });
    });
    filter.addEventListener("input", applyFilter);
    applyFilter();
  }

  function init() { document.querySelectorAll("[data-litmap-table]").forEach(setup); }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();

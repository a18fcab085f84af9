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

    /* Sorting: titles alphabetically, authors by their number, dates in time order with the dates
       whose year is unknown (ISO "--MM-DD") after all dated papers, by month and day, in either
       direction; a paper without a value comes last whatever the direction. */
    function compare(key, x, y) {
      if (key === "authors") return Number(x) - Number(y);
      if (key === "title") return x.localeCompare(y);
      return x < y ? -1 : x > y ? 1 : 0;
    }

    function sortBy(th) {
      var key = th.dataset.sort;
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      root.querySelectorAll("th[data-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        if (!x !== !y) return x ? -1 : 1;           /* unknown values last, whatever the direction */
        if (key === "date" && x && (x.slice(0, 2) === "--") !== (y.slice(0, 2) === "--")) {
          return x.slice(0, 2) === "--" ? 1 : -1;  /* year unknown: after the dated papers */
        }
        var order = x && y ? compare(key, x, y) : 0;
        if (order === 0) return a.dataset.title.localeCompare(b.dataset.title);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }

    /* Each sortable heading holds a button (a control for keyboard and screen reader users); a
       click anywhere in the heading sorts too. */
    root.querySelectorAll("th[data-sort]").forEach(function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.addEventListener("click", function () { sortBy(th); });
    });
    filter.addEventListener("input", applyFilter);
    applyFilter();
  }

  function init() { document.querySelectorAll("[data-litmap-table]").forEach(setup); }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();

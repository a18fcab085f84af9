/* litmap: the global map, drawn with sigma.js (WebGL) from positions computed at build time.
 * Data comes from assets/map-data.js (window.LITMAP_MAP), so nothing is fetched and the page works
 * from file://. State lives in the URL: ?focus=<slug>&area=<area id>&year=<year|none>. */
(function () {
  "use strict";
  var data = window.LITMAP_MAP;
  var container = document.getElementById("litmap-map");
  if (!data || !container || !window.Sigma || !window.graphology) return;

  var root = container.dataset.root || "./";
  var fileSuffix = location.protocol === "file:" ? "index.html" : "";
  var controls = document.getElementById("litmap-map-controls");
  var searchBox = document.getElementById("litmap-map-search");
  var areaSelect = document.getElementById("litmap-map-area");
  var yearSelect = document.getElementById("litmap-map-year");
  var status = document.getElementById("litmap-map-status");
  var tooltip = document.getElementById("litmap-map-tooltip");
  var FADED = "#e3e3e3";

  var graph = new graphology.Graph({ type: "undirected", multi: false });
  data.nodes.forEach(function (n) {
    graph.addNode(n[0], {
      label: n[1], area: n[2], year: n[3], x: n[4], y: n[5],
      size: 2 + Math.sqrt(n[6]) * 1.4, color: data.areas[n[2]].colour
    });
  });
  data.edges.forEach(function (e) {
    var a = data.nodes[e[0]][0], b = data.nodes[e[1]][0];
    if (!graph.hasEdge(a, b)) graph.addEdge(a, b, { size: 0.4 + 2 * e[2], color: "#c8c8c8" });
  });
  var areaIndex = {};
  data.areas.forEach(function (a, i) { areaIndex[a.id] = i; });

  var state = { focus: null, hovered: null, area: "", year: "" };
  var params = new URLSearchParams(location.search);
  if (params.get("area") && params.get("area") in areaIndex) state.area = params.get("area");
  if (params.get("year")) state.year = params.get("year");
  if (params.get("focus") && graph.hasNode(params.get("focus"))) state.focus = params.get("focus");

  function visible(attrs) {
    if (state.area && attrs.area !== areaIndex[state.area]) return false;
    if (state.year === "none" && attrs.year !== null) return false;
    if (state.year && state.year !== "none" && String(attrs.year) !== state.year) return false;
    return true;
  }

  function highlighted() {
    var node = state.hovered || state.focus;
    if (!node) return null;
    var set = new Set(graph.neighbors(node));
    set.add(node);
    return set;
  }
  var lit = null;

  container.innerHTML = "";
  var renderer = new Sigma(graph, container, {
    labelRenderedSizeThreshold: 9,
    labelDensity: 0.35,
    hideEdgesOnMove: true,
    hideLabelsOnMove: true,
    labelGridCellSize: 140,
    zIndex: true,
    nodeReducer: function (node, attrs) {
      var out = Object.assign({}, attrs);
      if (!visible(attrs)) { out.hidden = true; return out; }
      if (lit && !lit.has(node)) { out.color = FADED; out.label = ""; out.zIndex = 0; }
      else if (lit) { out.zIndex = 1; out.forceLabel = true; }
      if (node === state.focus) { out.highlighted = true; out.size = attrs.size * 1.8; }
      return out;
    },
    edgeReducer: function (edge, attrs) {
      var out = Object.assign({}, attrs);
      var ends = graph.extremities(edge);
      if (!visible(graph.getNodeAttributes(ends[0])) || !visible(graph.getNodeAttributes(ends[1]))) {
        out.hidden = true;
      } else if (lit && !(lit.has(ends[0]) && lit.has(ends[1]) && (ends[0] === (state.hovered || state.focus) || ends[1] === (state.hovered || state.focus)))) {
        out.hidden = true;
      } else if (lit) { out.color = "#888"; }
      return out;
    }
  });

  if (window.performance && performance.mark) performance.mark("litmap-first-frame");

  /* Area names on the map, largest first; a name that would overlap one already placed is skipped. */
  var labelLayer = document.createElement("div");
  labelLayer.className = "litmap-map-labels";
  container.appendChild(labelLayer);
  var labelEls = data.areas.map(function (a) {
    var el = document.createElement("span");
    el.className = "litmap-map-label";
    el.textContent = a.name;
    labelLayer.appendChild(el);
    return el;
  });
  var order = data.areas.map(function (_, i) { return i; })
    .sort(function (i, j) { return data.areas[j].size - data.areas[i].size; });
  function placeLabels() {
    var boxes = [];
    order.forEach(function (i) {
      var a = data.areas[i], el = labelEls[i];
      if (state.area && state.area !== a.id) { el.hidden = true; return; }
      var p = renderer.graphToViewport({ x: a.x, y: a.y });
      var w = el.offsetWidth || a.name.length * 8, h = 18;
      var box = [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
      var clash = boxes.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
      el.hidden = clash;
      if (!clash) {
        boxes.push(box);
        el.style.transform = "translate(" + Math.round(box[0]) + "px," + Math.round(box[1]) + "px)";
      }
    });
  }
  renderer.on("afterRender", placeLabels);
  placeLabels();  /* sigma drew its first frame before this handler existed */

  function paperUrl(slug) { return root + "papers/" + encodeURIComponent(slug) + "/" + fileSuffix; }

  renderer.on("enterNode", function (e) {
    state.hovered = e.node; lit = highlighted();
    var attrs = graph.getNodeAttributes(e.node);
    tooltip.textContent = "";
    var title = document.createElement("strong");
    title.textContent = attrs.label;
    var area = document.createElement("span");
    area.textContent = data.areas[attrs.area].name + (attrs.year ? " · " + attrs.year : "");
    tooltip.appendChild(title); tooltip.appendChild(document.createElement("br")); tooltip.appendChild(area);
    tooltip.hidden = false;
    container.style.cursor = "pointer";
    renderer.refresh();
  });
  renderer.on("leaveNode", function () {
    state.hovered = null; lit = highlighted(); tooltip.hidden = true;
    container.style.cursor = ""; renderer.refresh();
  });
  renderer.getMouseCaptor().on("mousemovebody", function (e) {
    tooltip.style.transform = "translate(" + (e.x + 14) + "px," + (e.y + 14) + "px)";
  });
  renderer.on("clickNode", function (e) { location.href = paperUrl(e.node); });

  function saveState() {
    var p = new URLSearchParams();
    if (state.focus) p.set("focus", state.focus);
    if (state.area) p.set("area", state.area);
    if (state.year) p.set("year", state.year);
    var query = p.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    var shown = 0;
    graph.forEachNode(function (n, a) { if (visible(a)) shown++; });
    status.textContent = shown + " of " + graph.order + " papers shown";
  }

  function focusOn(slug, animate) {
    state.focus = slug; lit = highlighted();
    var d = renderer.getNodeDisplayData(slug);
    if (d) renderer.getCamera().animate({ x: d.x, y: d.y, ratio: 0.25 }, { duration: animate ? 500 : 0 });
    renderer.refresh();
    saveState();
  }

  function findByTitle(query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var best = null, bestRank = 3;
    graph.forEachNode(function (node, attrs) {
      var t = attrs.label.toLowerCase(), i = t.indexOf(q);
      if (i < 0) return;
      var rank = t === q ? 0 : i === 0 ? 1 : 2;
      if (rank < bestRank || (rank === bestRank && node < best)) { best = node; bestRank = rank; }
    });
    return best;
  }

  controls.hidden = false;
  areaSelect.value = state.area;
  yearSelect.value = state.year;
  controls.addEventListener("submit", function (e) {
    e.preventDefault();
    var found = findByTitle(searchBox.value);
    if (found) {
      if (!visible(graph.getNodeAttributes(found))) { state.area = ""; state.year = ""; areaSelect.value = ""; yearSelect.value = ""; }
      focusOn(found, true);
    } else {
      status.textContent = "No paper on the map has that in its title";
    }
  });
  searchBox.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); controls.requestSubmit(); }
  });
  /* Frames the papers left visible by the filters. */
  function frameVisible() {
    var xs = [], ys = [];
    graph.forEachNode(function (n, a) {
      var d = renderer.getNodeDisplayData(n);
      if (d && visible(a)) { xs.push(d.x); ys.push(d.y); }
    });
    if (!xs.length) return;
    var minX = Math.min.apply(null, xs), maxX = Math.max.apply(null, xs);
    var minY = Math.min.apply(null, ys), maxY = Math.max.apply(null, ys);
    var ratio = Math.min(1, Math.max(0.15, 1.4 * Math.max(maxX - minX, maxY - minY)));
    renderer.getCamera().animate({ x: (minX + maxX) / 2, y: (minY + maxY) / 2, ratio: ratio }, { duration: 400 });
  }
  areaSelect.addEventListener("change", function () {
    state.area = areaSelect.value; renderer.refresh(); saveState(); frameVisible();
  });
  yearSelect.addEventListener("change", function () { state.year = yearSelect.value; renderer.refresh(); saveState(); });

  if (state.focus) focusOn(state.focus, false); else saveState();
  window.litmapMap = { renderer: renderer, graph: graph, state: state, focusOn: focusOn, visible: visible };
})();

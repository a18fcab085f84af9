/* litmap: the global map, drawn with sigma.js (WebGL) from positions computed at build time.
 * Data comes from assets/map-data.js (window.LITMAP_MAP), so nothing is fetched and the page works
 * from file://. State lives in the URL: ?focus=<slug>&area=<area id>&year=<year|none>.
 * Performance marks (read by bench/map.py): litmap-start, litmap-graph, litmap-sigma, litmap-ready,
 * and litmap-first-frame once the browser has shown sigma's first frame (detail: nodes drawn). */
(function () {
  "use strict";
  function mark(name, detail) {
    if (window.performance && performance.mark) performance.mark(name, { detail: detail });
  }
  mark("litmap-start");
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

  /* The more papers, the smaller the dots and the fainter the lines, so a large map still shows its
   * areas rather than one blot; zooming in enlarges them (sigma scales sizes with the zoom). */
  var count = data.nodes.length;
  var scale = Math.max(0.35, Math.min(1, Math.sqrt(300 / Math.max(count, 1))));
  /* Stronger links darker (lines are one pixel wide); opaque, as sigma blends premultiplied colours. */
  var lightest = count > 1000 ? 228 : 212, span = count > 1000 ? 40 : 70;
  /* On a large map, links between two areas are drawn only for the paper hovered or found: the
   * thousands of long lines between areas would cover the map. */
  var hideAcross = count > 1000;
  function edgeColour(score) {
    var grey = Math.round(lightest - span * Math.min(1, score));
    return "rgb(" + grey + "," + grey + "," + grey + ")";
  }

  /* Titles drawn on the map are cut at a word near 50 characters; the tooltip shows them whole. */
  function short(title) {
    if (title.length <= 52) return title;
    var cut = title.lastIndexOf(" ", 48);
    return title.slice(0, cut > 30 ? cut : 48) + "…";
  }

  var graph = new graphology.Graph({ type: "undirected", multi: false });
  data.nodes.forEach(function (n) {
    graph.addNode(n[0], {
      label: short(n[1]), title: n[1], area: n[2], year: n[3], x: n[4], y: n[5],
      size: Math.max(1.5, (2 + Math.sqrt(n[6]) * 1.4) * scale), color: data.areas[n[2]].colour
    });
  });
  data.edges.forEach(function (e) {
    var a = data.nodes[e[0]][0], b = data.nodes[e[1]][0];
    if (!graph.hasEdge(a, b)) {
      graph.addEdge(a, b, { size: 1, color: edgeColour(e[2]), across: data.nodes[e[0]][2] !== data.nodes[e[1]][2] });
    }
  });
  mark("litmap-graph");
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
  var lit = highlighted();

  /* A paper's title on the map, on a white halo, unless it would cover an area name or a title
   * already drawn in this frame (sigma's label grid alone lets long titles run over each other). */
  var taken = [], viewWidth = Infinity;
  function collides(box) {
    for (var i = 0; i < taken.length; i++) {
      var b = taken[i];
      if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) return true;
    }
    return false;
  }
  function drawTitle(context, d, settings) {
    if (!d.label) return;
    var size = settings.labelSize, x = d.x + d.size + 3;
    context.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
    var box = [x - 2, d.y - size * 0.75, x + context.measureText(d.label).width + 2, d.y + size * 0.75];
    if (box[0] < 0 || box[2] > viewWidth || collides(box)) return;  /* whole titles only */
    taken.push(box);
    context.lineWidth = 3; context.lineJoin = "round"; context.strokeStyle = "rgba(255,255,255,0.9)";
    context.strokeText(d.label, x, d.y + size / 3);
    context.fillStyle = "#222";
    context.fillText(d.label, x, d.y + size / 3);
  }

  /* Dots as GL points and links as GL lines: one draw call each. Sigma's default programs draw one
   * instance per dot or link, which software WebGL (SwiftShader, used when there is no GPU) renders
   * some twenty times slower: 2,000 papers panned at a few frames a second. */
  var programs = Sigma.rendering || {};
  var fast = programs.NodePointProgram && programs.EdgeLineProgram ? {
    defaultNodeType: "point", nodeProgramClasses: { point: programs.NodePointProgram },
    defaultEdgeType: "line", edgeProgramClasses: { line: programs.EdgeLineProgram }
  } : {};
  var renderer;
  try {
    container.textContent = "";
    renderer = new Sigma(graph, container, Object.assign(fast, {
      /* Paper titles only where a dot is drawn large enough: the largest at the default zoom on a
       * small map, more as the reader zooms in; never while the map moves. */
      labelRenderedSizeThreshold: Math.max(3, 7 * scale),
      renderLabels: !!lit,
      labelDensity: 0.35,
      labelGridCellSize: count > 2000 ? 200 : 140,
      defaultDrawNodeLabel: drawTitle,
      hideEdgesOnMove: true,
      hideLabelsOnMove: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 3,
      zIndex: true,
      /* sigma hands the reducers a copy of the attributes: they change it in place */
      nodeReducer: function (node, out) {
        if (!visible(out)) { out.hidden = true; return out; }
        if (lit && !lit.has(node)) { out.color = FADED; out.label = ""; out.zIndex = 0; }
        else if (lit) { out.zIndex = 1; out.forceLabel = true; }
        if (node === state.focus) { out.highlighted = true; out.size = Math.max(out.size * 1.8, 6); }
        return out;
      },
      edgeReducer: function (edge, attrs) {
        var ends = graph.extremities(edge), centre = state.hovered || state.focus;
        if (!visible(graph.getNodeAttributes(ends[0])) || !visible(graph.getNodeAttributes(ends[1]))) {
          return { hidden: true };
        }
        if (lit) {
          if (ends[0] !== centre && ends[1] !== centre) return { hidden: true };
          attrs.color = "#555";
          return attrs;
        }
        if (hideAcross && attrs.across) return { hidden: true };
        return attrs;
      }
    }));
  } catch (error) {  /* no WebGL: the static picture of the map, as without scripts */
    container.textContent = "";
    var picture = document.createElement("img");
    picture.src = root + "assets/map.svg";
    picture.alt = "Static picture of the map: " + data.nodes.length + " papers coloured by area";
    picture.className = "litmap-map-static";
    container.appendChild(picture);
    return;
  }
  mark("litmap-sigma");
  /* Paper titles appear once the reader zooms in (or for the paper hovered or found and its
   * neighbours): at the default zoom the area names label the map, and titles would cover them. */
  var camera = renderer.getCamera(), TITLES_BELOW = 0.5;
  function titlesForZoom() {
    var want = camera.ratio < TITLES_BELOW || !!lit;
    if (renderer.getSetting("renderLabels") !== want) renderer.setSetting("renderLabels", want);
  }
  /* Sigma's constructor drew the first frame synchronously; the mark waits for the browser to show
   * it (the next animation frame, then a task: after that frame's paint). */
  (function () {
    var drawn = 0;
    graph.forEachNode(function (n) { if (renderer.getNodeDisplayData(n)) drawn++; });
    requestAnimationFrame(function () { setTimeout(function () { mark("litmap-first-frame", drawn); }, 0); });
  })();

  /* While the map is dragged, sigma would look for the dot under the pointer on every move, which
   * reads pixels back from the GPU and stalls each frame: nothing is hovered during a drag. */
  var captor = renderer.getMouseCaptor();
  var pick = renderer.getNodeAtPosition;
  renderer.getNodeAtPosition = function (position) {
    return captor.isMouseDown ? null : pick.call(renderer, position);
  };

  /* Area names on the map, largest areas first; a name that would overlap one already placed is left
   * out, so the largest areas are named at the default zoom and more appear as the reader zooms in.
   * Sizes are measured once (one layout), so placing them on each frame only writes. */
  var labelLayer = document.createElement("div");
  labelLayer.className = "litmap-map-labels";
  labelLayer.setAttribute("aria-hidden", "true");
  container.appendChild(labelLayer);
  var labelEls = data.areas.map(function (a) {
    var el = document.createElement("span");
    el.className = "litmap-map-label";
    el.textContent = a.name;
    labelLayer.appendChild(el);
    return el;
  });
  var labelSizes = null;
  var order = data.areas.map(function (_, i) { return i; })
    .sort(function (i, j) { return data.areas[j].size - data.areas[i].size || i - j; });
  var PAD = 4;
  function placeLabels() {
    if (!labelSizes) {
      labelSizes = labelEls.map(function (el) { return [el.offsetWidth, el.offsetHeight]; });
    }
    /* before sigma renders, its cached matrix is the last frame's: ask for the camera's state */
    var dims = renderer.getDimensions(), boxes = taken = [], now = { cameraState: camera.getState() };
    viewWidth = dims.width;
    order.forEach(function (i) {
      var a = data.areas[i], el = labelEls[i], size = labelSizes[i];
      var show = !state.area || state.area === a.id;
      var p = show && renderer.graphToViewport({ x: a.x, y: a.y }, now);
      var box = show && [p.x - size[0] / 2 - PAD, p.y - size[1] / 2 - PAD, p.x + size[0] / 2 + PAD, p.y + size[1] / 2 + PAD];
      if (show && (box[0] < 0 || box[2] > dims.width || box[1] < 0 || box[3] > dims.height)) show = false;
      if (show) show = !boxes.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
      if (show) {
        boxes.push(box);
        el.style.transform = "translate(" + Math.round(box[0] + PAD) + "px," + Math.round(box[1] + PAD) + "px)";
      }
      if (el.hidden === show) el.hidden = !show;
    });
  }
  renderer.on("beforeRender", placeLabels);  /* area names first: titles give way to them */
  camera.on("updated", titlesForZoom);

  function paperUrl(slug) { return root + "papers/" + encodeURIComponent(slug) + "/" + fileSuffix; }

  function hover(node) {
    state.hovered = node; lit = highlighted();
    titlesForZoom();
    renderer.refresh({ schedule: true });
  }
  renderer.on("enterNode", function (e) {
    var attrs = graph.getNodeAttributes(e.node);
    tooltip.textContent = "";
    var title = document.createElement("strong");
    title.textContent = attrs.title;
    var area = document.createElement("span");
    area.textContent = data.areas[attrs.area].name + (attrs.year ? " · " + attrs.year : "");
    tooltip.appendChild(title); tooltip.appendChild(document.createElement("br")); tooltip.appendChild(area);
    tooltip.hidden = false;
    container.style.cursor = "pointer";
    hover(e.node);
  });
  renderer.on("leaveNode", function () {
    tooltip.hidden = true;
    container.style.cursor = "";
    hover(null);
  });
  captor.on("mousemovebody", function (e) {
    if (!tooltip.hidden) tooltip.style.transform = "translate(" + (e.x + 14) + "px," + (e.y + 14) + "px)";
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
    titlesForZoom();
    renderer.refresh();
    var d = renderer.getNodeDisplayData(slug);
    if (d) renderer.getCamera().animate({ x: d.x, y: d.y, ratio: count > 2000 ? 0.1 : 0.25 }, { duration: animate ? 500 : 0 });
    saveState();
  }

  function findByTitle(query) {
    var q = query.trim().toLowerCase();
    if (!q) return null;
    var best = null, bestRank = 3;
    graph.forEachNode(function (node, attrs) {
      var t = attrs.title.toLowerCase(), i = t.indexOf(q);
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
  function frameVisible(animate) {
    var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    graph.forEachNode(function (n, a) {
      var d = renderer.getNodeDisplayData(n);
      if (!d || !visible(a)) return;
      if (d.x < minX) minX = d.x; if (d.x > maxX) maxX = d.x;
      if (d.y < minY) minY = d.y; if (d.y > maxY) maxY = d.y;
    });
    if (minX === Infinity) return;
    var ratio = Math.min(1, Math.max(0.05, 1.3 * Math.max(maxX - minX, maxY - minY)));
    renderer.getCamera().animate({ x: (minX + maxX) / 2, y: (minY + maxY) / 2, ratio: ratio }, { duration: animate ? 400 : 0 });
  }
  function filtersChanged() {
    state.area = areaSelect.value; state.year = yearSelect.value;
    if (state.focus && !visible(graph.getNodeAttributes(state.focus))) { state.focus = null; lit = highlighted(); titlesForZoom(); }
    renderer.refresh(); saveState(); frameVisible(true);
  }
  areaSelect.addEventListener("change", filtersChanged);
  yearSelect.addEventListener("change", filtersChanged);

  if (state.focus) focusOn(state.focus, false);
  else { if (state.area || state.year) frameVisible(false); saveState(); }
  placeLabels();
  mark("litmap-ready");
  window.litmapMap = { renderer: renderer, graph: graph, state: state, focusOn: focusOn, visible: visible };
})();

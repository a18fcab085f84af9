/* litmap: the global map, drawn with sigma.js (WebGL) from positions computed at build time.
 * Data comes from assets/map-data.js (window.LITMAP_MAP), so nothing is fetched and the page works
 * from file://. State lives in the URL: ?focus=<slug>&area=<area id>&year=<year|none>. The find
 * box's index of authors and key terms (assets/map-find.js) is loaded by a script tag on first use.
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
  var zoomButtons = document.getElementById("litmap-map-zoom");
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
  /* A finger covers several dots: a tap picks the nearest dot drawn within TAP_RADIUS pixels of it
   * (the dots themselves are a few pixels wide), not the one whose pixels happen to be under it. */
  var TAP_RADIUS = 24, touching = false, fingerDown = false;
  var pointer = { x: 0, y: 0 }, OFFSET = 14;
  container.addEventListener("pointerdown", function (e) { touching = e.pointerType !== "mouse"; }, true);
  /* while a finger is down (dragging, pinching) nothing is picked: only its lifting, a tap, picks;
   * these capturing listeners run before sigma's own on the same element */
  container.addEventListener("touchstart", function () { touching = true; fingerDown = true; }, { capture: true, passive: true });
  ["touchend", "touchcancel"].forEach(function (type) {
    container.addEventListener(type, function () { fingerDown = false; }, { capture: true, passive: true });
  });
  container.addEventListener("pointermove", function (e) {
    if (e.pointerType === "mouse") touching = false;
    pointer.x = e.clientX; pointer.y = e.clientY;
    if (!tooltip.hidden) placeTooltip();
  }, true);
  function nearest(position, radius) {
    var best = null, bestDistance = radius * radius;
    graph.forEachNode(function (n) {
      var d = renderer.getNodeDisplayData(n);
      if (!d || d.hidden) return;
      var p = renderer.framedGraphToViewport(d), dx = p.x - position.x, dy = p.y - position.y;
      var distance = dx * dx + dy * dy;
      if (distance < bestDistance || (distance === bestDistance && best !== null && n < best)) { best = n; bestDistance = distance; }
    });
    return best;
  }
  renderer.getNodeAtPosition = function (position) {
    if (touching) return fingerDown ? null : nearest(position, TAP_RADIUS);
    return captor.isMouseDown ? null : pick.call(renderer, position);
  };

  /* The tooltip is fixed to the window: placed from the pointer's window coordinates, beside it,
   * and kept inside the window (to the pointer's left, or above it, near the right or bottom edge). */
  function placeTooltip() {
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var x = pointer.x + OFFSET, y = pointer.y + OFFSET;
    if (x + w > window.innerWidth - 4) x = Math.max(4, pointer.x - OFFSET - w);
    if (y + h > window.innerHeight - 4) y = Math.max(4, pointer.y - OFFSET - h);
    tooltip.style.transform = "translate(" + Math.round(x) + "px," + Math.round(y) + "px)";
  }

  /* Area names on the map, largest areas first, each at its area's centre or, where that would overlap
   * a name already placed (or the zoom buttons, or the map's edge), at the nearest free place within
   * the area's spread (at least NEAR pixels) of it, or failing that further out: every area whose
   * centre is in view is named, and no other. Names that find no place are left out. Sizes are measured once (one layout), so placing
   * them on each frame only writes. */
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
  var PAD = 4, NEAR = 60, STEP = 10;
  var DIRECTIONS = [[0, -1], [0, 1], [-1, 0], [1, 0], [-1, -1], [1, -1], [-1, 1], [1, 1]];
  var buttonsBox = null;  /* the zoom buttons, in the map's coordinates: names stay clear of them */
  function measureButtons() {
    if (zoomButtons.hidden) return;
    var frame = container.getBoundingClientRect(), r = zoomButtons.getBoundingClientRect();
    buttonsBox = [r.left - frame.left - PAD, r.top - frame.top - PAD, r.right - frame.left + PAD, r.bottom - frame.top + PAD];
  }
  function overlaps(box, boxes) {
    return boxes.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
  }
  function placeLabels() {
    if (!labelSizes) {
      labelSizes = labelEls.map(function (el) { return [el.offsetWidth, el.offsetHeight]; });
    }
    /* before sigma renders, its cached matrix is the last frame's: ask for the camera's state */
    var dims = renderer.getDimensions(), boxes = taken = [], now = { cameraState: camera.getState() };
    var fixed = buttonsBox ? [buttonsBox] : [];
    viewWidth = dims.width;
    order.forEach(function (i) {
      var a = data.areas[i], el = labelEls[i], size = labelSizes[i], found = null;
      if (!state.area || state.area === a.id) {
        var p = renderer.graphToViewport({ x: a.x, y: a.y }, now);
        var edge = renderer.graphToViewport({ x: a.x + (a.spread || 0), y: a.y }, now);
        /* twice as far as the spread, if need be, where the map is small (a phone) */
        var reach = Math.max(NEAR, 1.5 * Math.abs(edge.x - p.x)) * (dims.width < 600 ? 2 : 1);
        /* an area is named where its centre is in view: there, if need be, at the nearest free place
         * further out; an area whose centre is out of view (zoomed in elsewhere) is not named */
        var inView = p.x >= 0 && p.x <= dims.width && p.y >= 0 && p.y <= dims.height;
        reach = inView ? Math.max(reach, Math.max(dims.width, dims.height)) : -1;
        for (var r = 0; r <= reach && !found; r += STEP) {
          for (var k = 0; k < (r ? DIRECTIONS.length : 1) && !found; k++) {
            var x = p.x + (r ? DIRECTIONS[k][0] * r : 0), y = p.y + (r ? DIRECTIONS[k][1] * r : 0);
            var box = [x - size[0] / 2 - PAD, y - size[1] / 2 - PAD, x + size[0] / 2 + PAD, y + size[1] / 2 + PAD];
            if (box[0] < 0 || box[2] > dims.width || box[1] < 0 || box[3] > dims.height) continue;
            if (!overlaps(box, boxes) && !overlaps(box, fixed)) found = box;
          }
        }
      }
      if (found) {
        boxes.push(found);
        el.style.transform = "translate(" + Math.round(found[0] + PAD) + "px," + Math.round(found[1] + PAD) + "px)";
      }
      if (el.hidden === !!found) el.hidden = !found;
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
    if (touching) return;  /* a tap opens the paper: no tooltip left behind */
    var attrs = graph.getNodeAttributes(e.node);
    tooltip.textContent = "";
    var title = document.createElement("strong");
    title.textContent = attrs.title;
    var area = document.createElement("span");
    area.textContent = data.areas[attrs.area].name + (attrs.year ? " · " + attrs.year : "");
    tooltip.appendChild(title); tooltip.appendChild(document.createElement("br")); tooltip.appendChild(area);
    var original = e.event && e.event.original;
    if (original && "clientX" in original) { pointer.x = original.clientX; pointer.y = original.clientY; }
    tooltip.hidden = false;
    placeTooltip();
    container.style.cursor = "pointer";
    hover(e.node);
  });
  renderer.on("leaveNode", function () {
    tooltip.hidden = true;
    container.style.cursor = "";
    hover(null);
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

  /* Accent-insensitive, as Pagefind is: decomposed (NFD), combining marks dropped, lower case. */
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = null;  /* per node: [title, authors, key terms], folded; once the index has come */
  function loadIndex(then) {
    if (window.LITMAP_MAP_FIND) return then();
    var script = document.createElement("script");
    script.src = container.dataset.find;
    script.onload = then;
    script.onerror = then;  /* titles alone, then */
    document.head.appendChild(script);
  }
  /* The best match: the title is the query, starts with it, holds it; an author's name or a key
   * term holds it; every word of the query is somewhere in the three. Ties go to the first slug. */
  function find(query) {
    var q = fold(query.trim());
    if (!q) return null;
    if (!folded) {
      var extra = window.LITMAP_MAP_FIND || [];
      folded = data.nodes.map(function (n, k) {
        return [fold(n[1]), fold((extra[k] || [])[0] || ""), fold((extra[k] || [])[1] || "")];
      });
    }
    var words = q.split(/\s+/), best = null, bestRank = 6;
    data.nodes.forEach(function (n, k) {
      var f = folded[k], t = f[0], i = t.indexOf(q), rank;
      if (t === q) rank = 0;
      else if (i === 0) rank = 1;
      else if (i > 0) rank = 2;
      else if (f[1].indexOf(q) >= 0) rank = 3;
      else if (f[2].indexOf(q) >= 0) rank = 4;
      else if (words.every(function (w) { return t.indexOf(w) >= 0 || f[1].indexOf(w) >= 0 || f[2].indexOf(w) >= 0; })) rank = 5;
      else return;
      if (rank < bestRank || (rank === bestRank && n[0] < best)) { best = n[0]; bestRank = rank; }
    });
    return best;
  }

  controls.hidden = false;
  areaSelect.value = state.area;
  yearSelect.value = state.year;
  controls.addEventListener("submit", function (e) {
    e.preventDefault();
    loadIndex(function () {
      var found = find(searchBox.value);
      if (found) {
        if (!visible(graph.getNodeAttributes(found))) { state.area = ""; state.year = ""; areaSelect.value = ""; yearSelect.value = ""; }
        focusOn(found, true);
      } else {  /* nothing found: no paper stays picked, nor in the URL */
        state.focus = null; lit = highlighted(); titlesForZoom(); renderer.refresh(); saveState();
        status.textContent = "No paper on the map matches “" + searchBox.value.trim() + "”";
      }
    });
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
    /* centred on the middle of the papers as drawn: the viewport's centre, and its share of the view */
    var target = { x: (minX + maxX) / 2, y: (minY + maxY) / 2, ratio: 1, angle: 0 };
    var dims = renderer.getDimensions();
    var a = renderer.framedGraphToViewport({ x: minX, y: minY }, { cameraState: target });
    var b = renderer.framedGraphToViewport({ x: maxX, y: maxY }, { cameraState: target });
    var share = Math.max(Math.abs(b.x - a.x) / dims.width, Math.abs(b.y - a.y) / dims.height);
    target.ratio = Math.min(1, Math.max(0.05, 1.15 * share));
    renderer.getCamera().animate(target, { duration: animate ? 400 : 0 });
  }
  function filtersChanged() {
    state.area = areaSelect.value; state.year = yearSelect.value;
    if (state.focus && !visible(graph.getNodeAttributes(state.focus))) { state.focus = null; lit = highlighted(); titlesForZoom(); }
    renderer.refresh(); saveState(); frameVisible(true);
  }
  areaSelect.addEventListener("change", filtersChanged);
  yearSelect.addEventListener("change", filtersChanged);

  /* Zoom in, zoom out, and back to the whole map (with the filters' papers framed). */
  zoomButtons.hidden = false;
  zoomButtons.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-zoom]");
    if (!button) return;
    var how = button.dataset.zoom;
    if (how === "in") camera.animatedZoom({ duration: 250 });
    else if (how === "out") camera.animatedUnzoom({ duration: 250 });
    else if (state.area || state.year) frameVisible(true);
    else camera.animatedReset({ duration: 300 });
  });
  measureButtons();
  window.addEventListener("resize", function () { labelSizes = null; measureButtons(); });

  /* The lists of papers below the map are the keyboard's way onto it: a paper's link, focused,
   * picks the paper on the map (Enter opens it). */
  document.addEventListener("focusin", function (e) {
    var link = e.target.closest && e.target.closest(".litmap-map-papers a[data-slug]");
    if (link && graph.hasNode(link.dataset.slug)) {
      if (!visible(graph.getNodeAttributes(link.dataset.slug))) {
        state.area = ""; state.year = ""; areaSelect.value = ""; yearSelect.value = ""; renderer.refresh();
      }
      focusOn(link.dataset.slug, true);
    }
  });

  if (state.focus) focusOn(state.focus, false);
  else { if (state.area || state.year) frameVisible(false); saveState(); }
  placeLabels();
  mark("litmap-ready");
  window.litmapMap = { renderer: renderer, graph: graph, state: state, focusOn: focusOn, visible: visible };
})();

/* litmap: draws a paper's local map from the JSON block of its figure (local-map.html.j2, made by
   generator/pages.py PaperViews.map_data), so every paper page shares this code instead of
   carrying the drawing's markup. Two drawings of the same papers as SVG links, the one that fits
   shown by litmap.css: the wide one (positions as given) and the narrow one for phones (rows as
   given, links as arcs on the left of the column of dots), then the caption that keys their lines
   and dots. The papers come by slug: their titles are the page's own links to them (the paper's
   is its heading). Labels are wrapped as generator/mapdata.py label_lines wraps them. Without
   JavaScript the figure stays hidden; the lists below it hold every paper it shows. */
(function () {
  var NS = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function num(v) { return String(Math.round(v * 10) / 10); }

  /* Python's textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False): words
     filled greedily, a word longer than a line broken to fill it; widths in code points. */
  function wrap(text, width) {
    var lines = [];
    text.split(/\r\n|\r|\n/).forEach(function (para) {
      var chunks = para.split(/(\s+)/).filter(function (c) { return c !== ""; })
        .map(function (c) { return Array.from(c); }).reverse();
      var made = [];
      while (chunks.length) {
        var line = [], len = 0;
        if (made.length && chunks[chunks.length - 1].join("").trim() === "") chunks.pop();
        while (chunks.length && len + chunks[chunks.length - 1].length <= width) {
          var c = chunks.pop(); line.push(c); len += c.length;
        }
        if (chunks.length && chunks[chunks.length - 1].length > width) {
          var long = chunks[chunks.length - 1], room = Math.max(width - len, 1);
          line.push(long.slice(0, room)); chunks[chunks.length - 1] = long.slice(room);
        }
        if (line.length && line[line.length - 1].join("").trim() === "") line.pop();
        if (line.length) made.push(line.map(function (c) { return c.join(""); }).join(""));
      }
      lines = lines.concat(made);
    });
    return lines;
  }

  /* mapdata.label_lines: the first line, then the rest on one line cut to the width with "…". */
  function labelLines(title, width) {
    var lines = wrap(title, width);
    if (lines.length < 2) return lines.length ? lines : [""];
    var second = Array.from(lines.slice(1).join(" "));
    return [lines[0], second.length <= width ? second.join("") : second.slice(0, width - 1).join("") + "…"];
  }

  /* A node: [slug, x, y, relation, score, stroke width, fill, label below?, narrow row y]. */
  /* The page's own link to a paper (in the offline build, to its index.html): its title and address. */
  function linkTo(n, article) {
    if (!n[0]) {
      n.name = article.querySelector("h1").textContent.trim();
      return;
    }
    var link = article.querySelector('a[href="../' + n[0] + '/"], a[href="../' + n[0] + '/index.html"]');
    n.name = link ? link.textContent.trim() : n[0];
    n.href = link ? link.getAttribute("href") : "../" + n[0] + "/";
  }

  function tooltip(n, d) {
    return n.name + " (" + d.names[n[3]] + ", score " + n[4].toFixed(2) + ")";
  }

  var STYLES = {related: " related", builds_on: " builds on (later → earlier)",
                mentions: " mentions (names the other’s method)"};

  function swatch(width, height, shape) {
    var svg = el("svg", {width: width, height: height, "aria-hidden": "true", focusable: "false"});
    svg.appendChild(shape);
    return svg;
  }

  function item(list, parts) {
    var li = document.createElement("li");
    parts.forEach(function (p) { li.append(p); });
    list.appendChild(li);
  }

  /* The key: the line styles drawn, the thin links between neighbours, the areas of the dots. */
  function key(k) {
    var caption = document.createElement("figcaption"), lines = document.createElement("ul"),
        dots = document.createElement("ul");
    caption.className = "litmap-local-key";
    k.styles.forEach(function (style) {
      item(lines, [swatch(32, 10, el("line", {x1: 1, y1: 5, x2: 31, y2: 5, "class": "litmap-edge litmap-edge-" + style,
                                              "stroke-width": 3})), STYLES[style]]);
    });
    item(lines, ["thicker: a stronger link to this paper"]);
    if (k.between) {
      item(lines, [swatch(32, 10, el("line", {x1: 1, y1: 5, x2: 31, y2: 5, "class": "litmap-between litmap-between-related"})),
                   " thin: a link between two of its neighbours"]);
    }
    item(dots, ["Dot colour, the paper’s area:"]);
    k.areas.forEach(function (area, i) {
      item(dots, [swatch(12, 12, el("circle", {cx: 6, cy: 6, r: 5.5, fill: area[0]})),
                  " " + area[1] + (i ? "" : " (this paper’s area)")]);
    });
    caption.appendChild(lines);
    caption.appendChild(dots);
    return caption;
  }

  function wide(d) {
    var w = d.size[0], h = d.size[1], nodes = d.nodes, c = nodes[0];
    var svg = el("svg", {viewBox: "0 0 " + w + " " + h, role: "group", "aria-labelledby": "local-map-title",
                         "class": "litmap-local-svg"});
    svg.appendChild(el("title", {id: "local-map-title"}, "Local map: papers linked to this one" +
      (d.columns[0] ? ", earlier on the left" : "") + (d.columns[1] ? ", later on the right" : "")));
    if (d.columns[0]) svg.appendChild(el("text", {x: num(w * 0.16), y: 16, "class": "litmap-local-head"}, "earlier"));
    if (d.columns[1]) svg.appendChild(el("text", {x: num(w * 0.84), y: 16, "class": "litmap-local-head"}, "later"));
    d.between.forEach(function (b) {
      var p = nodes[b[0]], q = nodes[b[1]];
      svg.appendChild(el("line", {x1: num(p[1]), y1: num(p[2]), x2: num(q[1]), y2: num(q[2]),
                                  "class": "litmap-between litmap-between-" + b[2]}));
    });
    nodes.slice(1).forEach(function (n) {
      svg.appendChild(el("line", {x1: num(c[1]), y1: num(c[2]), x2: num(n[1]), y2: num(n[2]),
                                  "class": "litmap-edge litmap-edge-" + n[3], "stroke-width": String(n[5])}));
    });
    nodes.slice(1).forEach(function (n) {
      var a = el("a", {href: n.href, "class": "litmap-local-node"});
      var x = num(n[1]), lines = labelLines(n.name, d.labels[0]), two = lines.length > 1;
      a.appendChild(el("title", {}, tooltip(n, d)));
      a.appendChild(el("circle", {cx: x, cy: num(n[2]), r: 7, fill: n[6]}));
      var text = el("text", {x: x, y: num(n[7] ? n[2] + 19 : n[2] - 12)});
      text.appendChild(el("tspan", !n[7] && two ? {x: x, dy: "-1.2em"} : {x: x}, lines[0]));
      if (two) text.appendChild(el("tspan", {x: x, dy: "1.2em"}, lines[1]));
      a.appendChild(text);
      svg.appendChild(a);
    });
    var self = el("g", {"class": "litmap-local-self"}), cx = num(c[1]);
    self.appendChild(el("circle", {cx: cx, cy: num(c[2]), r: 11, fill: c[6]}));
    var text = el("text", {x: cx, y: num(c[2] + 25)});
    labelLines(c.name, d.labels[1]).forEach(function (line, k) {
      text.appendChild(el("tspan", k ? {x: cx, dy: "1.2em"} : {x: cx}, line));
    });
    self.appendChild(text);
    svg.appendChild(self);
    return svg;
  }

  /* mapdata.narrow_arc: half an ellipse on the left of the column of dots. */
  function arc(dots, y1, y2) {
    var top = Math.min(y1, y2), bottom = Math.max(y1, y2), ry = (bottom - top) / 2, rx = Math.min(ry, dots - 6);
    return "M" + dots + " " + num(top) + "A" + rx.toFixed(1) + " " + ry.toFixed(1) + " 0 0 0 " + dots + " " + num(bottom);
  }

  function narrow(d) {
    var nw = d.narrow, width = nw[0], height = nw[1], dots = nw[2], step = nw[3], nodes = d.nodes;
    var svg = el("svg", {viewBox: "0 0 " + width + " " + num(height), role: "group",
                         "aria-labelledby": "local-map-title-narrow", "class": "litmap-local-narrow"});
    svg.appendChild(el("title", {id: "local-map-title-narrow"}, "Local map: papers linked to this one" +
      (d.columns[0] ? ", earlier above it" : "") + (d.columns[1] ? ", later below it" : "")));
    nw[4].forEach(function (head) {
      svg.appendChild(el("text", {x: dots + 14, y: num(head[1]), "class": "litmap-narrow-head"}, head[0]));
    });
    d.between.forEach(function (b) {
      svg.appendChild(el("path", {d: arc(dots, nodes[b[0]][8], nodes[b[1]][8]),
                                  "class": "litmap-between litmap-between-" + b[2]}));
    });
    nodes.slice(1).forEach(function (n) {
      svg.appendChild(el("path", {d: arc(dots, nodes[0][8], n[8]), "class": "litmap-edge litmap-edge-" + n[3],
                                  "stroke-width": String(n[5])}));
    });
    function label(n) {
      var text = el("text", {x: dots + 14, y: num(n[8] + 4)});
      labelLines(n.name, d.labels[2]).forEach(function (line, k) {
        text.appendChild(el("tspan", k ? {x: dots + 14, dy: String(step)} : {x: dots + 14}, line));
      });
      return text;
    }
    nodes.slice(1).forEach(function (n) {
      var a = el("a", {href: n.href, "class": "litmap-narrow-node"});
      a.appendChild(el("title", {}, tooltip(n, d)));
      a.appendChild(el("circle", {cx: dots, cy: num(n[8]), r: 7, fill: n[6]}));
      a.appendChild(label(n));
      svg.appendChild(a);
    });
    var self = el("g", {"class": "litmap-narrow-self"});
    self.appendChild(el("circle", {cx: dots, cy: num(nodes[0][8]), r: 10, fill: nodes[0][6]}));
    self.appendChild(label(nodes[0]));
    svg.appendChild(self);
    return svg;
  }

  document.querySelectorAll("figure.litmap-local").forEach(function (figure) {
    var block = figure.querySelector("script.litmap-local-data");
    if (!block || figure.querySelector("svg[role=group]")) return;
    var d = JSON.parse(block.textContent), article = figure.closest("article") || document;
    d.nodes.forEach(function (n) { linkTo(n, article); });
    figure.appendChild(wide(d));
    figure.appendChild(narrow(d));
    figure.appendChild(key(d.key));
    figure.classList.add("litmap-local-drawn");
  });
})();

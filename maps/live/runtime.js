/* strikemap live map runtime: basemaps, place labels, strikes and stacks, the selection,
   the legend, time playback and the offline notice.

   The base map calls strikemap.init(map, config) once; each view of the data calls
   strikemap.overlay(map, payload), which returns the layer group of the selection (the page
   replaces it on the next view). The strikes layer is kept while the strikes stay the same
   (same token), so a new selection does not redraw thousands of markers.

   Every text in config and payload arrives HTML-escaped from Python; this file only adds
   numbers, dates and fixed words. */
(function () {
  "use strict";
  var S = (window.strikemap = window.strikemap || {});
  var DAY_MS = 86400000;

  // ----------------------------------------------------------------------------------------
  // helpers

  function decode(text, Type) {
    var bin = atob(text || "");
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  function el(tag, className, html) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  function isoDay(day0, offset) {
    return new Date(day0 + offset * DAY_MS).toISOString().slice(0, 10);
  }

  function control(position, className, build) {
    var Ctl = L.Control.extend({
      options: { position: position },
      onAdd: function () {
        var div = el("div", className);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div);
        return div;
      },
    });
    return new Ctl();
  }

  // ----------------------------------------------------------------------------------------
  // init: panes, basemaps, labels, legend, playback, offline notice

  S.init = function (map, config) {
    S.timing = { init: Date.now() };  // when the map started and first drew its strikes
    S.map = map;
    S.config = config;
    S.basemap = null;
    S.tiles = {};
    S.strikes = null;
    S.groups = config.groups || {};
    var box = map.getContainer();
    box.classList.add("strikemap-map");
    if (window.self !== window.top) {
      // inside the app's frame: fill it, however tall the page makes it (until the frame has
      // its height, keep the height the page asked for, so the map draws at once)
      var fill = function () {
        if (window.innerHeight < 100 || box.style.height === "100vh") return;
        box.style.height = "100vh";
        map.invalidateSize(false);
      };
      fill();
      window.addEventListener("resize", fill);
    }
    var v = config.initialView;
    if (v && v.bounds) {
      map.fitBounds(v.bounds, { paddingTopLeft: [60, 50], paddingBottomRight: [70, 90], maxZoom: 11, animate: false });
    } else if (v && v.center) {
      map.setView(v.center, v.zoom, { animate: false });
    }
    creditLayers(map, config.attributions || {});
    keepViewInAddress(map);
    map.on("click", function (e) {
      // with the what-if probe on, a click on the map places it (the app hears of it)
      if (S.probeOn) S.send("strikemap:probe:" + e.latlng.lat.toFixed(5) + "," + e.latlng.lng.toFixed(5));
    });
    setupLabels(map, config.labels || {});
    setupLegend(map);
    setupPlayback(map);
    setupNotice(map);
    map.on("overlayadd overlayremove", renderLegend);
  };

  function creditLayers(map, credits) {
    // each catalogue layer credits its sources while it is on the map (Leaflet adds and
    // removes a layer's attribution with the layer)
    Object.keys(credits).forEach(function (name) {
      var group = S.groups[name];
      if (!group || !credits[name]) return;
      group.options.attribution = credits[name];
      if (map.hasLayer(group) && map.attributionControl) map.attributionControl.addAttribution(credits[name]);
    });
  }

  // ----------------------------------------------------------------------------------------
  // the map's place and zoom live in the page's address (center=lat,lon&zoom=z), written here
  // rather than by the app, so panning and zooming never rerun the app

  function keepViewInAddress(map) {
    var top;
    try {
      top = window.parent;
      if (top === window || !top.history || !top.location.href) return;
    } catch (error) {
      return;  // another origin: not the app's page
    }
    top.__strikemapWriteView = function () {
      if (!document.body.contains(map.getContainer())) return;
      var url = new URL(top.location.href), c = map.getCenter();
      url.searchParams.set("center", c.lat.toFixed(4) + "," + c.lng.toFixed(4));
      url.searchParams.set("zoom", String(map.getZoom()));
      if (url.href !== top.location.href) top.history.replaceState(top.history.state, "", url.href);
    };
    map.on("moveend", function () { top.__strikemapWriteView(); });
    // the app rewrites the address when the view's filters change: put the map's place back
    ["pushState", "replaceState"].forEach(function (name) {
      var original = top.history[name];
      if (original.__strikemap) return;
      var patched = function () {
        var result = original.apply(this, arguments);
        setTimeout(function () { if (top.__strikemapWriteView) top.__strikemapWriteView(); }, 0);
        return result;
      };
      patched.__strikemap = true;
      top.history[name] = patched;
    });
    top.__strikemapWriteView();
  }

  // ----------------------------------------------------------------------------------------
  // basemaps: the offline one is the countries layer filled; online ones are tile layers

  S.setBasemap = function (name) {
    var map = S.map, config = S.config;
    if (name === S.basemap || !(name in config.basemaps)) return;
    if (S.basemap !== null) {
      var previous = config.basemaps[S.basemap];
      if (previous) map.removeLayer(S.tiles[S.basemap]);
      else if (S.land) map.removeLayer(S.land);
    }
    hideNotice();
    var spec = config.basemaps[name];
    if (spec === null) {
      if (!S.land && config.countries) {
        S.land = L.geoJson(config.countries.toGeoJSON(), {
          pane: "basemap", interactive: false, renderer: L.canvas({ pane: "basemap" }),
          style: function () { return { fillColor: config.landColor, fillOpacity: 1, stroke: false }; },
        });
      }
      if (S.land) S.land.addTo(map);
      map.getContainer().style.background = config.seaColor;
    } else {
      if (!S.tiles[name]) S.tiles[name] = tileLayer(name, spec);
      S.tiles[name].addTo(map);
      map.getContainer().style.background = "";
    }
    S.basemap = name;
  };

  function tileLayer(name, spec) {
    var layer = L.tileLayer(spec.url, { attribution: spec.attribution, maxZoom: spec.maxZoom || 18 });
    layer._strikemapErrors = 0;
    layer._strikemapLoads = 0;
    layer.on("tileload", function () { layer._strikemapLoads += 1; hideNotice(); });
    layer.on("tileerror", function () {
      layer._strikemapErrors += 1;
      if (layer._strikemapErrors >= 2 && layer._strikemapLoads === 0 && S.basemap === name) showNotice(name);
    });
    return layer;
  }

  function setupNotice(map) {
    S.notice = control("topright", "strikemap-notice", function (div) {
      div.style.display = "none";
      S.noticeDiv = div;
    });
    S.notice.addTo(map);
  }

  function showNotice(name) {
    var div = S.noticeDiv, offline = S.config.offline;
    div.innerHTML = "";
    div.appendChild(el("span", "", "Map tiles of " + name + " do not load (no internet?). "));
    var button = el("button", "strikemap-notice-button", "Use the offline basemap");
    button.type = "button";
    button.onclick = function () {
      S.setBasemap(offline);
      S.send("strikemap:basemap:" + offline);
    };
    div.appendChild(button);
    div.style.display = "";
  }

  function hideNotice() {
    if (S.noticeDiv) S.noticeDiv.style.display = "none";
  }

  // ----------------------------------------------------------------------------------------
  // messages to the app: a click on a stand-in layer whose tooltip carries the message
  // (streamlit-folium reports the tooltip of the clicked layer to the app)

  S.send = function (message) {
    var target = S.channel || S.strikes && S.strikes.layer;
    if (!target) return;
    var messenger = L.circleMarker(S.map.getCenter()).bindTooltip(message);
    target.fire("click", { latlng: S.map.getCenter(), sourceTarget: messenger }, false);
  };

  S.select = function (index) {
    var st = S.strikes;
    if (!st) return;
    var messenger = L.circleMarker([st.lat[index], st.lon[index]]).bindTooltip(tooltipHtml(st, index));
    var target = st.layer || S.channel;
    target.fire("click", { latlng: L.latLng(st.lat[index], st.lon[index]), sourceTarget: messenger }, false);
  };

  // ----------------------------------------------------------------------------------------
  // place labels: larger places first, as many as fit without overlapping

  function setupLabels(map, labels) {
    map.createPane("labels").style.zIndex = 430;
    map.getPane("labels").style.pointerEvents = "none";
    S.labels = L.layerGroup([], { attribution: labels.attribution || "" });
    S.labelData = labels;
    S.labels.addTo(map);
    var pending = null;
    S.scheduleLabels = function () {
      // after the strikes' clusters have moved: they are obstacles for the labels
      if (pending) clearTimeout(pending);
      pending = setTimeout(placeLabels, 30);
    };
    map.on("zoomend moveend overlayadd", S.scheduleLabels);
    if (S.groups.places === undefined) S.groups.places = S.labels;
    S.scheduleLabels();
  }

  function strikeBoxes(map) {
    // the strikes drawn now (markers and stack counts), as boxes labels must not cover
    var boxes = [], st = S.strikes;
    if (!st || !st.layer || !st.layer._featureGroup) return boxes;
    st.layer._featureGroup.eachLayer(function (layer) {
      var p = map.latLngToContainerPoint(layer.getLatLng());
      var r = layer.getChildCount ? 16 : 8;
      boxes.push([p.x - r, p.y - r, p.x + r, p.y + r]);
    });
    return boxes;
  }

  function placeLabels() {
    var map = S.map, data = S.labelData, layer = S.labels;
    if (!map.hasLayer(layer)) return;
    layer.clearLayers();
    var zoom = map.getZoom(), size = map.getSize();
    var placed = strikeBoxes(map), obstacles = placed.length;
    var bounds = map.getBounds().pad(0.05);
    function fits(box, from) {
      if (box[0] < 0 || box[1] < 0 || box[2] > size.x || box[3] > size.y) return false;
      for (var k = from; k < placed.length; k++) {
        var b = placed[k];
        if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) return false;
      }
      return true;
    }
    function add(lat, lon, name, className, width, dot) {
      if (!bounds.contains([lat, lon])) return;
      var p = map.latLngToContainerPoint([lat, lon]);
      if (!dot) {
        var centred = [p.x - width / 2, p.y - 8, p.x + width / 2, p.y + 8];
        if (!fits(centred, 0)) return;
        placed.push(centred);
        layer.addLayer(labelMarker(lat, lon, className, "<span>" + name + "</span>"));
        return;
      }
      // the name right of its dot, else left, above or below (strikes may sit on the dot)
      var sides = [
        ["r", [p.x + 3, p.y - 8, p.x + 6 + width, p.y + 8]],
        ["l", [p.x - 6 - width, p.y - 8, p.x - 3, p.y + 8]],
        ["t", [p.x - width / 2, p.y - 26, p.x + width / 2, p.y - 10]],
        ["b", [p.x - width / 2, p.y + 10, p.x + width / 2, p.y + 26]],
        ["rr", [p.x + 18, p.y - 8, p.x + 21 + width, p.y + 8]],
        ["ll", [p.x - 21 - width, p.y - 8, p.x - 18, p.y + 8]],
        ["tt", [p.x - width / 2, p.y - 38, p.x + width / 2, p.y - 22]],
        ["bb", [p.x - width / 2, p.y + 22, p.x + width / 2, p.y + 38]],
      ];
      var dotBox = [p.x - 3, p.y - 3, p.x + 3, p.y + 3];
      if (!fits(dotBox, obstacles)) return;
      for (var s = 0; s < sides.length; s++) {
        if (fits(sides[s][1], 0)) {
          placed.push(sides[s][1]);
          placed.push(dotBox);
          layer.addLayer(labelMarker(lat, lon, className + " side-" + sides[s][0], "<i></i><span>" + name + "</span>"));
          return;
        }
      }
    }
    var places = data.places || [];
    for (var i = 0; i < places.length && placed.length < 400; i++) {
      var place = places[i];
      if (place[2] > zoom) continue;
      add(place[0], place[1], place[3], "strikemap-place strikemap-place-" + Math.min(place[2], 11), place[3].length * 6.4 + 4, true);
    }
    var countries = data.countries || [];
    if (zoom <= 7) {  // country names where the places leave room
      for (var c = 0; c < countries.length; c++) {
        var country = countries[c];
        add(country[0], country[1], country[2], "strikemap-country-label", country[2].length * 8 + 10, false);
      }
    }
  }

  function labelMarker(lat, lon, className, html) {
    return L.marker([lat, lon], {
      pane: "labels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: className, html: html, iconSize: null }),
    });
  }

  S.labelNames = function () {
    // the place names shown now (country names aside)
    return S.labels.getLayers().map(function (m) { return m.getElement(); }).filter(function (e) {
      return e && e.classList.contains("strikemap-place");
    }).map(function (e) { return e.textContent; });
  };

  // ----------------------------------------------------------------------------------------
  // strikes: circle markers in a cluster group (stacked ones show a count and spread on
  // click), a heat layer, or the outline of the region a strike is located to

  function buildStrikes(p) {
    var n = p.n;
    var st = {
      token: p.token, n: n, mode: p.mode, day0: Date.parse(p.day0 + "T00:00:00Z"),
      days: p.days, lat: decode(p.lat, Float32Array), lon: decode(p.lon, Float32Array),
      day: decode(p.day, Uint16Array), cls: decode(p.cls, Uint8Array), prec: decode(p.prec, Uint8Array),
      region: p.region ? decode(p.region, Int32Array) : null, palette: p.palette, classes: p.classes,
      precisions: p.precisions, names: p.names, popups: p.popups, regions: p.regions || [],
      shown: n, markers: [], outlines: [],
    };
    var pane = "strikes";
    if (p.mode === "heatmap") {
      st.layer = null;
      st.heatPoints = [];
      for (var h = 0; h < n; h++) st.heatPoints.push([st.lat[h], st.lon[h]]);
      st.group = L.layerGroup([], { attribution: p.attribution });
      withHeat(function () {
        st.layer = L.heatLayer(st.heatPoints, { radius: 12 });
        st.group.addLayer(st.layer);
      });
      return st;
    }
    var cluster = L.markerClusterGroup({
      maxClusterRadius: p.mode === "cluster" ? 60 : 14,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      zoomToBoundsOnClick: true,
      chunkedLoading: false,  // at once: chunks would wait behind the page's own work
      removeOutsideVisibleBounds: true,
      spiderLegPolylineOptions: { weight: 1.5, color: "#222", opacity: 0.6 },
      iconCreateFunction: stackIcon,
      attribution: p.attribution,
    });
    for (var i = 0; i < n; i++) {
      if (st.region && st.region[i] >= 0) { st.markers.push(null); continue; }
      var marker = L.circleMarker([st.lat[i], st.lon[i]], {
        radius: p.mode === "cluster" ? 6 : 7, color: "#222222", weight: 1,
        fillColor: st.palette[st.cls[i]], fillOpacity: st.precisions[st.prec[i]],
        className: "strikemap-strike", pane: pane,
      });
      marker._strike = i;
      if (st.popups) marker.bindPopup(st.popups[i], { maxWidth: 420 });
      st.markers.push(marker);
    }
    // the markers join the group once it is on the map: before, each would be checked against
    // all those waiting (quadratic: 20 s for 100,000)
    st.pending = st.markers.filter(Boolean);
    cluster.on("animationend spiderfied unspiderfied", function () { if (S.scheduleLabels) S.scheduleLabels(); });
    cluster.on("mouseover click", function (e) {
      var m = e.sourceTarget || e.layer;
      if (m && m._strike !== undefined && !m._tooltip) {
        m.bindTooltip(tooltipHtml(st, m._strike));
        if (e.type === "mouseover") m.openTooltip();
      }
    });
    st.layer = cluster;
    st.group = L.layerGroup([cluster]);
    for (var r = 0; r < st.regions.length; r++) st.outlines.push(regionOutline(st, st.regions[r]));
    st.outlines.forEach(function (o) { st.group.addLayer(o); });
    return st;
  }

  function stackIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? 26 : count < 100 ? 30 : count < 1000 ? 36 : 42;
    var ring = "#ffffff";
    if (count <= 50) {
      // the ring takes the colour most strikes of the stack have
      var tally = {}, best = 0;
      cluster.getAllChildMarkers().forEach(function (m) {
        var c = m.options.fillColor;
        tally[c] = (tally[c] || 0) + 1;
        if (tally[c] > best) { best = tally[c]; ring = c; }
      });
    }
    return L.divIcon({
      html: "<span style='border-color:" + ring + "'>" + count + "</span>",
      className: "marker-cluster strikemap-stack", iconSize: L.point(size, size),
    });
  }

  function tooltipHtml(st, i) {
    var date = isoDay(st.day0, st.day[i]);
    var what = st.classes[st.cls[i]] || "";
    var head = st.names ? "<b>" + st.names[i] + "</b><br>" : "";
    return head + date + " · " + what + " · location: " + (S.config.precisionLabels[st.prec[i]] || "") +
      "<span class='strikemap-ref' style='display:none'> [s:" + st.token + ":" + i + "]</span>";
  }

  function regionOutline(st, region) {
    var first = region.members[0];
    var layer = L.geoJson(region.geometry, {
      pane: "overlayPane",
      style: function () {
        return { color: st.palette[st.cls[first]], weight: 3, dashArray: "6 5", fill: false, opacity: 0.9, className: "strikemap-strike strikemap-region-strike" };
      },
    });
    layer._members = region.members;
    var count = region.members.length;
    var tip = count === 1 ? tooltipHtml(st, first)
      : count + " strikes located only to " + region.name + " (click for the list)";
    layer.bindTooltip(tip, { sticky: true });
    if (count > 1) {
      var list = el("div", "strikemap-region-list", "<b>" + count + " strikes located only to " + region.name + "</b>");
      region.members.forEach(function (i) {
        var item = el("a", "", isoDay(st.day0, st.day[i]) + " · " + (st.names ? st.names[i] : st.classes[st.cls[i]]));
        item.href = "#";
        item.onclick = function (ev) { ev.preventDefault(); S.map.closePopup(); S.select(i); };
        list.appendChild(el("div")).appendChild(item);
      });
      layer.bindPopup(list, { maxWidth: 360 });
    }
    return layer;
  }

  function withHeat(then) {
    if (L.heatLayer) { then(); return; }
    var script = document.createElement("script");
    script.src = S.config.heatUrl;
    script.onload = then;
    document.head.appendChild(script);
  }

  function setStrikes(p) {
    var map = S.map;
    if (S.strikes && S.strikes.token === p.token) {
      if (!map.hasLayer(S.strikes.group)) S.strikes.group.addTo(map);
      return false;
    }
    if (S.strikes) map.removeLayer(S.strikes.group);
    S.strikes = buildStrikes(p);
    S.strikes.group.addTo(map);
    if (S.strikes.pending) {
      S.strikes.layer.addLayers(S.strikes.pending);
      S.strikes.pending = null;
    }
    resetPlayback();
    if (S.scheduleLabels) S.scheduleLabels();
    return true;
  }

  // ----------------------------------------------------------------------------------------
  // the selection: ring, uncertainty circle, lines to linked assets, supply routes, and
  // affected countries outlined with their names (no fill: the map stays readable)

  function drawSelection(group, sel) {
    if (!sel) return;
    (sel.countries || []).forEach(function (c) {
      group.addLayer(L.geoJson(c.geometry, {
        interactive: false,
        style: function () {
          return { color: sel.countryColor, weight: c.tier === "affected" ? 3 : 2, dashArray: c.tier === "affected" ? null : "6 5", fill: false, className: "strikemap-affected strikemap-" + c.tier };
        },
      }));
      group.addLayer(L.marker(c.label, {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "strikemap-affected-label", html: "<span>" + c.name + " · " + c.tier + "</span>", iconSize: null }),
      }));
    });
    if (sel.region) {
      group.addLayer(L.geoJson(sel.region, { interactive: false, style: function () { return { color: sel.linkColor, weight: 3, dashArray: "2 6", fill: false }; } }));
    }
    (sel.routes || []).forEach(function (r) {
      group.addLayer(L.geoJson(r.geometry, {
        style: function () { return { color: sel.routeColor, weight: 7, opacity: 0.45, lineCap: "round", className: "strikemap-route" }; },
      }).bindTooltip(r.label, { sticky: true }));
    });
    (sel.links || []).forEach(function (k) {
      group.addLayer(L.polyline(k.coords, {
        color: sel.linkColor, weight: 3, opacity: 0.9, dashArray: k.confidence === "low" ? "5 5" : null,
        className: "strikemap-link",
      }).bindTooltip(k.label));
    });
    if (sel.radius) {
      group.addLayer(L.circle(sel.point, { radius: sel.radius, color: sel.linkColor, weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.06, interactive: false, className: "strikemap-uncertainty" }));
    }
    var ring = L.circleMarker(sel.point, {
      radius: 11, color: sel.linkColor, weight: 3, fill: false, className: "strikemap-selected", pane: "strikes",
    }).bindTooltip(sel.label);
    if (sel.chain) ring.bindPopup(sel.chain, { maxWidth: 460 });  // escaped HTML (maps.popups)
    group.addLayer(ring);
    if (sel.pan && !S.map.getBounds().contains(sel.point)) S.map.panTo(sel.point);
  }

  // ----------------------------------------------------------------------------------------
  // the legend: folded to a button; explains every symbol drawn (rows of hidden layers go)

  function setupLegend(map) {
    S.legendRows = [];
    S.legend = control("bottomright", "strikemap-legend folded", function (div) {
      var button = el("button", "strikemap-legend-toggle", "Legend");
      button.type = "button";
      button.title = "Show or hide the legend";
      var body = el("div", "strikemap-legend-body");
      button.onclick = function () { div.classList.toggle("folded"); };
      div.appendChild(button);
      div.appendChild(body);
      S.legendBody = body;
    });
    S.legend.addTo(map);
  }

  function swatch(row) {
    var c = row.color;
    switch (row.symbol) {
      case "line": return "<i class='sw-line' style='background:" + c + "'></i>";
      case "dash": return "<i class='sw-dash' style='border-color:" + c + "'></i>";
      case "route": return "<i class='sw-route' style='background:" + c + "'></i>";
      case "area": return "<i class='sw-area' style='border-color:" + c + "'></i>";
      case "area-dash": return "<i class='sw-area sw-area-dash' style='border-color:" + c + "'></i>";
      case "ring": return "<i class='sw-ring' style='border-color:" + c + "'></i>";
      case "circle": return "<i class='sw-circle' style='border-color:" + c + "'></i>";
      case "stack": return "<i class='sw-stack'>3</i>";
      case "label": return "<i class='sw-label'>Aa</i>";
      case "precision": return "<i class='sw-precision'>" + (row.opacities || []).map(function (o) {
        return "<b style='background:" + c + ";opacity:" + o + "'></b>";
      }).join("") + "</i>";
      default: return "<i class='sw-point' style='background:" + c + ";opacity:" + (row.opacity || 1) + "'></i>";
    }
  }

  function renderLegend() {
    if (!S.legendBody) return;
    var html = "", map = S.map;
    var present = {};
    if (S.strikes) for (var i = 0; i < S.strikes.n; i++) present[S.strikes.cls[i]] = true;
    (S.legendSections || []).forEach(function (section) {
      var rows = section.rows.filter(function (r) {
        if (r.cls !== undefined && r.cls !== null && !present[r.cls]) return false;
        var group = r.layer ? S.groups[r.layer] : null;
        return !group || map.hasLayer(group);
      });
      if (!rows.length) return;
      html += "<div class='strikemap-legend-section'><b>" + section.title + "</b>";
      rows.forEach(function (r) { html += "<div class='strikemap-legend-row'>" + swatch(r) + "<span>" + r.label + "</span></div>"; });
      html += "</div>";
    });
    S.legendBody.innerHTML = html;
  }

  // ----------------------------------------------------------------------------------------
  // time playback: strikes appear day by day (or week by week) through the time window

  function setupPlayback(map) {
    S.play = { playing: false, timer: null, t: null };
    S.playControl = control("bottomleft", "strikemap-play", function (div) {
      var button = el("button", "strikemap-play-button", "&#9654;");
      button.type = "button";
      button.title = "Play the time window";
      var step = el("select", "strikemap-play-step", "<option value='1'>day</option><option value='7' selected>week</option>");
      step.title = "Step";
      var speed = el("select", "strikemap-play-speed", "<option value='0.5'>&#215;&#189;</option><option value='1' selected>&#215;1</option><option value='2'>&#215;2</option><option value='4'>&#215;4</option><option value='8'>&#215;8</option>");
      speed.title = "Speed";
      var slider = el("input", "strikemap-play-slider");
      slider.type = "range";
      slider.min = 0;
      slider.max = 1;
      slider.value = 1;
      slider.title = "Drag through the time window";
      var label = el("span", "strikemap-play-date", "all dates");
      button.onclick = function () { if (S.play.playing) pause(); else play(); };
      slider.oninput = function () { pause(); showUntil(+slider.value); };
      speed.onchange = function () { if (S.play.playing) { pause(); play(); } };
      [button, step, speed, slider, label].forEach(function (n) { div.appendChild(n); });
      S.play.ui = { button: button, step: step, speed: speed, slider: slider, label: label };
    });
    S.playControl.addTo(map);
  }

  function resetPlayback() {
    pause();
    var st = S.strikes, ui = S.play.ui;
    if (!st || !ui) return;
    ui.slider.max = st.days;
    ui.slider.value = st.days;
    S.play.t = st.days;
    st.shown = st.n;
    ui.label.textContent = "all dates";
  }

  function play() {
    var st = S.strikes, ui = S.play.ui;
    if (!st) return;
    if (S.play.t === null || S.play.t >= st.days) showUntil(-1);
    S.play.playing = true;
    ui.button.innerHTML = "&#10074;&#10074;";
    ui.button.title = "Pause";
    var interval = 500 / parseFloat(ui.speed.value);
    S.play.timer = setInterval(function () {
      var next = S.play.t + parseInt(ui.step.value, 10);
      if (next >= st.days) { showUntil(st.days); pause(); return; }
      showUntil(next);
    }, interval);
  }

  function pause() {
    if (S.play.timer) clearInterval(S.play.timer);
    S.play.timer = null;
    S.play.playing = false;
    if (S.play.ui) { S.play.ui.button.innerHTML = "&#9654;"; S.play.ui.button.title = "Play the time window"; }
  }

  function upperBound(days, t) {
    var lo = 0, hi = days.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (days[mid] <= t) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function showUntil(t) {
    var st = S.strikes, ui = S.play.ui;
    if (!st) return;
    var k = upperBound(st.day, t);
    if (st.mode === "heatmap") {
      if (st.layer) st.layer.setLatLngs(st.heatPoints.slice(0, k));
    } else {
      var from = Math.min(k, st.shown), to = Math.max(k, st.shown);
      var change = st.markers.slice(from, to).filter(Boolean);
      if (k > st.shown) st.layer.addLayers(change);
      else if (k < st.shown) st.layer.removeLayers(change);
      st.outlines.forEach(function (o) {
        var visible = o._members.some(function (i) { return i < k; });
        if (visible && !st.group.hasLayer(o)) st.group.addLayer(o);
        if (!visible && st.group.hasLayer(o)) st.group.removeLayer(o);
      });
    }
    st.shown = k;
    S.play.t = t;
    ui.slider.value = Math.max(t, 0);
    ui.label.textContent = t >= st.days ? "all dates" : t < 0 ? "start" : "until " + isoDay(st.day0, t);
  }

  // ----------------------------------------------------------------------------------------
  // a view: basemap, strikes, legend and selection

  S.overlay = function (map, payload) {
    S.probeOn = Boolean(payload.selection && payload.selection.probe);
    if (payload.strikes) setStrikes(payload.strikes);  // the strikes first, then the rest
    S.setBasemap(payload.basemap);
    S.legendSections = payload.legend || [];
    renderLegend();
    var group = L.featureGroup();
    drawSelection(group, payload.selection);
    S.channel = group;
    if (S.timing && !S.timing.overlay) S.timing.overlay = Date.now();
    if (!S.ready) {
      // tell the app once the first strikes are drawn (it then draws its controls)
      S.ready = true;
      requestAnimationFrame(function () { setTimeout(function () { S.send("strikemap:ready"); }, 0); });
    }
    return group;
  };

  S.state = function () {
    var st = S.strikes;
    return {
      basemap: S.basemap, token: st ? st.token : null, total: st ? st.n : 0,
      shown: st ? st.shown : 0, playing: S.play.playing,
      date: S.play.ui ? S.play.ui.label.textContent : null,
      labels: S.labels ? S.labels.getLayers().length : 0,
    };
  };
})();

/* The complaint map: fetches the pins of the chosen period and draws them clustered,
   coloured by status, with each kecamatan's count at its centre point. No inline script:
   the settings come from the JSON block #map-config. */
(function () {
  "use strict";

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];
  var FALLBACK_CENTRE = [-2.33, 115.46];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function number(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  // "2026-11-30 14:05" (WITA) -> "30 Nov 2026 14.05 WITA"
  function wita(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text || "");
    if (!m) return text;
    return Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1] + " " + m[4] + "." + m[5] + " WITA";
  }

  function popup(row, data) {
    var box = el("div", "pin-popup");
    var link = el("a", "code", row[0]);
    link.href = data.link.replace("{code}", encodeURIComponent(row[0]));
    box.appendChild(link);
    box.appendChild(el("div", "", data.statuses[row[3]] || row[3]));
    box.appendChild(el("div", "", data.categories[row[4]] || row[4]));
    box.appendChild(el("div", "muted", "Diterima " + wita(row[5])));
    return box;
  }

  function start() {
    var holder = document.getElementById("map");
    var source = document.getElementById("map-config");
    var status = document.getElementById("map-status");
    if (!holder || !source) return;
    if (!window.L || !L.markerClusterGroup) {
      status.textContent = "Peta tidak dapat dimuat di peramban ini.";
      return;
    }
    var config = JSON.parse(source.textContent);
    var map = L.map(holder, { zoomControl: true, zoomSnap: 0.5, maxZoom: 19 });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.attribution || "" }).addTo(map);
    } else {
      holder.classList.add("no-tiles");
      map.attributionControl.setPrefix(false);
    }
    if (config.bounds) map.fitBounds(config.bounds);
    else map.setView(FALLBACK_CENTRE, 10);

    var icons = {};
    Object.keys(config.statuses).forEach(function (code) {
      icons[code] = L.divIcon({
        className: "pin-icon",
        html: '<span class="pin s-' + code + '"></span>',
        iconSize: [14, 14],
      });
    });
    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
    });
    var places = L.layerGroup();
    clusters.addTo(map);
    places.addTo(map);
    L.control.layers(null, { "Titik aduan": clusters, "Jumlah per kecamatan": places }, {
      collapsed: true,
    }).addTo(map);

    fetch(config.pins, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (data) {
        var markers = [];
        data.rows.forEach(function (row) {
          var icon = icons[row[3]];
          if (!icon) return;
          var marker = L.marker([row[1], row[2]], { icon: icon, title: row[0], keyboard: false });
          marker.bindPopup(function () { return popup(row, data); });
          markers.push(marker);
        });
        clusters.addLayers(markers);
        data.kecamatan.forEach(function (area) {
          // A label above the centre point, under the clusters, so it hides no pins.
          var icon = L.divIcon({
            className: "kec-icon",
            html: '<span class="kec-label"><b>' + escape(area.name) + "</b> " + number(area.total) + "</span>",
            iconSize: [0, 0],
          });
          L.marker([area.lat, area.lng], { icon: icon, zIndexOffset: -1000, keyboard: false, interactive: false })
            .addTo(places);
        });
        if (!config.bounds && markers.length) map.fitBounds(clusters.getBounds().pad(0.1));
        var text = number(data.count) + " titik aduan di peta";
        if (data.truncated) text += " (hanya yang terbaru; persempit periode untuk melihat semuanya)";
        status.textContent = text + ".";
      })
      .catch(function () {
        status.textContent = "Titik aduan gagal dimuat. Muat ulang halaman untuk mencoba lagi.";
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();

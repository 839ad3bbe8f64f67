// Dashboard charts: data from the page's JSON (#dash-data); a click on a bar opens the
// complaints it counts. Without Chart.js the tables below each chart say the same.
(function () {
  "use strict";

  // Long category names would squeeze the bars on a phone; the table has them in full.
  function shortLabel(value) {
    var text = this.getLabelForValue(value);
    return text.length > 18 ? text.slice(0, 17) + "…" : text;
  }

  function draw() {
    var source = document.getElementById("dash-data");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var series = data[canvas.getAttribute("data-chart")];
      if (!series || !series.values.length) {
        canvas.parentNode.hidden = true;
        return;
      }
      var horizontal = canvas.getAttribute("data-kind") === "hbar";
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: series.labels,
          datasets: [{ label: "Aduan", data: series.values, backgroundColor: "#3f85d6" }],
        },
        options: {
          indexAxis: horizontal ? "y" : "x",
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: horizontal
            ? {
                x: { beginAtZero: true, ticks: { precision: 0 } },
                y: { ticks: { autoSkip: false, callback: shortLabel } },
              }
            : {
                x: { ticks: { callback: shortLabel } },
                y: { beginAtZero: true, ticks: { precision: 0 } },
              },
          locale: "id-ID",
          onHover: function (event, elements) {
            event.native.target.style.cursor = elements.length ? "pointer" : "default";
          },
          onClick: function (event, elements) {
            if (elements.length) {
              window.location.href = series.urls[elements[0].index];
            }
          },
        },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

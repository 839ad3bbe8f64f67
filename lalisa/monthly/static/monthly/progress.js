// The monthly report page: follows files being made and offers the download when done.
(function () {
  "use strict";
  var EVERY_MS = 1500;

  function show(item, data) {
    var bar = item.querySelector("progress");
    var label = item.querySelector("[data-role=label]");
    var error = item.querySelector("[data-role=error]");
    var download = item.querySelector("[data-role=download]");
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    bar.hidden = !data.pending;
    label.textContent = data.status_label + (data.pending ? " " + data.progress + "%" : "");
    error.textContent = data.error || "";
    if (data.download_url && !download.querySelector("a")) {
      var link = document.createElement("a");
      link.href = data.download_url;
      link.setAttribute("download", "");
      link.textContent = "Unduh " + data.name;
      download.appendChild(link);
      if (data.size) {
        var size = document.createElement("span");
        size.className = "muted";
        size.textContent = " (" + data.size + ")";
        download.appendChild(size);
      }
    }
  }

  function follow(item) {
    var url = item.getAttribute("data-status-url");
    // A background request (lalisa.js, on every staff page): polling keeps no session alive.
    window.LaLisa.background(url)
      .then(function (response) {
        if (response.status === 403 || response.status === 404) return null;
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (data === null) return; // gone, or no longer ours to see
        show(item, data);
        if (data.pending) window.setTimeout(function () { follow(item); }, EVERY_MS);
      })
      .catch(function () {
        // Network hiccup: try again a little later.
        window.setTimeout(function () { follow(item); }, EVERY_MS * 4);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var added = document.querySelector(".report-files li.new");
    if (added) added.scrollIntoView({ block: "center" });
    document.querySelectorAll("[data-status-url][data-pending]").forEach(follow);
  });
})();

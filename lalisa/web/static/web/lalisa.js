/* LA-LISA staff pages: the inbox's live badge and the chat's canned replies. No framework. */
(function () {
  "use strict";

  var POLL_MS = 20000;
  var SOUND_KEY = "lalisa-sound";

  // A request the page makes by itself: the header tells the server it is no activity (it
  // does not keep the session alive). When the session has ended (401), to the login page.
  function background(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Lalisa-Background": "1" },
    }).then(function (response) {
      if (response.status !== 401) return response;
      return response.json().catch(function () { return {}; }).then(function (data) {
        var here = window.location.pathname + window.location.search;
        window.location.assign((data.login_url || "/masuk/") + "?next=" + encodeURIComponent(here));
        return new Promise(function () {}); // the page is leaving: nothing more to do
      });
    });
  }
  window.LaLisa = { background: background };

  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    var ctx = new Ctx();
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.15;
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.25);
    osc.onended = function () { ctx.close(); };
  }

  function live(box) {
    var badge = document.getElementById("live-badge");
    var toggle = document.getElementById("live-sound");
    var since = box.getAttribute("data-since");
    var url = box.getAttribute("data-url");
    var shown = 0;
    var soundOn = window.localStorage && localStorage.getItem(SOUND_KEY) === "1";

    function showToggle() {
      toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
      toggle.textContent = soundOn ? "Bunyi: nyala" : "Bunyikan";
    }
    toggle.addEventListener("click", function () {
      soundOn = !soundOn;
      if (window.localStorage) localStorage.setItem(SOUND_KEY, soundOn ? "1" : "0");
      if (soundOn) beep(); // a click allows audio from now on
      showToggle();
    });
    showToggle();
    badge.href = window.location.href;

    function poll() {
      background(url + "?since=" + encodeURIComponent(since))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          if (data.total > 0) {
            badge.textContent = data.total + " aduan/pesan baru";
            badge.hidden = false;
            if (soundOn && data.total > shown) beep();
          }
          shown = data.total;
        })
        .catch(function () { /* offline for a moment: try again next time */ });
    }
    window.setInterval(poll, POLL_MS);
  }

  function canned(select) {
    var target = document.getElementById(select.getAttribute("data-fills"));
    if (!target) return;
    select.addEventListener("change", function () {
      if (select.value) {
        target.value = select.value;
        target.focus();
      }
    });
  }

  // A desa list grouped by kecamatan shows only the group of the kecamatan chosen.
  function within(select) {
    var parent = document.getElementById(select.getAttribute("data-within"));
    if (!parent) return;
    function show() {
      var name = parent.selectedIndex >= 0 ? parent.options[parent.selectedIndex].text : "";
      var groups = select.getElementsByTagName("optgroup");
      for (var i = 0; i < groups.length; i++) {
        var mine = !parent.value || groups[i].label === name;
        groups[i].hidden = !mine;
        groups[i].disabled = !mine;
      }
      var chosen = select.options[select.selectedIndex];
      if (chosen && chosen.parentNode.disabled) select.value = "";
    }
    parent.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var grouped = document.querySelectorAll("select[data-within]");
    for (var j = 0; j < grouped.length; j++) within(grouped[j]);
    var box = document.getElementById("live");
    if (box) live(box);
    var selects = document.querySelectorAll("select[data-fills]");
    for (var i = 0; i < selects.length; i++) canned(selects[i]);
  });
})();

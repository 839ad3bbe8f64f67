/* Phone simulator for LA-LISA: plain JS, fetch + polling, no framework.
   The server builds every webhook body; this page only says what the person did. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("sim-config").textContent);
  const urls = config.urls;
  const $ = (id) => document.getElementById(id);
  const chatEl = $("chat");
  const STORE = "lalisa-simulator-me";
  const POLL_MS = 1000;

  let me = null;              // the contact being played
  let shown = new Map();      // message id → {sig, el}
  let lastDay = null;
  let quote = null;           // {wamid, text} of the message being answered
  let selected = null;        // message opened in the action sheet
  let listMsg = null, listPick = null;
  let photo = null;           // {blob, url}
  let pollTimer = null, polling = false, failures = 0;
  const readAsked = new Set();

  // --- small helpers -------------------------------------------------------------------

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  async function call(url, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (opts.json !== undefined) {
      opts.method = opts.method || "POST";
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(opts.json);
      delete opts.json;
    }
    if (opts.method && opts.method !== "GET") opts.headers["X-CSRFToken"] = csrf();
    opts.credentials = "same-origin";
    const response = await fetch(url, opts);
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok && data.ok === undefined) data.ok = false;
    if (!response.ok && !data.error) data.error = "Server menjawab HTTP " + response.status + ".";
    return data;
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function icon(name, cls) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    if (cls) svg.setAttribute("class", cls);
    const use = document.createElementNS(ns, "use");
    use.setAttribute("href", "#i-" + name);
    svg.appendChild(use);
    return svg;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // WhatsApp's formatting: *bold*, _italic_, ~strike~, ```mono```, and links. Escaped first.
  function formatted(text) {
    let html = escapeHtml(text || "");
    html = html.replace(/```([\s\S]+?)```/g, "<code>$1</code>");
    html = html.replace(/(^|[\s(])\*(?!\s)([^*\n]+?)\*(?=$|[\s.,!?:;)])/g, "$1<b>$2</b>");
    html = html.replace(/(^|[\s(])_(?!\s)([^_\n]+?)_(?=$|[\s.,!?:;)])/g, "$1<i>$2</i>");
    html = html.replace(/(^|[\s(])~(?!\s)([^~\n]+?)~(?=$|[\s.,!?:;)])/g, "$1<s>$2</s>");
    html = html.replace(/\bhttps?:\/\/[^\s<]+[^\s<.,!?:;)]/g, (u) => '<a href="' + u + '" target="_blank" rel="noopener">' + u + "</a>");
    return html;
  }

  // A quoted preview shows the words without WhatsApp's formatting marks.
  function plain(text) {
    return (text || "").replace(/```/g, "").replace(/(^|\s)[*_~]+|[*_~]+(?=\s|$|[.,!?:;])/g, "$1").replace(/\s+/g, " ");
  }

  function textBlock(text, cls) {
    const node = el("div", cls || "text");
    node.innerHTML = formatted(text);
    return node;
  }

  function toast(message, ok) {
    const t = $("toast");
    t.textContent = message;
    t.classList.toggle("ok", !!ok);
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, ok ? 2500 : 7000);
  }

  let serverToday = null;   // the service's date (WITA), for "Hari ini"

  function dayLabel(iso) {
    const d = new Date(iso + "T00:00:00Z");
    const today = serverToday ? new Date(serverToday + "T00:00:00Z") : d;
    const diff = Math.round((today - d) / 86400000);
    if (diff === 0) return "Hari ini";
    if (diff === 1) return "Kemarin";
    return d.toLocaleDateString("id-ID", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  function phoneLabel(waId) {
    if (!waId) return "";
    const local = waId.startsWith("62") ? "0" + waId.slice(2) : "+" + waId;
    // 0812-5123-4567, 0811-0000-003: groups of four, the rest at the end.
    return local.replace(/^(\d{4})(\d{3,4})(\d{3,5})$/, "$1-$2-$3");
  }

  // --- sheets --------------------------------------------------------------------------

  function openSheet(id) {
    document.querySelectorAll(".sheet").forEach((s) => { s.hidden = s.id !== id; });
    $("backdrop").hidden = false;
  }

  function closeSheets() {
    document.querySelectorAll(".sheet").forEach((s) => { s.hidden = true; });
    $("backdrop").hidden = true;
  }

  $("backdrop").addEventListener("click", () => { if (me) closeSheets(); });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && me) closeSheets(); });

  // --- who am I ------------------------------------------------------------------------

  function renderPicks(targetId, people) {
    const box = $(targetId);
    box.replaceChildren();
    people.forEach((person) => {
      const b = el("button", "pick");
      b.type = "button";
      const initials = (person.name || "?").replace(/^(H\.|Hj\.)\s*/, "").split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();
      b.append(el("span", "avatar", initials));
      const label = el("span");
      label.append(el("span", null, person.name));
      const detail = [person.note, person.phone ? phoneLabel(person.phone.replace(/^\+/, "").replace(/^0/, "62")) : "tanpa nomor"]
        .filter(Boolean).join(" · ");
      label.append(el("small", null, detail));
      b.append(label);
      b.addEventListener("click", () => choose(person));
      box.append(b);
    });
  }

  renderPicks("picks-citizens", config.citizens);
  renderPicks("picks-reporters", config.reporters);
  renderPicks("picks-staff", config.staff);
  $("reporters-block").hidden = !config.reporters.length;
  $("staff-block").hidden = !config.staff.length;

  async function choose(person) {
    const data = await call(urls.identity, {
      json: {
        name: person.name, phone: person.phone || "", user_id: person.user_id || "",
        username: person.username || "", hide_phone: !!person.hide_phone,
      },
    });
    if (!data.ok) { toast(data.error || "Gagal memilih pengguna."); return false; }
    localStorage.setItem(STORE, JSON.stringify(person));
    start(data.contact);
    return true;
  }

  $("who-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = e.target;
    choose({
      name: f.name.value.trim(), phone: f.phone.value.trim(), user_id: f.user_id.value.trim(),
      username: f.username.value.trim(), hide_phone: f.hide_phone.checked,
    });
  });

  function start(contact) {
    me = contact;
    const parts = [me.name];
    parts.push(me.hide_phone || !me.wa_id ? "tanpa nomor" : phoneLabel(me.wa_id));
    parts.push(me.user_id);
    $("me").textContent = "Anda: " + parts.join(" · ");
    chatEl.querySelectorAll(".msg, .day, .typing-bubble").forEach((n) => n.remove());
    shown = new Map(); lastDay = null; readAsked.clear();
    setQuote(null);
    closeSheets();
    poll();
  }

  $("btn-who").addEventListener("click", () => openSheet("sheet-who"));
  $("me").addEventListener("click", () => openSheet("sheet-who"));

  // --- polling and rendering -----------------------------------------------------------

  async function poll() {
    clearTimeout(pollTimer);
    if (!me) return;
    if (polling) return;
    polling = true;
    try {
      const data = await call(urls.chat + "?user_id=" + encodeURIComponent(me.user_id));
      if (data.ok) {
        failures = 0;
        serverToday = data.today;
        render(data.messages || []);
        setTyping(!!data.typing);
        markRead(data.messages || []);
      } else {
        failures++;
      }
    } catch (e) {
      failures++;
      if (failures === 3) toast("Tidak terhubung ke server simulator; mencoba lagi…");
    } finally {
      polling = false;
      const wait = document.hidden ? 5000 : (failures ? Math.min(POLL_MS * (failures + 1), 5000) : POLL_MS);
      pollTimer = setTimeout(poll, wait);
    }
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });

  function setTyping(on) {
    const status = $("biz-status");
    status.textContent = on ? "sedang mengetik…" : config.business.agency;
    status.classList.toggle("typing", on);
    let bubble = chatEl.querySelector(".typing-bubble");
    if (on && !bubble) {
      bubble = el("div", "typing-bubble");
      bubble.append(el("i"), el("i"), el("i"));
      chatEl.append(bubble);
      scrollDown(true);
    } else if (!on && bubble) {
      bubble.remove();
    }
  }

  // Follow new messages while the person is at the bottom; leave them be once they scroll up.
  let follow = true;

  function nearBottom() {
    return chatEl.scrollHeight - chatEl.scrollTop - chatEl.clientHeight < 120;
  }

  chatEl.addEventListener("scroll", () => { follow = nearBottom(); });

  function scrollDown(force) {
    if (force || follow) {
      chatEl.scrollTop = chatEl.scrollHeight;
      follow = true;
    }
  }

  function render(messages) {
    let added = false;
    messages.forEach((m) => {
      const sig = JSON.stringify([m.status, m.error, m.reaction_in, m.reaction_out, m.quote && m.quote.text]);
      const known = shown.get(m.id);
      if (known && known.sig === sig) return;
      const node = messageNode(m);
      if (known) {
        known.el.replaceWith(node);
      } else {
        if (m.date !== lastDay) {
          lastDay = m.date;
          insert(el("div", "day", dayLabel(m.date)));
        }
        insert(node);
        added = true;
      }
      shown.set(m.id, { sig: sig, el: node, data: m });
    });
    if (added) scrollDown(false);
  }

  function insert(node) {
    const typing = chatEl.querySelector(".typing-bubble");
    chatEl.insertBefore(node, typing);
  }

  function ticks(m) {
    const wrap = el("span", "meta");
    wrap.append(el("span", null, m.time));
    if (m.direction !== "in") return wrap;
    if (m.status === "failed") wrap.append(icon("alert", "tick-failed"));
    else if (m.status === "read") wrap.append(icon("check2", "tick-read"));
    else if (m.status === "delivered") wrap.append(icon("check2"));
    else if (m.status === "sent") wrap.append(icon("check"));
    else wrap.append(icon("clock", "tick-wait"));
    wrap.title = { failed: "Gagal: webhook menolak", read: "Dibaca layanan", delivered: "Diterima webhook layanan", sent: "Terkirim" }[m.status] || "Mengirim…";
    return wrap;
  }

  function messageNode(m) {
    const box = el("div", "msg " + (m.direction === "in" ? "in" : "out"));
    box.dataset.wamid = m.wamid;
    const bubble = el("div", "bubble");
    if (m.kind === "sticker") bubble.classList.add("sticker");

    if (m.quote) {
      const q = el("div", "quote" + (m.quote.mine ? " mine" : ""));
      q.append(el("b", null, m.quote.mine ? "Anda" : config.business.name));
      q.append(el("span", null, plain(m.quote.text)));
      bubble.append(q);
    }
    if (m.kind === "template") bubble.append(el("span", "tpl", "Templat · " + m.template));
    if (m.header) bubble.append(el("div", "header", m.header));

    if (m.kind === "media" || m.kind === "sticker") {
      if (m.media_type === "image" || m.media_type === "sticker") {
        const img = el("img", m.kind === "sticker" ? "" : "media");
        img.src = m.src; img.alt = m.label;
        img.addEventListener("load", () => scrollDown(false));  // it grew taller
        bubble.append(img);
      } else {
        bubble.append(el("div", "text", "[" + m.label + (m.filename ? ": " + m.filename : "") + "]"));
      }
      if (m.caption) bubble.append(textBlock(m.caption));
    } else if (m.kind === "location") {
      const loc = el("div", "loc");
      const map = el("div", "map"); map.append(icon("pin"));
      const info = el("div");
      info.append(el("div", "reply-title", m.name || "Lokasi"));
      if (m.address) info.append(el("small", null, m.address));
      info.append(el("small", null, Number(m.latitude).toFixed(5) + ", " + Number(m.longitude).toFixed(5)));
      loc.append(map, info);
      bubble.append(loc);
    } else if (m.kind === "reply") {
      bubble.append(el("div", "reply-title", m.title));
      if (m.description) bubble.append(el("div", "reply-desc", m.description));
    } else {
      bubble.append(textBlock(m.text));
    }
    if (m.footer) bubble.append(el("div", "footer", m.footer));
    bubble.append(ticks(m));
    bubble.addEventListener("click", (e) => { if (!e.target.closest("a")) openMessage(m); });
    box.append(bubble);

    const actions = actionButtons(m);
    if (actions) box.append(actions);
    const reaction = [m.reaction_in, m.reaction_out].filter(Boolean).join(" ");
    if (reaction) box.append(el("span", "reaction", reaction));
    if (m.error) box.append(el("div", "error", m.error));
    return box;
  }

  function actionButtons(m) {
    const wrap = el("div", "actions");
    if (m.kind === "buttons") {
      (m.buttons || []).forEach((b) => {
        const btn = el("button", null, b.title);
        btn.type = "button";
        btn.prepend(icon("reply"));
        btn.addEventListener("click", () => send({ kind: "button_reply", id: b.id, title: b.title, context_id: m.wamid }));
        wrap.append(btn);
      });
    } else if (m.kind === "list") {
      const btn = el("button", null, m.button || "Pilih");
      btn.type = "button";
      btn.prepend(icon("list"));
      btn.addEventListener("click", () => openList(m));
      wrap.append(btn);
    } else if (m.kind === "location_request") {
      const btn = el("button", null, "Kirim lokasi");
      btn.type = "button";
      btn.prepend(icon("pin"));
      btn.addEventListener("click", () => openSheet("sheet-location"));
      wrap.append(btn);
    } else if (m.kind === "template" && m.buttons && m.buttons.length) {
      m.buttons.forEach((b) => {
        const btn = el("button", null, b.title);
        btn.type = "button";
        if (b.type === "QUICK_REPLY") {
          btn.prepend(icon("reply"));
          btn.addEventListener("click", () => send({ kind: "template_button", payload: b.id || b.title, text: b.title, context_id: m.wamid }));
        } else {
          btn.disabled = true;
        }
        wrap.append(btn);
      });
    } else {
      return null;
    }
    return wrap;
  }

  // The service's messages count as read once this page shows them while visible.
  function markRead(messages) {
    if (document.hidden) return;
    const wamids = messages
      .filter((m) => m.direction === "out" && ["accepted", "sent", "delivered"].includes(m.status) && !readAsked.has(m.wamid))
      .map((m) => m.wamid);
    if (!wamids.length) return;
    wamids.forEach((w) => readAsked.add(w));
    call(urls.read, { json: { user_id: me.user_id, wamids: wamids } }).catch(() => wamids.forEach((w) => readAsked.delete(w)));
  }

  // --- sending -------------------------------------------------------------------------

  async function send(data) {
    if (!me) { openSheet("sheet-who"); return false; }
    const body = Object.assign({ user_id: me.user_id }, data);
    let result;
    try {
      result = await call(urls.send, { json: body });
    } catch (e) {
      toast("Tidak dapat menghubungi server simulator.");
      return false;
    }
    if (!result.ok) toast(result.error || "Pesan gagal dikirim.");
    await poll();
    scrollDown(true);
    return !!result.wamid;
  }

  $("compose").addEventListener("submit", async (e) => {
    e.preventDefault();
    const box = $("text");
    const text = box.value.trim();
    if (!text) return;
    const data = { kind: "text", text: text };
    if (quote) data.context_id = quote.wamid;
    $("btn-send").disabled = true;
    const sent = await send(data);
    $("btn-send").disabled = false;
    if (sent) { box.value = ""; grow(); setQuote(null); }
    box.focus();
  });

  const textBox = $("text");
  function grow() {
    textBox.style.height = "auto";
    textBox.style.height = Math.min(textBox.scrollHeight, 120) + "px";
  }
  textBox.addEventListener("input", grow);
  textBox.addEventListener("keydown", (e) => {
    // Enter sends on a desktop keyboard; Shift+Enter makes a new line.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && window.matchMedia("(pointer: fine)").matches) {
      e.preventDefault();
      $("compose").requestSubmit();
    }
  });

  function setQuote(q) {
    quote = q;
    $("quote-bar").hidden = !q;
    $("quote-text").textContent = q ? plain(q.text) : "";
  }
  $("quote-cancel").addEventListener("click", () => setQuote(null));

  // --- message actions: reply, react, resend --------------------------------------------

  function summary(m) {
    return m.text || m.title || m.caption || (m.kind === "location" ? "Lokasi: " + (m.name || "") : m.label) || "Pesan";
  }

  function openMessage(m) {
    selected = m;
    const box = $("reactions");
    box.replaceChildren();
    const mine = m.reaction_in;
    config.reactions.forEach((emoji) => {
      const b = el("button", emoji === mine ? "on" : "", emoji);
      b.type = "button";
      b.setAttribute("aria-label", "Reaksi " + emoji);
      b.addEventListener("click", () => {
        closeSheets();
        send({ kind: "reaction", message_id: m.wamid, emoji: emoji === mine ? "" : emoji });
      });
      box.append(b);
    });
    $("act-resend").hidden = m.direction !== "in";
    $("msg-detail").textContent = m.wamid + (m.status ? " · " + m.status : "");
    openSheet("sheet-msg");
  }

  $("sheet-msg").addEventListener("click", async (e) => {
    const act = e.target.closest("[data-act]");
    if (!act || !selected) return;
    closeSheets();
    if (act.dataset.act === "reply") {
      setQuote({ wamid: selected.wamid, text: summary(selected) });
      textBox.focus();
    } else if (act.dataset.act === "resend") {
      const result = await call(urls.resend, { json: { wamid: selected.wamid } });
      toast(result.ok ? "Dikirim ulang dengan wamid yang sama." : result.error, result.ok);
      poll();
    }
  });

  // --- lists ---------------------------------------------------------------------------

  function openList(m) {
    listMsg = m; listPick = null;
    $("list-title").textContent = m.button || "Pilih";
    const rows = $("list-rows");
    rows.replaceChildren();
    (m.sections || []).forEach((section) => {
      if (section.title) rows.append(el("div", "section-title", section.title));
      (section.rows || []).forEach((row) => {
        const b = el("button", "row-pick");
        b.type = "button";
        b.setAttribute("role", "radio");
        b.setAttribute("aria-checked", "false");
        const label = el("span");
        label.append(el("span", null, row.title));
        if (row.description) label.append(el("small", null, row.description));
        b.append(label, el("span", "dot"));
        label.style.flex = "1";
        b.addEventListener("click", () => {
          rows.querySelectorAll(".row-pick").forEach((r) => r.setAttribute("aria-checked", "false"));
          b.setAttribute("aria-checked", "true");
          listPick = row;
          $("list-send").disabled = false;
        });
        rows.append(b);
      });
    });
    $("list-send").disabled = true;
    openSheet("sheet-list");
  }

  $("list-send").addEventListener("click", () => {
    if (!listPick || !listMsg) return;
    closeSheets();
    const data = { kind: "list_reply", id: listPick.id, title: listPick.title, context_id: listMsg.wamid };
    if (listPick.description) data.description = listPick.description;
    send(data);
  });

  // --- attachments: photo, location, sticker ----------------------------------------------

  $("btn-attach").addEventListener("click", () => openSheet("sheet-attach"));
  $("sheet-attach").addEventListener("click", (e) => {
    const act = e.target.closest("[data-act]");
    if (!act) return;
    if (act.dataset.act === "photo") { closeSheets(); $("file").click(); }
    if (act.dataset.act === "location") openSheet("sheet-location");
    if (act.dataset.act === "sticker") openSheet("sheet-sticker");
  });

  config.places.forEach((place) => {
    const b = el("button", "place");
    b.type = "button";
    b.append(icon("pin"));
    const label = el("span");
    label.append(el("span", null, place.name));
    label.append(el("small", null, place.lat.toFixed(4) + ", " + place.lng.toFixed(4) + (place.address ? " · " + place.address : "")));
    b.append(label);
    b.addEventListener("click", () => {
      closeSheets();
      send({ kind: "location", latitude: place.lat, longitude: place.lng, name: place.name, address: place.address });
    });
    $("places").append(b);
  });

  $("latlng-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const f = e.target;
    const lat = parseFloat(f.lat.value.replace(",", "."));
    const lng = parseFloat(f.lng.value.replace(",", "."));
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      toast("Lintang/bujur tidak valid. Contoh: -2.3330 dan 115.4660.");
      return;
    }
    closeSheets();
    const data = { kind: "location", latitude: lat, longitude: lng };
    if (f.name.value.trim()) data.name = f.name.value.trim();
    send(data);
    f.reset();
  });

  config.stickers.forEach((sticker) => {
    const b = el("button");
    b.type = "button";
    const img = el("img");
    img.src = sticker.src; img.alt = "Stiker " + sticker.name.replace(/_/g, " ");
    b.append(img);
    b.addEventListener("click", () => { closeSheets(); send({ kind: "sticker", sticker: sticker.name }); });
    $("stickers").append(b);
  });

  // A phone photo is large: shrink it as WhatsApp does (longest side 1600 px, JPEG).
  function shrink(file) {
    return new Promise((resolve, reject) => {
      const img = new Image();
      const url = URL.createObjectURL(file);
      img.onload = () => {
        const scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
        const canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        const g = canvas.getContext("2d");
        g.fillStyle = "#fff"; g.fillRect(0, 0, canvas.width, canvas.height);
        g.drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob"))), "image/jpeg", 0.85);
      };
      img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("image")); };
      img.src = url;
    });
  }

  $("file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    try {
      const blob = await shrink(file);
      if (photo) URL.revokeObjectURL(photo.url);
      photo = { blob: blob, url: URL.createObjectURL(blob), name: (file.name || "foto").replace(/\.\w+$/, "") + ".jpg" };
      $("photo-preview").src = photo.url;
      $("photo-caption").value = "";
      openSheet("sheet-photo");
    } catch (err) {
      toast("Berkas ini tidak dapat dibaca sebagai foto.");
    }
  });

  $("photo-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!photo) return;
    closeSheets();
    const form = new FormData();
    form.append("file", photo.blob, photo.name);
    const uploaded = await call(urls.upload, { method: "POST", body: form });
    if (!uploaded.ok) { toast(uploaded.error || "Foto gagal diunggah."); return; }
    const data = { kind: "image", media_id: uploaded.media_id, caption: $("photo-caption").value.trim() };
    if (quote) { data.context_id = quote.wamid; setQuote(null); }
    send(data);
  });

  // --- menu: Graph API faults --------------------------------------------------------------

  const FAULTS = [
    { label: "Server Meta gagal (HTTP 500)", note: "kode 1 · sementara, dicoba ulang", rule: { http_status: 500, error_code: 1 } },
    { label: "Batas laju (HTTP 429)", note: "kode 130429 · dicoba ulang", rule: { http_status: 429, error_code: 130429 } },
    { label: "Terlalu sering ke warga ini", note: "kode 131056 · dicoba ulang", rule: { http_status: 400, error_code: 131056 } },
    { label: "Di luar jendela 24 jam", note: "kode 131047 · layanan memakai templat", rule: { http_status: 400, error_code: 131047 } },
    { label: "Diterima, lalu gagal terkirim", note: "status failed 131026 lewat webhook", rule: { http_status: 200, error_code: 131026 } },
  ];

  FAULTS.forEach((fault) => {
    const b = el("button", null, fault.label);
    b.type = "button";
    b.append(el("small", null, fault.note + " · 1 kiriman berikutnya"));
    b.addEventListener("click", async () => {
      const rule = Object.assign({ path_contains: "/messages", remaining: 1 }, fault.rule);
      const result = await call(urls.failures, { json: rule });
      toast(result.id ? "Gangguan dipasang untuk kiriman berikutnya." : "Gagal memasang gangguan.", !!result.id);
      refreshFaults();
    });
    $("faults").append(b);
  });

  async function refreshFaults() {
    const data = await call(urls.failures);
    const count = (data.data || []).reduce((n, r) => n + r.remaining, 0);
    $("fault-state").textContent = count ? "Gangguan aktif: " + count + " panggilan berikutnya akan gagal." : "Tidak ada gangguan aktif.";
  }

  $("faults-clear").addEventListener("click", async () => {
    await call(urls.failures, { method: "DELETE" });
    refreshFaults();
    toast("Semua gangguan dihapus.", true);
  });

  $("btn-menu").addEventListener("click", () => { refreshFaults(); openSheet("sheet-menu"); });

  // --- start ---------------------------------------------------------------------------

  $("biz-name").textContent = config.business.name;
  setTyping(false);

  (function boot() {
    // ?hp=0812…&nama=… (or ?bsuid=ID.…) picks the person from a link.
    const params = new URLSearchParams(location.search);
    if (params.get("hp") || params.get("bsuid")) {
      choose({
        name: params.get("nama") || "", phone: params.get("hp") || "", user_id: params.get("bsuid") || "",
        hide_phone: !params.get("hp"),
      });
      return;
    }
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (saved) choose(saved).then((ok) => { if (!ok) openSheet("sheet-who"); });
    else openSheet("sheet-who");
  })();
})();

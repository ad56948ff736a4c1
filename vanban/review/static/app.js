/* vanban review page: keyboard-first reviewing. The page's CSP allows this file only (no inline
   script, no eval); everything it writes goes through textContent, never HTML. */
"use strict";
(function () {
  var D = document;
  function $(sel, root) { return (root || D).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || D).querySelectorAll(sel)); }

  var meta = $('meta[name="csrf-token"]');
  var token = meta ? meta.getAttribute("content") : "";
  var who = $("#reviewer");
  var NAME_KEY = "vanban.reviewer";
  var DECIDED = {confirmed: true, dismissed: true};

  // ------------------------------------------------------------------ messages
  var toast = $("#toast"), toastTimer = 0;
  function say(text, isError) {
    if (!toast) { return; }
    toast.textContent = text;
    toast.className = "on" + (isError ? " error" : "");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { toast.className = ""; }, isError ? 7000 : 2500);
  }

  // ------------------------------------------------------------------ the reviewer's name
  function remember(name) { try { localStorage.setItem(NAME_KEY, name); } catch (e) { /* private mode */ } }
  var afterName = null;
  if (who) {
    try { who.value = localStorage.getItem(NAME_KEY) || ""; } catch (e) { /* private mode */ }
    who.addEventListener("change", function () { remember(who.value.trim()); });
  }
  function reviewer(then) {
    var name = who ? who.value.trim() : "";
    if (name) { remember(name); return name; }
    afterName = then;
    if (who) { who.parentElement.classList.add("missing"); who.focus(); }
    say("Hãy nhập tên người xem xét rồi nhấn Enter: kết quả xem xét được lưu kèm tên.", true);
    return "";
  }

  // ------------------------------------------------------------------ filters, help, folded lines
  $$("form.filters select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  var help = $("#help");
  function toggleHelp() {
    if (!help) { return; }
    if (help.open) { help.close(); } else { help.showModal(); }
  }
  $$('[data-act="help"]').forEach(function (b) { b.addEventListener("click", toggleHelp); });
  function reveal(el) {
    for (var d = el && el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) { d.open = true; }
  }
  function revealHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && D.getElementById(id);
    if (el) { reveal(el); el.scrollIntoView({block: "center"}); }
    return el;
  }
  window.addEventListener("hashchange", revealHash);

  // ------------------------------------------------------------------ findings
  var cards = $$("article.finding[data-fp]");
  var byFp = {};
  cards.forEach(function (c) { byFp[c.dataset.fp] = c; });
  var cur = -1, hop = -1;
  var undo = [];
  var queue = Promise.resolve();
  var progress = $("[data-role=done]");
  var done = progress ? parseInt(progress.textContent, 10) || 0 : 0;
  var noteForm = $("#note-form"), noteText = $("#note-text");
  var noteLabel = noteForm ? $("[data-role=note-label]", noteForm) : null;
  var pending = null;

  function run(fn) { queue = queue.then(fn).catch(function (e) { say("Lỗi trên trang: " + e, true); }); }
  function isOpen(c) { return !DECIDED[c.dataset.state]; }
  function marksOf(c) { return $$('[data-f~="' + CSS.escape(c.dataset.fp) + '"]'); }
  function anchorsOf(c) { return $$('[id^="e-' + CSS.escape(c.dataset.fp) + '-"]'); }

  function select(i, scroll) {
    if (i < 0 || i >= cards.length) { return; }
    if (cur >= 0) {
      cards[cur].classList.remove("cur");
      marksOf(cards[cur]).forEach(function (m) { m.classList.remove("cur"); });
    }
    cur = i; hop = -1;
    var c = cards[i];
    c.classList.add("cur");
    marksOf(c).forEach(function (m) { m.classList.add("cur"); });
    reveal(c);
    c.focus({preventScroll: true});
    if (scroll !== false) { c.scrollIntoView({block: "center"}); }
  }
  function move(step) {
    if (!cards.length) { return; }
    select(cur < 0 ? (step > 0 ? 0 : cards.length - 1) : Math.min(cards.length - 1, Math.max(0, cur + step)));
  }
  function advance() {
    for (var k = 1; k <= cards.length; k++) {
      var i = (cur + k) % cards.length;
      if (isOpen(cards[i])) { select(i); return; }
    }
    if (cur >= 0) { select(cur); }
    say(D.body.classList.contains("page-doc")
      ? "Đã xem xét hết các phát hiện của văn bản này. Nhấn n để sang văn bản tiếp theo."
      : "Đã xem xét hết các phát hiện trên trang này.");
  }
  function hopToPassage() {  // g: the passage, its other pieces of evidence, then back to the finding
    if (cur < 0) { return; }
    var c = cards[cur], anchors = anchorsOf(c);
    hop = hop + 1 >= anchors.length ? -1 : hop + 1;
    var el = hop < 0 ? c : anchors[hop];
    reveal(el);
    el.scrollIntoView({block: "center"});
    if (hop < 0) { c.focus({preventScroll: true}); }
  }

  function apply(r) {
    var c = byFp[r.fingerprint];
    if (!c) { return; }
    var was = DECIDED[c.dataset.state], now = DECIDED[r.state];
    done += (now ? 1 : 0) - (was ? 1 : 0);
    c.dataset.state = r.state;
    c.classList.toggle("decided", !!now);
    c.classList.remove("open");
    var badge = $("[data-role=state]", c);
    if (badge) { badge.className = "badge state-" + r.state; badge.textContent = r.state_label; badge.hidden = r.state === "open"; }
    var line = $("[data-role=decision]", c);
    if (line) {
      line.textContent = r.decision;
      line.hidden = !r.decision;
      line.classList.toggle("stale", r.state === "stale");
    }
    var sum = $("[data-role=summary]", c);
    if (sum) { sum.textContent = r.summary; }
    marksOf(c).forEach(function (m) {
      m.classList.toggle("done", m.dataset.f.split(" ").every(function (fp) { return !byFp[fp] || !isOpen(byFp[fp]); }));
    });
  }
  function showProgress() { if (progress) { progress.textContent = String(done); } }

  async function post(url, body) {
    var resp, data;
    try {
      resp = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
        body: JSON.stringify(body)
      });
      data = await resp.json();
    } catch (e) {
      say("Không lưu được: không kết nối được máy chủ.", true);
      return null;
    }
    if (!resp.ok) {
      say("Không lưu được: " + (data && data.error ? data.error : "máy chủ trả lỗi " + resp.status), true);
      return null;
    }
    return data;
  }

  async function decide(targets, state, note) {
    if (!targets.length) { return; }
    var name = reviewer(function () { run(function () { return decide(targets, state, note); }); });
    if (!name) { return; }
    var fps = targets.map(function (c) { return c.dataset.fp; });
    var data = await post("/api/review", {doc_id: targets[0].dataset.doc, fingerprints: fps, state: state, note: note || "", reviewer: name});
    if (!data) { return; }
    data.findings.forEach(apply);
    showProgress();
    undo.push({doc: targets[0].dataset.doc, fps: fps});
    say((state === "confirmed" ? "Đã xác nhận" : "Đã bác bỏ") + (fps.length > 1 ? " " + fps.length + " phát hiện." : ".") + " Nhấn u để hoàn tác.");
    advance();
  }

  async function takeBack() {
    var last = undo.pop();
    if (!last) { say("Không có kết quả xem xét nào để hoàn tác."); return; }
    var data = await post("/api/undo", {doc_id: last.doc, fingerprints: last.fps});
    if (!data) { undo.push(last); return; }
    data.findings.forEach(apply);
    showProgress();
    var first = cards.indexOf(byFp[last.fps[0]]);
    if (first >= 0) { select(first); }
    say("Đã hoàn tác.");
  }

  function group(c) {
    return cards.filter(function (x) { return x.dataset.doc === c.dataset.doc && x.dataset.rule === c.dataset.rule && isOpen(x); });
  }
  function askNote(targets) {
    if (!noteForm || !targets.length) { return; }
    pending = targets;
    var c = cards[cur] && targets.indexOf(cards[cur]) >= 0 ? cards[cur] : targets[0];
    c.classList.add("open");
    ($(".fb", c) || c).appendChild(noteForm);
    noteLabel.textContent = targets.length > 1
      ? "Ghi chú chung cho " + targets.length + " phát hiện chưa xem xét cùng quy tắc (lý do bác bỏ)"
      : "Ghi chú (lý do bác bỏ)";
    noteText.value = "";
    noteForm.hidden = false;
    noteText.focus();
  }
  function closeNote() {
    if (!noteForm || noteForm.hidden) { return; }
    noteForm.hidden = true;
    var c = noteForm.closest("article.finding");
    if (c && DECIDED[c.dataset.state]) { c.classList.remove("open"); }
    pending = null;
    if (cur >= 0) { cards[cur].focus({preventScroll: true}); }
  }
  function submitNote(state) {
    var targets = pending, note = noteText.value;
    closeNote();
    if (targets) { run(function () { return decide(targets, state, note); }); }
  }
  if (noteForm) {
    noteForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      submitNote(ev.submitter && ev.submitter.value ? ev.submitter.value : "dismissed");
    });
    $('[data-act="cancel"]', noteForm).addEventListener("click", closeNote);
  }

  function act(name, c) {
    var i = cards.indexOf(c);
    if (i >= 0 && i !== cur) { select(i, false); }
    if (name === "confirmed") { run(function () { return decide([c], "confirmed", ""); }); }
    else if (name === "dismissed") { askNote([c]); }
    else if (name === "group-confirmed") { var g = group(c); run(function () { return decide(g, "confirmed", ""); }); }
    else if (name === "group-dismissed") { askNote(group(c)); }
  }
  cards.forEach(function (c) {
    $$("button[data-act]", c).forEach(function (b) {
      b.addEventListener("click", function (ev) { ev.stopPropagation(); act(b.dataset.act, c); });
    });
    $(".fh", c).addEventListener("click", function () {
      select(cards.indexOf(c), false);
      if (DECIDED[c.dataset.state]) { c.classList.toggle("open"); }
    });
  });
  $$("mark.hl[data-f], .absent[data-f], a.ref[data-f]").forEach(function (m) {
    m.addEventListener("click", function (ev) {  // from the passage back to its finding
      ev.preventDefault();
      var fps = m.dataset.f.split(" ");
      var target = fps.map(function (fp) { return byFp[fp]; }).filter(Boolean);
      var open = target.filter(isOpen);
      var c = (open.length ? open : target)[0];
      if (c) { select(cards.indexOf(c)); }
    });
  });
  $$("a.place").forEach(function (a) {
    a.addEventListener("click", function (ev) {  // from the finding to its passage (on this page)
      if (a.pathname !== location.pathname) { return; }
      var el = D.getElementById(decodeURIComponent(a.hash.slice(1)));
      if (!el) { return; }
      ev.preventDefault();
      reveal(el);
      el.scrollIntoView({block: "center"});
    });
  });

  function follow(sel) { var a = $(sel); if (a) { location.href = a.href; } return !!a; }

  D.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    var t = ev.target;
    if (t === noteText) {
      if (ev.key === "Escape") { ev.preventDefault(); closeNote(); }
      else if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); submitNote("dismissed"); }
      return;
    }
    if (t === who) {
      if (ev.key === "Enter" || ev.key === "Escape") {
        ev.preventDefault();
        var then = afterName;
        afterName = null;
        if (who.value.trim()) { remember(who.value.trim()); who.parentElement.classList.remove("missing"); }
        if (cur >= 0) { cards[cur].focus({preventScroll: true}); } else { who.blur(); }
        if (then && ev.key === "Enter" && who.value.trim()) { then(); }
      }
      return;
    }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    if (help && help.open && ev.key !== "?") { return; }
    var c = cur >= 0 ? cards[cur] : null;
    var handled = true;
    switch (ev.key) {
      case "j": run(function () { move(1); }); break;
      case "k": run(function () { move(-1); }); break;
      case "c": if (c) { act("confirmed", c); } break;
      case "d": if (c) { act("dismissed", c); } break;
      case "C": if (c) { act("group-confirmed", c); } break;
      case "D": if (c) { act("group-dismissed", c); } break;
      case "u": run(takeBack); break;
      case "o": if (c) { c.classList.toggle("open"); } break;
      case "g": hopToPassage(); break;
      case "n": if (!follow("#next-todo")) { location.href = "/next"; } break;
      case "t": if (!follow("#tasks-link")) { follow("#back-link"); } break;
      case "v": follow("#view-link"); break;
      case "?": toggleHelp(); break;
      default: handled = false;
    }
    if (handled) { ev.preventDefault(); }
  });

  // where to start: the finding of the address, else the first one not yet decided
  var target = revealHash();
  var mine = target ? target.closest("article.finding") || $("article.finding", target.closest(".r") || D.createElement("i")) : null;
  if (mine && cards.indexOf(mine) >= 0) {
    select(cards.indexOf(mine), false);  // the finding of the address, or the one beside its line; the line stays in view
    target.scrollIntoView({block: "center"});
  } else if (cards.length) {
    var first = cards.findIndex(isOpen);
    select(first >= 0 ? first : 0, false);
  }
})();

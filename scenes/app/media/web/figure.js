/* attention-drift figure: playback the reader controls, steps from the chapters track,
   a reduced-motion stepper through the beat stills, and the numbers under the pointer.
   Works on every figure.adf of the page, once each; no globals but window.adfInit. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var made = 0;
  var HOLD = 0.05;  // seconds before a beat's end: its last frame, one caption showing

  function svg(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function f2(x) { return x === null || x === undefined ? "–" : x.toFixed(2); }
  function setBox(e, b, W, H, pad) {
    svg_set(e, { x: b[0] * W - pad, y: b[1] * H - pad,
      width: (b[2] - b[0]) * W + 2 * pad, height: (b[3] - b[1]) * H + 2 * pad });
  }
  function svg_set(e, attrs) {
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  }

  // ids unique on the page: a figure pasted twice gets its own
  function uniqueIds(fig) {
    fig.querySelectorAll("[id]").forEach(function (e) {
      var id = e.id;
      if (document.querySelectorAll('[id="' + id + '"]').length < 2) return;
      var fresh = id + "-" + (++made);
      e.id = fresh;
      fig.querySelectorAll("[aria-describedby],[aria-controls],[for]").forEach(function (r) {
        ["aria-describedby", "aria-controls", "for"].forEach(function (a) {
          if (r.getAttribute(a) === id) r.setAttribute(a, fresh);
        });
      });
    });
  }

  function init(fig) {
    if (fig.getAttribute("data-adf-ready")) return;
    fig.setAttribute("data-adf-ready", "1");
    uniqueIds(fig);
    var data = JSON.parse(fig.querySelector(".adf-data").textContent);
    var q = function (c) { return fig.querySelector(".adf-" + c); };
    var video = fig.querySelector("video"), still = q("still");
    var play = q("play"), scrub = q("scrub"), cc = q("cc"), label = q("step");
    var readout = q("readout"), spoken = q("spoken");
    var figure = data.figure || { beats: [], sentences: [], frame: [1, 1] };
    var beats = figure.beats;
    var steps = beats.map(function (b) { return { start: b.start, end: b.end, text: b.caption }; });
    var described = [];
    var reduce = !!(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
    var still_mode = reduce && data.stills.length > 0, at = 0, pinned = null;
    fig.setAttribute("data-adf-mode", still_mode ? "stills" : "video");
    video.controls = false;
    q("controls").hidden = false;

    function track(kind) {
      var els = video.querySelectorAll("track");
      for (var i = 0; i < els.length; i++) if (els[i].kind === kind) return els[i];
      return null;
    }
    function cues(el, use) {
      if (!el) return;
      el.track.mode = el.kind === "captions" ? el.track.mode : "hidden";
      var read = function () {
        if (el.track.cues && el.track.cues.length) use(Array.prototype.slice.call(el.track.cues));
        setupScrub();
        update();
      };
      if (el.readyState === 2) read(); else el.addEventListener("load", read);
    }
    cues(track("chapters"), function (c) {
      steps = c.map(function (x) { return { start: x.startTime, end: x.endTime, text: x.text }; });
    });
    cues(track("descriptions"), function (c) { described = c.map(function (x) { return x.text; }); });

    // a step's time: paused, the end of its beat (what the step did, as its still shows);
    // playing, its start
    function stepTime(i) {
      return video.paused ? Math.max(steps[i].start, steps[i].end - HOLD) : steps[i].start;
    }
    function current() {
      if (still_mode || at !== null && steps[at] && video.currentTime >= steps[at].start - 1e-3 &&
          video.currentTime < steps[at].end) return at;
      var t = video.currentTime, i = 0;
      while (i + 1 < steps.length && steps[i + 1].start <= t + 1e-3) i++;
      return i;
    }
    function go(i) {
      if (!steps.length) return;
      at = Math.max(0, Math.min(steps.length - 1, i));
      if (still_mode) {
        still.src = data.stills[Math.min(at, data.stills.length - 1)];
        still.alt = "Step " + (at + 1) + " of " + steps.length + ": " + (described[at] || steps[at].text);
      }
      else { video.currentTime = stepTime(at); }
      if (spoken) spoken.textContent = described[at] || steps[at].text;
      update();
    }
    function toggle() {
      if (still_mode) {  // the reader asks for motion: the video takes the still's place
        still_mode = false;
        fig.setAttribute("data-adf-mode", "video");
        still.hidden = true; video.hidden = false;
        if (steps[at]) video.currentTime = steps[at].start;
        setupScrub();
      }
      if (video.paused) video.play().catch(function () { update(); }); else video.pause();
      update();
    }
    function setupScrub() {
      if (still_mode) { svg_set(scrub, { min: 0, max: Math.max(steps.length - 1, 0), step: 1 }); }
      else { svg_set(scrub, { min: 0, max: video.duration || (steps.length ? steps[steps.length - 1].end : 0), step: "any" }); }
    }

    // ---- the numbers under the pointer
    var W = figure.frame[0], H = figure.frame[1];
    var layer = q("overlay");
    var hl = {}, hots = [];
    if (layer) {
      layer.setAttribute("viewBox", "0 0 " + W + " " + H);
      figure.sentences.forEach(function (s, si) {
        s.words.forEach(function (w) {
          if (w.weight === null) return;
          var name = w.text + ", sentence " + (si + 1) + ": score " + f2(w.score) +
            ", weight " + f2(w.weight) + ", term " + w.term;
          [["chip", w.chip], ["bar", w.bar], ["term", w.term_box]].forEach(function (p) {
            if (!p[1]) return;
            var r = svg("rect", { "class": "adf-hot adf-hot-" + p[0] }, layer);
            setBox(r, p[1], W, H, 1);
            hots.push({ el: r, kind: p[0], si: si, w: w });
            if (p[0] === "chip") {
              svg_set(r, { tabindex: "0", role: "button", "aria-label": name });
              r.addEventListener("focus", function () { show(si, w); });
              r.addEventListener("blur", function () { show(null); });
              r.addEventListener("click", function () { pinned = pinned === w ? null : w; show(si, w); });
            } else {
              r.setAttribute("aria-hidden", "true");
            }
            r.addEventListener("pointerenter", function () { show(si, w); });
            r.addEventListener("pointerleave", function () { show(null); });
          });
          if (w.point) {
            var c = svg("circle", { "class": "adf-hot adf-hot-point", "aria-hidden": "true",
              cx: w.point[0] * W, cy: w.point[1] * H, r: 10 }, layer);
            c.addEventListener("pointerenter", function () { show(si, w); });
            c.addEventListener("pointerleave", function () { show(null); });
          }
        });
      });
      ["chip", "bar", "term"].forEach(function (k) { hl[k] = svg("rect", { "class": "adf-hl adf-hl-" + k, rx: 4, hidden: "" }, layer); });
      hl.trail = svg("line", { "class": "adf-hl adf-hl-trail", hidden: "" }, layer);
      hl.point = svg("circle", { "class": "adf-hl adf-hl-point", hidden: "" }, layer);
    }
    var shown = null;
    function beat() { return beats[Math.min(current(), beats.length - 1)] || {}; }
    function visible(kind, si) {
      var b = beat();
      return kind === "chip" || (kind === "bar" ? b.panel === si : b.equation === si);
    }
    function show(si, w) {
      if (si === null && pinned) return;
      shown = si === null ? null : [si, w];
      Object.keys(hl).forEach(function (k) { hl[k].setAttribute("hidden", ""); });
      fig.removeAttribute("data-adf-word");
      if (si === null) { readout.textContent = ""; return; }
      var b = beat(), s = figure.sentences[si];
      ["chip", "bar", "term"].forEach(function (k) {
        var box = w[k === "chip" ? "chip" : k === "bar" ? "bar" : "term_box"];
        if (box && visible(k, si)) { setBox(hl[k], box, W, H, 3); hl[k].removeAttribute("hidden"); }
      });
      if (w.point) {
        var pb = w.point_box, rad = Math.max((pb[2] - pb[0]) * W, (pb[3] - pb[1]) * H) / 2 + 5;
        svg_set(hl.point, { cx: w.point[0] * W, cy: w.point[1] * H, r: rad });
        hl.point.removeAttribute("hidden");
      }
      var k = w.weights.findIndex(function (x) { return x !== null; });
      if (k > 0 && (b.trails ? b.trails[si] >= k : true)) {
        svg_set(hl.trail, { x1: s.tips[k - 1][0] * W, y1: s.tips[k - 1][1] * H,
          x2: s.tips[k][0] * W, y2: s.tips[k][1] * H });
        hl.trail.removeAttribute("hidden");
      }
      var now = b.sentence === si && b.step !== null ? w.weights[b.step] : null;
      fig.setAttribute("data-adf-word", si + ":" + w.index);
      readout.textContent = "“" + w.text + "” (sentence " + (si + 1) + "): score " + f2(w.score) +
        (now !== null && now !== undefined ? ", weight now " + f2(now) : "") +
        ", final weight " + f2(w.weight) + ", term " + w.term + ".";
    }

    function update() {
      var i = current(), n = steps.length, p = still_mode || video.paused;
      play.textContent = p ? "▶" : "❚❚";
      play.setAttribute("aria-label", p ? "Play" : "Pause");
      label.textContent = n ? "Step " + (i + 1) + " of " + n + ": " + steps[i].text : "";
      scrub.value = still_mode ? i : video.currentTime;
      scrub.setAttribute("aria-valuetext", still_mode ? "step " + (i + 1) + " of " + n :
        video.currentTime.toFixed(1) + " s, step " + (i + 1) + " of " + n);
      hots.forEach(function (h) { h.el.style.display = visible(h.kind, h.si) ? "" : "none"; });
      if (shown) show(shown[0], shown[1]);
    }

    q("prev").addEventListener("click", function () { go(current() - 1); });
    q("next").addEventListener("click", function () { go(current() + 1); });
    play.addEventListener("click", toggle);
    scrub.addEventListener("input", function () {
      if (still_mode) go(Math.round(+scrub.value)); else { at = null; video.currentTime = +scrub.value; }
    });
    cc.addEventListener("click", function () {
      var on = cc.getAttribute("aria-pressed") !== "true";
      cc.setAttribute("aria-pressed", on ? "true" : "false");
      var t = track("captions");
      if (t) t.track.mode = on ? "showing" : "hidden";
    });
    fig.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      var tag = e.target.tagName;
      if (e.key === "k" || e.key === "K" || (e.key === " " && tag !== "BUTTON")) {
        e.preventDefault(); toggle();
      } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        e.preventDefault(); go(current() + (e.key === "ArrowRight" ? 1 : -1));
      }
    });
    ["play", "pause", "seeked", "timeupdate", "loadedmetadata"].forEach(function (ev) {
      video.addEventListener(ev, function () { if (ev === "loadedmetadata") setupScrub(); if (ev === "play") at = null; update(); });
    });
    if (still_mode) {  // nothing moves on its own: the poster, then the beat stills
      video.pause(); video.hidden = true; still.hidden = false;
      video.preload = "none";
    } else if (!reduce) {  // the pause control is on screen before the first frame moves
      video.muted = true; video.loop = true;
      video.play().catch(function () { update(); });
    }
    setupScrub();
    update();
  }

  window.adfInit = function () { document.querySelectorAll("figure.adf").forEach(init); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", window.adfInit);
  else window.adfInit();
})();

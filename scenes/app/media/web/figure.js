/* attention-drift figure: playback the reader controls, steps from the chapters, stills for
   reduced motion, the numbers under the pointer. Each figure.adf once; one global, adfInit. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var made = 0;
  var HOLD = 0.05;  // seconds before a beat's end: its last frame, one caption showing

  function svg(tag, attrs, parent) {
    var e = document.createElementNS(SVG, tag);
    svg_set(e, attrs);
    return parent ? parent.appendChild(e) : e;
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
      fig.querySelectorAll('[aria-describedby="' + id + '"]').forEach(function (r) {
        r.setAttribute("aria-describedby", fresh);
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
    var figure = data.figure || { beats: [], sentences: [], elements: [], frame: [1, 1] };
    var beats = figure.beats;
    var steps = beats.map(function (b) { return { start: b.start, end: b.end, text: b.caption }; });
    var described = [];
    var reduce = !!(window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches);
    var still_mode = reduce && data.stills.length > 0, at = 0, pinned = null;
    fig.setAttribute("data-adf-mode", still_mode ? "stills" : "video");
    video.controls = false;
    q("controls").hidden = false;

    function track(kind) { return video.querySelector('track[kind="' + kind + '"]'); }
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
      // (a looping video sought to where it stands, at its end, goes back to 0)
      else if (Math.abs(video.currentTime - stepTime(at)) > 1e-3) video.currentTime = stepTime(at);
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
      var n = steps.length;
      svg_set(scrub, still_mode ? { min: 0, max: Math.max(n - 1, 0), step: 1 } :
        { min: 0, max: video.duration || (n ? steps[n - 1].end : 0), step: "any" });
    }

    // ---- the numbers under the pointer: hot regions and highlights are the model's elements
    // (kind, box, anchor, segments, tokens, shown beats), numbers the plan's (sentences[].words)
    var W = figure.frame[0], H = figure.frame[1];
    var layer = q("overlay");
    var hl = {}, hots = [], words = {}, byWord = {};
    // an element's kind -> the highlight it takes part in (a box round those shown; a ring
    // round the word's point, its trail step)
    var HOT = { chip: "chip", row: "row", track: "row", value: "row", term: "term", point: "point",
      marker: "point", ring: "point", group: "point", trail: "trail" };
    var SHAPE = { chip: "rect", row: "rect", term: "rect", point: "circle", trail: "path" };
    figure.sentences.forEach(function (s, si) {
      (s.words || []).forEach(function (w) { words[si + ":" + w.index] = { si: si, w: w }; });
    });
    function wordsOf(e) {  // the words it stands for that have the plan's numbers
      return (e.tokens || []).map(function (t) { return words[t[0] + ":" + t[1]]; })
        .filter(function (w) { return w; });
    }
    function place(el, e, pad) {  // a highlight or hot region over element e
      var k = HOT[e.kind], b = e.box;
      if (k === "trail" || !k && e.segments) {
        svg_set(el, { d: (e.segments || []).map(function (s) {
          return "M" + s[0] * W + " " + s[1] * H + "L" + s[2] * W + " " + s[3] * H; }).join("") });
      } else if (k === "point") {
        var c = e.anchor || [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
        svg_set(el, { cx: c[0] * W, cy: c[1] * H,
          r: Math.max((b[2] - b[0]) * W, (b[3] - b[1]) * H) / 2 + pad });
      } else setBox(el, b, W, H, pad);
    }
    function onWord(el, word) {
      el.addEventListener("pointerenter", function () { show(word); });
      el.addEventListener("pointerleave", function () { show(null); });
    }
    function focusable(r, word, name) {
      svg_set(r, { tabindex: "0", role: "button", "aria-label": name });
      r.addEventListener("focus", function () { show(word); });
      r.addEventListener("blur", function () { show(null); });
      var pin = function () { pinned = pinned === word ? null : word; show(word); };
      r.addEventListener("click", pin);  // a button: Enter pins it too (Space plays)
      r.addEventListener("keydown", function (ev) { if (ev.key === "Enter") pin(); });
    }
    // ---- a sentence: its badges (by its words, its panel, its output together) take the
    // focus, its panel, arrows, equations the pointer (under words'); data.results: the plan's
    var SENT = { badge: 1, "together badge": 1, frame: 1, arrow: 1, "together arrow": 1,
      equation: 1, summary: 1, "end label": 1 };
    var results = data.results || [], under, ring;
    function isBadge(e) { return /badge$/.test(e.kind); }
    function result(si, k) {  // at its step k (not the last), the sum then too
      var r = results[si], now = k >= 0 && k < r.now.length - 1 ? "now " + r.now[k] + "; in the end " : "";
      return "“" + r.text + "”: " + now + r.formula + "; it ends " + f2(r.moved) + " units from " + r.start;
    }
    function sentenceRegion(e) {
      var si = e.sentence, who = { si: si, whole: true }, line = e.segments && !isBadge(e);
      var r = svg(line ? "path" : "rect", { "class": "adf-hot adf-hot-sentence" + (line ? " adf-hot-line" : ""),
        "data-adf-element": e.name }, isBadge(e) ? layer : under);
      place(r, e, 1);
      hots.push({ el: r, e: e });
      onWord(r, who);
      if (!isBadge(e)) { r.setAttribute("aria-hidden", "true"); return; }
      var at = e.kind === "together badge" ? "’s output, together" : /^panel /.test(e.name) ? "’s panel" : "";
      focusable(r, who, "Sentence " + (si + 1) + at + ": " + result(si));
    }
    function tabOrder() {  // as the figure reads: row by row, then the panels
      var key = function (h) {  // group, sentence, then left to right (box[0] < 1)
        var e = h.e, si = e.sentence !== null ? e.sentence : (e.tokens[0] || [0])[0];
        return (e.kind === "together badge" ? 2e3 : /^panel /.test(e.name) ? 1e3 : 0) + si + e.box[0];
      };
      hots.filter(function (h) { return h.el.hasAttribute("tabindex"); })
        .sort(function (a, b) { return key(a) - key(b); })
        .forEach(function (h) { layer.appendChild(h.el); });
    }
    if (layer) {
      layer.setAttribute("viewBox", "0 0 " + W + " " + H);
      under = svg("g", {}, layer);
      (figure.elements || []).forEach(function (e) {
        if (SENT[e.kind] && e.sentence !== null && results[e.sentence]) return sentenceRegion(e);
        var k = HOT[e.kind], all = k ? wordsOf(e) : [], word = all[0];
        if (!word) return;  // a group of words: pointing at it says the first
        all.forEach(function (x) { var id = x.si + ":" + x.w.index; (byWord[id] = byWord[id] || []).push(e); });
        var r = svg(SHAPE[k], { "class": "adf-hot adf-hot-" + e.kind, "data-adf-element": e.name }, layer);
        place(r, e, k === "point" ? 5 : 1);
        if (k === "point") r.setAttribute("r", Math.max(+r.getAttribute("r"), 10));
        hots.push({ el: r, e: e });
        onWord(r, word);
        if (e.kind !== "chip") { r.setAttribute("aria-hidden", "true"); return; }
        var w = word.w;
        focusable(r, word, w.text + ", sentence " + (word.si + 1) + ": score " + f2(w.score) +
          ", weight " + f2(w.weight) + ", term " + w.term);
      });
      tabOrder();
      Object.keys(SHAPE).forEach(function (k) {
        hl[k] = svg(SHAPE[k], { "class": "adf-hl adf-hl-" + k, rx: 4, hidden: "" }, layer);
      });
      ring = svg("g", { "class": "adf-lit" }, layer);
    }
    function showSentence(si) {  // ring its own, veil the other panels
      hots.forEach(function (h) {
        var e = h.e, mine = e.sentence === si, line = e.segments && !isBadge(e);
        if (!SENT[e.kind] || !visible(e) || !mine && e.kind !== "frame") return;
        var m = svg(line ? "path" : "rect", { "class": !mine ? "adf-veil" : line ? "adf-hl adf-halo" : "adf-hl", rx: 4 }, ring);
        place(m, e, mine && !line ? 3 : 0);
      });
      fig.setAttribute("data-adf-sentence", si);
      var b = beat();
      readout.textContent = "Sentence " + (si + 1) + ", " + result(si, b.sentence === si ? b.step : -1) + ".";
    }
    var shown = null;
    function beatAt() {  // the beat of the current step (a beat that takes no time has none)
      var i = current(), n = Math.min(i, beats.length - 1);
      if (steps.length === beats.length || !steps[i]) return n;
      for (var j = 0; j < beats.length; j++)
        if (beats[j].end > beats[j].start && Math.abs(beats[j].start - steps[i].start) < 2e-3) return j;
      return n;
    }
    function beat() { return beats[beatAt()] || {}; }
    function visible(e) { return e.shown.indexOf(beatAt()) >= 0; }
    function show(word) {
      if (word === null) word = pinned;  // leaving a word: back to the pinned one
      shown = word;
      Object.keys(hl).forEach(function (k) { hl[k].setAttribute("hidden", ""); });
      if (ring) ring.textContent = "";
      fig.removeAttribute("data-adf-word");
      fig.removeAttribute("data-adf-sentence");
      if (word === null) { readout.textContent = ""; return; }
      if (word.whole) return showSentence(word.si);
      var b = beat(), si = word.si, w = word.w, lit = {};
      byWord[si + ":" + w.index].forEach(function (e) {  // a box round a row, track and value
        var k = HOT[e.kind], u = lit[k];
        if (!visible(e) || u && SHAPE[k] !== "rect") return;
        lit[k] = !u ? e : { kind: e.kind, box: [Math.min(u.box[0], e.box[0]),
          Math.min(u.box[1], e.box[1]), Math.max(u.box[2], e.box[2]), Math.max(u.box[3], e.box[3])] };
      });
      Object.keys(lit).forEach(function (k) {
        place(hl[k], lit[k], k === "point" ? 5 : 3);
        hl[k].removeAttribute("hidden");
      });
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
      hots.forEach(function (h) {  // one focused that goes: focus to the step control
        var on = visible(h.e);
        if (!on && document.activeElement === h.el) q("next").focus();
        h.el.style.display = on ? "" : "none";
      });
      if (shown) show(shown);
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

// Fuzzy search (MiniSearch) over the catalog's search documents, and the Explore page's facets.
// Home: results as you type, as links under the box. Explore: search + facets, state in the URL.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var facetForm = document.getElementById("facets");
  if (!input || !list || typeof MiniSearch === "undefined") return;

  var FACETS = facetForm ? Array.prototype.map.call(facetForm.querySelectorAll("fieldset[data-facet]"), function (f) { return f.getAttribute("data-facet"); }) : [];
  var HOME_LIMIT = 10;
  var docs = [];
  var byId = {};
  var engine = null;
  var queryTerms = [];  // the words of the query being answered (read by boostDocument)
  var boostCache = {};
  var querySquashed = "";
  var api = { lastMs: null, ready: null, search: null };
  window.nl2codeSearch = api;

  // Edit distance, stopping early once it exceeds `cap` (names are short; this runs per hit).
  function distance(a, b, cap) {
    if (Math.abs(a.length - b.length) > cap) return cap + 1;
    var prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var rowMin = i;
      for (j = 1; j <= b.length; j++) {
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (cur[j] < rowMin) rowMin = cur[j];
      }
      if (rowMin > cap) return cap + 1;
      prev = cur;
    }
    return prev[b.length];
  }

  function nameTokens(doc) {
    var words = (doc.name + " " + doc.aliases).toLowerCase().split(/[^a-z0-9+#]+/).filter(Boolean);
    words.push(squash(doc.name));  // "Code Llama" -> "codellama"
    return words;
  }

  // How closely a query word names the document: 0 for a prefix of a name word, else the edit distance.
  function closeness(term, tokens) {
    var best = 4;
    for (var i = 0; i < tokens.length && best > 0; i++) {
      var t = tokens[i];
      var d = term.length >= 2 && t.indexOf(term) === 0 ? 0 : distance(term, t, 3);
      if (d < best) best = d;
    }
    return best;
  }

  // BM25 alone ranks a rarer near-miss ("starcoder2") above the closer name ("starcoder"):
  // scale each hit by how closely the query's words spell the document's own names.
  function squash(text) { return text.toLowerCase().replace(/[^a-z0-9+#]+/g, ""); }

  function buildEngine(items) {
    var tokens = {}, names = {};
    items.forEach(function (d) { tokens[d.id] = nameTokens(d); names[d.id] = squash(d.name); });
    var ms = new MiniSearch({
      fields: ["name", "aliases", "text"],
      storeFields: ["id"],
      searchOptions: {
        boost: { name: 3, aliases: 2 },
        fuzzy: 0.25,
        prefix: true,
        combineWith: "AND",
        boostDocument: function (id) {
          if (!(id in boostCache)) {
            var total = 0;
            queryTerms.forEach(function (t) { total += closeness(t, tokens[id]); });
            // The query spelling the whole name ("humaneval" -> HumanEval, not HumanEval+) wins ties.
            boostCache[id] = (names[id] === querySquashed ? 2 : 1) / (1 + total / Math.max(1, queryTerms.length));
          }
          return boostCache[id];
        }
      }
    });
    ms.addAll(items);
    return ms;
  }

  // Ranked documents for a query: all words must match (fuzzily); if none do, any word may.
  function search(query) {
    var t0 = performance.now();
    queryTerms = query.toLowerCase().split(/[^a-z0-9+#]+/).filter(Boolean);
    boostCache = {};
    querySquashed = squash(query);
    var hits = engine.search(query);
    if (!hits.length) hits = engine.search(query, { combineWith: "OR" });
    var out = hits.map(function (h) { return byId[h.id]; });
    api.lastMs = performance.now() - t0;
    return out;
  }
  api.search = function (q) { return search(q).map(function (d) { return d.name; }); };

  function item(doc) {
    var li = document.createElement("li");
    li.setAttribute("data-id", doc.id);
    var a = document.createElement("a");
    a.href = root + doc.url;
    a.textContent = doc.name;
    var kind = document.createElement("span");
    kind.className = "kind kind-" + doc.kind;
    kind.textContent = doc.kind;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" "));
    li.appendChild(kind);
    if (doc.summary) {
      var s = document.createElement("span");
      s.className = "muted";
      s.textContent = " " + doc.summary;
      li.appendChild(s);
    }
    return li;
  }

  function render(results, limit) {
    var frag = document.createDocumentFragment();
    results.slice(0, limit || results.length).forEach(function (d) { frag.appendChild(item(d)); });
    list.replaceChildren(frag);
  }

  // --- facets -------------------------------------------------------------------------------
  function selected() {
    var sel = {};
    FACETS.forEach(function (name) {
      sel[name] = Array.prototype.filter.call(facetForm.querySelectorAll('input[name="' + name + '"]'), function (c) { return c.checked; }).map(function (c) { return c.value; });
    });
    return sel;
  }

  function matches(doc, sel, except) {
    return FACETS.every(function (name) {
      if (name === except || !sel[name].length) return true;
      var values = doc.facets[name] || [];
      return sel[name].some(function (v) { return values.indexOf(v) >= 0; });
    });
  }

  // Each value's count is what checking it would add within the other facets' selection.
  function updateCounts(base, sel) {
    FACETS.forEach(function (name) {
      var counts = {};
      base.forEach(function (doc) {
        if (!matches(doc, sel, name)) return;
        (doc.facets[name] || []).forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      facetForm.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
        var n = counts[box.value] || 0;
        var label = box.closest("label");
        label.querySelector("[data-count]").textContent = n;
        label.classList.toggle("zero", n === 0 && !box.checked);
      });
    });
  }

  function writeUrl(q, sel) {
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    FACETS.forEach(function (name) { sel[name].forEach(function (v) { params.append(name, v); }); });
    var qs = params.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    if (!facetForm) return;
    FACETS.forEach(function (name) {
      var wanted = params.getAll(name);
      facetForm.querySelectorAll('input[name="' + name + '"]').forEach(function (box) { box.checked = wanted.indexOf(box.value) >= 0; });
    });
  }

  function update() {
    var q = input.value.trim();
    if (!facetForm) {
      if (!q) { list.replaceChildren(); status.textContent = ""; return; }
      var hits = search(q);
      render(hits, HOME_LIMIT);
      status.textContent = hits.length ? hits.length + " match" + (hits.length === 1 ? "" : "es") + (hits.length > HOME_LIMIT ? ", best " + HOME_LIMIT + " shown" : "") : "No match for “" + q + "”";
      return;
    }
    var base = q ? search(q) : docs;
    var sel = selected();
    var shown = base.filter(function (d) { return matches(d, sel, null); });
    render(shown);
    updateCounts(base, sel);
    status.textContent = shown.length + " of " + docs.length + " entries" + (q ? " matching “" + q + "”" : "");
    var picked = FACETS.reduce(function (n, name) { return n + sel[name].length; }, 0);
    document.getElementById("facet-selected").textContent = picked ? "(" + picked + " selected)" : "";
    writeUrl(q, sel);
  }

  // On a phone the filters start folded so the results come first; wide screens always show them.
  var panel = document.getElementById("facet-panel");
  if (panel && window.matchMedia && window.matchMedia("(max-width: 50rem)").matches) panel.open = false;

  api.ready = fetch(root + "data/search.json")
    .then(function (r) { if (!r.ok) throw new Error("search index: HTTP " + r.status); return r.json(); })
    .then(function (items) {
      docs = items;
      docs.forEach(function (d) { byId[d.id] = d; });
      engine = buildEngine(docs);
      readUrl();
      input.addEventListener("input", update);
      if (facetForm) {
        facetForm.addEventListener("change", update);
        facetForm.addEventListener("submit", function (e) { e.preventDefault(); });
        var clear = document.getElementById("clear-filters");
        clear.addEventListener("click", function () {
          input.value = "";
          facetForm.querySelectorAll("input[type=checkbox]").forEach(function (c) { c.checked = false; });
          update();
        });
      }
      if (facetForm || input.value) update();
      document.documentElement.setAttribute("data-search-ready", "true");
    })
    .catch(function (err) { status.textContent = "Search is unavailable: " + err.message; });

  // Arrow keys move between the box and the results.
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { var first = list.querySelector("a"); if (first) { e.preventDefault(); first.focus(); } }
  });
  list.addEventListener("keydown", function (e) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var i = links.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === "ArrowDown" && i + 1 < links.length) { e.preventDefault(); links[i + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (i ? links[i - 1] : input).focus(); }
  });
})();

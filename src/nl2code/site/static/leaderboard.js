// Leaderboard: published / reproduced toggle, sortable columns, downloads of the rows in view.
// State (show, sort, dir) lives in the URL so a view can be shared.
(function () {
  "use strict";
  var table = document.getElementById("board");
  if (!table) return;
  var tbody = table.tBodies[0];
  var records = JSON.parse(document.getElementById("board-data").textContent);
  var higherIsBetter = table.getAttribute("data-higher-is-better") === "true";
  var status = document.getElementById("board-status");
  var rows = Array.prototype.slice.call(tbody.rows);
  var state = { show: "all", sort: "value", dir: higherIsBetter ? "descending" : "ascending", weights: "", size: "", type: "", data: "", from: "", to: "", clean: "", dedupe: "1" };
  var FILTERS = ["weights", "size", "type", "data", "from", "to", "clean"];
  var filters = document.getElementById("board-filters");

  var KEYS = {
    rank: function (tr) { return Number(tr.getAttribute("data-rank")); },
    model: function (tr) { return tr.getAttribute("data-model"); },
    size: function (tr) { var v = tr.getAttribute("data-size"); return v === "" ? null : Number(v); },
    open: function (tr) { return Number(tr.getAttribute("data-open")); },
    value: function (tr) { return Number(tr.getAttribute("data-value")); },
    provenance: function (tr) { return tr.getAttribute("data-provenance"); },
    date: function (tr) { return tr.getAttribute("data-date") || null; },
    released: function (tr) { return tr.getAttribute("data-released") || null; },
    type: function (tr) { return tr.getAttribute("data-type") || null; }
  };

  function compare(a, b) {
    // Missing values go last whatever the direction.
    if (a === null && b === null) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function visible() {
    return rows.filter(function (tr) { return !tr.hidden; });
  }

  // One row per model: the row marked primary for the provenance shown (all / published / reproduced).
  function isPrimary(tr) {
    var attr = state.show === "all" ? "data-primary" : "data-primary-" + state.show;
    return tr.getAttribute(attr) === "1";
  }

  // Release-date window on the month: a date given as a year only counts as that year's January.
  function inWindow(released) {
    if (!state.from && !state.to) return true;
    if (!released) return false;
    var month = (released + "-01").slice(0, 7);
    return (!state.from || month >= state.from) && (!state.to || month <= state.to);
  }

  function apply() {
    rows.forEach(function (tr) {
      tr.hidden = (state.dedupe === "1" && !isPrimary(tr)) ||
        (state.show !== "all" && tr.getAttribute("data-provenance") !== state.show) ||
        (state.weights !== "" && tr.getAttribute("data-open") !== state.weights) ||
        (state.size !== "" && tr.getAttribute("data-bucket") !== state.size) ||
        (state.type !== "" && tr.getAttribute("data-type") !== state.type) ||
        (state.data !== "" && tr.getAttribute("data-open-data") !== state.data) ||
        !inWindow(tr.getAttribute("data-released")) ||
        (state.clean === "1" && tr.getAttribute("data-contaminated") === "1");
    });
    // Rank: position by score among the rows shown.
    var ranked = visible().slice().sort(function (a, b) {
      var d = KEYS.value(a) - KEYS.value(b);
      return higherIsBetter ? -d : d;
    });
    ranked.forEach(function (tr, i) { tr.setAttribute("data-rank", i + 1); tr.querySelector(".rank").textContent = i + 1; });
    var key = KEYS[state.sort] || KEYS.value;
    var sign = state.dir === "ascending" ? 1 : -1;
    var sorted = rows.slice().sort(function (a, b) {
      var ka = key(a), kb = key(b);
      if (ka === null || kb === null) return compare(ka, kb);
      return sign * compare(ka, kb) || Number(a.getAttribute("data-index")) - Number(b.getAttribute("data-index"));
    });
    sorted.forEach(function (tr) { tbody.appendChild(tr); });
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === state.sort ? state.dir : "none");
    });
    document.querySelectorAll('#provenance-toggle input[name="show"]').forEach(function (r) { r.checked = r.value === state.show; });
    document.querySelectorAll('#dedupe-toggle input[name="dedupe"]').forEach(function (r) { r.checked = r.value === state.dedupe; });
    var n = visible().length;
    status.textContent = n + " row" + (n === 1 ? "" : "s") + " shown, sorted by " + state.sort + " (" + state.dir + ")";
    FILTERS.forEach(function (k) {
      var control = filters.querySelector('[name="' + k + '"]');
      if (control.type === "checkbox") control.checked = state[k] === "1"; else control.value = state[k];
    });
    var params = new URLSearchParams(location.search);
    params.set("show", state.show); params.set("sort", state.sort); params.set("dir", state.dir);
    if (state.dedupe === "0") params.set("every", "1"); else params.delete("every");
    FILTERS.forEach(function (k) { if (state[k]) params.set(k, state[k]); else params.delete(k); });
    history.replaceState(null, "", location.pathname + "?" + params.toString() + location.hash);
  }

  function readUrl() {
    var p = new URLSearchParams(location.search);
    if (["all", "published", "reproduced"].indexOf(p.get("show")) >= 0) state.show = p.get("show");
    if (KEYS[p.get("sort")]) state.sort = p.get("sort");
    if (["ascending", "descending"].indexOf(p.get("dir")) >= 0) state.dir = p.get("dir");
    state.dedupe = p.get("every") === "1" ? "0" : "1";
    FILTERS.forEach(function (k) {
      var v = p.get(k) || "";
      var control = filters.querySelector('[name="' + k + '"]');
      if (control.options) {
        if (Array.prototype.some.call(control.options, function (o) { return o.value === v; })) state[k] = v;
      } else if (control.type === "checkbox") {
        state[k] = v === "1" ? "1" : "";
      } else if (/^\d{4}-\d{2}$/.test(v)) {
        state[k] = v;
      }
    });
  }

  table.querySelectorAll("th[data-sort] button").forEach(function (button) {
    button.addEventListener("click", function () {
      var column = button.parentElement.getAttribute("data-sort");
      if (state.sort === column) {
        state.dir = state.dir === "ascending" ? "descending" : "ascending";
      } else {
        state.sort = column;
        state.dir = column === "value" ? (higherIsBetter ? "descending" : "ascending") : column === "size" || column === "date" || column === "released" ? "descending" : "ascending";
      }
      apply();
    });
  });
  document.querySelectorAll('#provenance-toggle input[name="show"]').forEach(function (radio) {
    radio.addEventListener("change", function () { state.show = radio.value; apply(); });
  });

  document.querySelectorAll('#dedupe-toggle input[name="dedupe"]').forEach(function (radio) {
    radio.addEventListener("change", function () { state.dedupe = radio.value; apply(); });
  });

  filters.querySelectorAll("select, input").forEach(function (control) {
    control.addEventListener("change", function () {
      state[control.name] = control.type === "checkbox" ? (control.checked ? "1" : "") : control.value;
      apply();
    });
  });

  // --- downloads ------------------------------------------------------------------------------
  function viewRecords() {
    return visible().map(function (tr) {
      var rec = records[Number(tr.getAttribute("data-index"))];
      var out = { rank: Number(tr.getAttribute("data-rank")) };
      Object.keys(rec).forEach(function (k) { out[k] = rec[k]; });
      return out;
    });
  }

  function csvCell(v) {
    if (v === null || v === undefined) return "";
    var s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function toCsv(recs) {
    var fields = recs.length ? Object.keys(recs[0]) : ["rank"].concat(Object.keys(records[0] || {}));
    var lines = [fields.join(",")];
    recs.forEach(function (r) { lines.push(fields.map(function (f) { return csvCell(r[f]); }).join(",")); });
    return lines.join("\n") + "\n";
  }

  function save(text, type, name) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  document.querySelectorAll("[data-download]").forEach(function (button) {
    button.addEventListener("click", function () {
      var recs = viewRecords();
      var name = [table.getAttribute("data-key"), state.show, state.dedupe === "0" ? "every" : "", state.weights === "1" ? "open" : state.weights === "0" ? "closed" : "", state.size.replace(/[^0-9A-Za-z]+/g, "")].filter(Boolean).join("-");
      if (button.getAttribute("data-download") === "csv") save(toCsv(recs), "text/csv", name + ".csv");
      else save(JSON.stringify(recs, null, 2) + "\n", "application/json", name + ".json");
    });
  });

  readUrl();
  apply();
  table.setAttribute("data-ready", "true");
})();

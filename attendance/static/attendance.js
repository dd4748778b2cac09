// The live attendance board: polls the stored verdicts every few seconds and redraws the table.
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var every = parseInt(root.dataset.every, 10) || 5000;

  function text(table, code) {
    var entry = labels[table] && labels[table][code];
    return entry || code || "—";
  }

  function cell(content, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    return td;
  }

  function render(body) {
    var rows = document.getElementById("board-rows");
    var fresh = document.createDocumentFragment();
    body.data.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.className = "st-" + (row.status || "none");
      var status = text("status", row.status);
      if (row.provisional) { status += " (" + labels.words.provisional + ")"; }
      if (row.away_minutes) {
        status += " · " + labels.words.away + " " + row.away_minutes + labels.words.minutes;
      }
      var slots = document.createElement("span");
      row.slots.forEach(function (s) {
        var span = document.createElement("span");
        span.className = "slot st-" + s.status;
        span.textContent = text("slot", s.slot) + ": " + text("status", s.status);
        slots.appendChild(span);
      });
      tr.appendChild(cell(row.staff_no));
      tr.appendChild(cell(row.name));
      tr.appendChild(cell(status));
      tr.appendChild(cell(slots));
      fresh.appendChild(tr);
    });
    rows.replaceChildren(fresh);
    document.getElementById("board-date").textContent = body.date;
    document.getElementById("board-updated").textContent = new Date().toLocaleTimeString();
  }

  function poll() {
    fetch(root.dataset.api, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { /* keep the last board; the next poll retries */ })
      .then(function () { setTimeout(poll, every); });
  }
  setTimeout(poll, every);
})();

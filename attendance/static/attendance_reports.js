// Report builds: asks for a month's file to be built in the background, shows each job's progress (people done of the total) while it runs, and its file when it is done.
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("report-setup").textContent);
  var words = setup.words;
  var body = document.querySelector("#report-jobs tbody");
  var message = document.getElementById("report-message");
  var timer = null;

  function headers(json) {
    var h = { "Accept": "application/json" };
    if (json) { h["Content-Type"] = "application/json"; }
    if (setup.csrf) { h["X-CSRF-Token"] = setup.csrf; }
    return h;
  }

  function show(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function cell(row, content) {
    var td = document.createElement("td");
    if (typeof content === "string") { td.textContent = content; } else if (content) { td.appendChild(content); }
    row.appendChild(td);
    return td;
  }

  function progress(job) {
    var wrap = document.createElement("span");
    var bar = document.createElement("progress");
    bar.max = job.people_total || 1;
    bar.value = job.state === "done" ? bar.max : job.people_done;
    wrap.appendChild(bar);
    wrap.appendChild(document.createTextNode(" " + job.people_done + " / " + job.people_total + " " + words.people));
    return wrap;
  }

  function action(job) {
    if (job.file) {
      var a = document.createElement("a");
      a.href = job.file;
      a.className = "report-download";
      a.textContent = words.download;
      return a;
    }
    if (job.state === "queued" || job.state === "running") {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "report-cancel";
      b.textContent = words.cancel;
      b.addEventListener("click", function () {
        fetch(setup.jobs_url + "/" + job.id + "/cancel", { method: "POST", headers: headers(false) })
          .then(load, function () { show(words.network); });
      });
      return b;
    }
    return job.error || null;
  }

  function render(jobs) {
    body.textContent = "";
    if (!jobs.length) {
      var empty = document.createElement("tr");
      cell(empty, words.none).colSpan = 6;
      body.appendChild(empty);
    }
    jobs.forEach(function (job) {
      var row = document.createElement("tr");
      row.id = "report-job-" + job.id;
      row.dataset.state = job.state;
      cell(row, job.month);
      cell(row, job.format.toUpperCase());
      cell(row, new Date(job.asked_at).toLocaleString());
      cell(row, words[job.state] || job.state).className = "report-state";
      cell(row, progress(job)).className = "report-progress";
      cell(row, action(job));
      body.appendChild(row);
    });
    var busy = jobs.some(function (j) { return j.state === "queued" || j.state === "running"; });
    clearTimeout(timer);
    if (busy) { timer = setTimeout(load, 1000); }
  }

  function load() {
    return fetch(setup.jobs_url, { headers: headers(false) })
      .then(function (r) { return r.json(); })
      .then(function (data) { render(data.data); }, function () { show(words.network); });
  }

  document.getElementById("report-new").addEventListener("submit", function (event) {
    event.preventDefault();
    var month = document.getElementById("report-month").value;
    var format = document.getElementById("report-format").value;
    show("");
    fetch(setup.new_url + encodeURIComponent(month) + "/jobs?format=" + format,
          { method: "POST", headers: headers(true) })
      .then(function (r) {
        if (r.ok) { return load(); }
        return r.json().catch(function () { return {}; }).then(function (data) {
          show(words.refused + (typeof data.detail === "string" ? data.detail : r.statusText));
        });
      }, function () { show(words.network); });
  });

  render(setup.jobs);
})();

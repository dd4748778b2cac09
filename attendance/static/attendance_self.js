// My attendance: today's slots polled live; leave, out and make-up forms checked against the
// rules (the API's /check) before they are submitted; pending requests withdrawn.
(function () {
  "use strict";
  var node = document.getElementById("self-setup");
  if (!node) { return; }
  var setup = JSON.parse(node.textContent);
  var labels = setup.labels;
  var lang = setup.lang;
  var base = "/api/v1/attendance/";

  function fill(text, fields) {
    return text.replace(/\{(\w+)\}/g, function (all, key) {
      return fields[key] === undefined || fields[key] === null ? all : String(fields[key]);
    });
  }

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "application/json" };
    if (setup.csrf) { h["X-CSRF-Token"] = setup.csrf; }
    return h;
  }

  function refusal(data, status) {
    // A coded refusal carries its message in both languages; others their detail.
    if (data.message && typeof data.message === "object") { return data.message[lang] || data.message.zh; }
    if (typeof data.detail === "string") { return data.detail; }
    if (Array.isArray(data.detail) && data.detail.length) { return data.detail[0].msg; }
    return String(status);
  }

  function post(url, body) {
    return fetch(url, { method: "POST", headers: headers(), body: JSON.stringify(body || {}) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          return { ok: r.ok, status: r.status, data: data };
        });
      });
  }

  // ---- today, live ----
  // A punch's instant as hall-local time: the offset of the slot's due time (hall-local).
  function local(iso, due) {
    if (!iso) { return null; }
    var found = /([+-])(\d\d):(\d\d)$/.exec(due);
    var offset = found ? (found[1] === "-" ? -1 : 1) * (60 * +found[2] + +found[3]) : 0;
    return new Date(Date.parse(iso) + offset * 60000).toISOString().slice(11, 16);
  }

  function renderToday(day) {
    var list = document.getElementById("today-slots");
    var badge = document.getElementById("today-status");
    if (!list || !day) { return; }
    var fresh = document.createDocumentFragment();
    day.slots.forEach(function (s) {
      var li = document.createElement("li");
      li.className = "st-" + s.status;
      li.dataset.slot = s.slot;
      [
        ["slot-name", labels.slot[s.slot] || s.slot],
        ["muted", setup.words.due + " " + s.due.slice(11, 16)],
        ["", local(s.punch, s.due) || setup.words.no_punch],
        ["verdict", labels.status[s.status] || s.status]
      ].forEach(function (part) {
        var span = document.createElement("span");
        if (part[0]) { span.className = part[0]; }
        span.textContent = part[1];
        li.appendChild(span);
      });
      fresh.appendChild(li);
    });
    if (day.slots.length) { list.replaceChildren(fresh); }
    badge.className = "badge st-" + day.status;
    badge.textContent = labels.status[day.status] || day.status;
    document.getElementById("today-updated").textContent = new Date().toLocaleTimeString();
  }

  function poll() {
    var url = base + "days?date_from=" + setup.today + "&date_to=" + setup.today +
      "&staff_no=" + encodeURIComponent(setup.staff_no);
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (body) { renderToday(body.data[0]); })
      .catch(function () { /* keep what is shown; the next poll retries */ })
      .then(function () { setTimeout(poll, setup.every_ms); });
  }
  if (document.getElementById("today-slots") && setup.staff_no) { poll(); }

  // ---- forms: the rules' check, then the filing ----
  var words = setup.check_words;

  function body(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      if (value !== "") { data[key] = value; }
    });
    if (form.dataset.kind === "leave" && !data.end_date) { data.end_date = data.start_date; }
    return data;
  }

  function line(parent, text, cls) {
    var p = document.createElement("p");
    if (cls) { p.className = cls; }
    p.textContent = text;
    parent.appendChild(p);
  }

  function showCheck(form, answer) {
    var box = form.querySelector(".check");
    box.replaceChildren();
    var data = answer.data;
    if (!answer.ok) {
      box.className = "check refused";
      line(box, words.problem + refusal(data, answer.status));
      return;
    }
    box.className = "check " + (data.problem ? "refused" : "ok");
    line(box, data.problem ? words.problem + refusal(data.problem, data.problem.status) : words.ok,
      "verdict");
    if (data.approver) {
      line(box, fill(words.approver, { role: data.approver.label[lang] || data.approver.role }),
        "approver");
    }
    if (form.dataset.kind === "leave" && data.days !== undefined) {
      line(box, fill(words.days, { days: data.days }));
      var sub = data.substitute;
      if (sub.needed) {
        var who = sub.named || sub.b_post;
        line(box, who ? fill(words.substitute_needed, { name: who.name + " (" + who.staff_no + ")" })
          : words.substitute_missing, "substitute");
      } else {
        line(box, words.substitute_not_needed, "substitute");
      }
      if (data.filed_after) { line(box, words.filed_after); }
    }
    if (form.dataset.kind === "makeup") {
      line(box, data.limit === null ? fill(words.makeups_unlimited, data) : fill(words.makeups, data),
        "limit");
    }
  }

  function check(form) {
    return post(base + form.dataset.kind + "s/check", body(form))
      .then(function (answer) { showCheck(form, answer); return answer; })
      .catch(function () { /* the filing says what is wrong */ });
  }

  function say(form, text) {
    var message = form.querySelector(".message");
    message.textContent = text;
    message.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.req-form"), function (form) {
    var timer = null;
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { check(form); }, 250);
    });
    form.addEventListener("change", function () { check(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(base + form.dataset.kind + "s", body(form))
        .then(function (answer) {
          if (answer.ok) {
            say(form, setup.words.done);
            window.location.reload();
            return;
          }
          say(form, setup.words.refused + refusal(answer.data, answer.status));
          check(form);
        })
        .catch(function () { say(form, setup.words.network); });
    });
  });

  // ---- withdraw a pending request ----
  Array.prototype.forEach.call(document.querySelectorAll("button.withdraw"), function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm(setup.words.confirm_withdraw)) { return; }
      post(button.dataset.api + "/cancel", {})
        .then(function (answer) {
          if (answer.ok) { window.location.reload(); return; }
          window.alert(setup.words.refused + refusal(answer.data, answer.status));
        })
        .catch(function () { window.alert(setup.words.network); });
    });
  });
})();

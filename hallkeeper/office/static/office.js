// The office pages: each form sends its fields as the JSON the API takes, and a refusal is
// shown in the page's language (the server explains it: field and problem) beside the field.
(function () {
  "use strict";
  var setup = JSON.parse(document.getElementById("office-setup").textContent);

  function call(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    if (setup.csrf) { headers["X-CSRF-Token"] = setup.csrf; }
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) { init.body = JSON.stringify(body); }
    return fetch(url, init).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function explain(answer) {
    return call("POST", setup.explain, { status: answer.status, body: answer.data })
      .then(function (r) {
        if (r.ok && r.data && r.data.problems) { return r.data.problems; }
        return [{ field: "", key: "", problem: setup.words.refused + answer.status, line: setup.words.refused + answer.status }];
      });
  }

  function show(box, problems, form) {
    box.replaceChildren();
    var list = document.createElement("ul");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.line;
      list.appendChild(item);
      if (!form || !p.key) { return; }
      var field = form.querySelector('[data-field="' + p.key + '"]') ||
        form.querySelector('[data-field^="' + p.key + '."]');
      if (field) {
        field.classList.add("invalid");
        var note = field.querySelector(".field-error");
        note.textContent = p.problem;
        note.hidden = false;
      }
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function clear(form) {
    form.querySelectorAll(".invalid").forEach(function (f) { f.classList.remove("invalid"); });
    form.querySelectorAll(".field-error").forEach(function (n) { n.hidden = true; n.textContent = ""; });
    var box = form.querySelector(".form-errors");
    box.hidden = true;
    box.replaceChildren();
  }

  function lines(text) {
    return text.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
  }

  var SLOT_KEYS = { kind: "kind", half: "half", from: "window_start", to: "window_end" };

  function slot(line) {
    var parts = line.split(/\s+/);
    var out = { name: parts[0] };
    if (parts.length > 1) { out.due = parts[1]; }
    parts.slice(2).forEach(function (p) {
      var pair = p.split("=");
      out[SLOT_KEYS[pair[0]] || pair[0]] = pair.slice(1).join("=");
    });
    return out;
  }

  function festival(line) {
    var parts = line.split(/\s+/);
    var out = { name: parts[0], workdays: [] };
    parts.slice(1).forEach(function (p) {
      if (p.charAt(0) === "+") { out.workdays.push(p.slice(1)); }
      else if (out.start === undefined) { out.start = p; }
      else { out.end = p; }
    });
    return out;
  }

  // The JSON value of one input; undefined leaves the field out.
  function valueOf(input, editing) {
    var kind = input.dataset.kind;
    var empty = editing && input.dataset.clearable === "true" ? null : undefined;
    if (kind === "check") { return input.checked; }
    if (kind === "codes") { return input.value.split(/[\s,;\u3001\uff0c\uff1b]+/).filter(Boolean); }
    if (kind === "lines") { return lines(input.value); }
    if (kind === "slots") { return lines(input.value).map(slot); }
    if (kind === "notice") { return lines(input.value).map(festival); }
    var text = kind === "password" ? input.value : input.value.trim();
    if (text === "") { return editing && kind === "text" && empty === undefined ? "" : empty; }
    if (kind === "int" && /^-?\d+$/.test(text)) { return Number(text); }
    return text;
  }

  function put(body, path, value) {
    var parts = path.split(".");
    var here = body;
    for (var i = 0; i < parts.length - 1; i++) {
      var next = /^\d+$/.test(parts[i + 1]) ? [] : {};
      if (here[parts[i]] === undefined) { here[parts[i]] = next; }
      here = here[parts[i]];
    }
    here[parts[parts.length - 1]] = value;
  }

  function submit(form) {
    clear(form);
    var editing = form.dataset.mode === "edit";
    var url = editing ? form.dataset.changeUrl : form.dataset.createUrl;
    var method = editing ? form.dataset.changeMethod : form.dataset.createMethod;
    var key = editing ? form.dataset.key : null;
    var body = {};
    form.querySelectorAll("[data-kind]").forEach(function (input) {
      if (input.dataset.createOnly === "true") {
        if (editing) { return; }
        if (url.indexOf("{key}") >= 0) { key = input.value.trim(); return; }
      }
      var value = valueOf(input, editing);
      if (value !== undefined) { put(body, input.name, value); }
    });
    if (url.indexOf("{key}") >= 0) { url = url.replace("{key}", encodeURIComponent(key || "-")); }
    var done = form.querySelector(".form-done");
    call(method, url, body).then(function (answer) {
      if (answer.ok) {
        done.hidden = false;
        if (form.id === "key-form") {
          document.getElementById("new-key-value").textContent = answer.data.key;
          document.getElementById("new-key").hidden = false;
          return;
        }
        window.location.reload();
        return;
      }
      return explain(answer).then(function (problems) {
        show(form.querySelector(".form-errors"), problems, form);
      });
    }).catch(function () {
      show(form.querySelector(".form-errors"), [{ line: setup.words.network }], null);
    });
  }

  function reset(form) {
    form.reset();
    clear(form);
    form.dataset.mode = "create";
    delete form.dataset.key;
    form.querySelectorAll("[data-create-only]").forEach(function (i) { i.disabled = false; });
    var title = form.querySelector(".form-title");
    title.textContent = title.dataset["new"];
  }

  function edit(button) {
    var form = document.getElementById(button.dataset.edit);
    reset(form);
    var values = JSON.parse(button.dataset.values);
    form.querySelectorAll("[data-kind]").forEach(function (input) {
      var value = values[input.name];
      if (value === undefined || value === null) { value = ""; }
      if (input.dataset.kind === "check") { input.checked = value === true; }
      else { input.value = String(value); }
      if (input.dataset.createOnly === "true") { input.disabled = true; }
    });
    form.dataset.mode = "edit";
    form.dataset.key = button.dataset.key;
    var title = form.querySelector(".form-title");
    title.textContent = title.dataset.edit + " · " + button.dataset.key;
    form.scrollIntoView({ block: "start" });
  }

  // A filled-in report: "{name}" replaced by the answer's field of that name.
  function report(template, data) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      var value = data && data[name];
      if (Array.isArray(value)) { return String(value.length); }
      return value === undefined || value === null ? "" : String(value);
    });
  }

  // A row's action; with a report (data-done), the answer is shown instead of a reload.
  function act(method, url, done) {
    var box = document.getElementById("page-errors");
    box.hidden = true;
    call(method, url, method === "POST" ? {} : undefined).then(function (answer) {
      if (answer.ok && done) {
        var status = document.getElementById("page-done");
        status.textContent = report(done, answer.data);
        status.hidden = false;
        return;
      }
      if (answer.ok) { window.location.reload(); return; }
      return explain(answer).then(function (problems) { show(box, problems, null); });
    }).catch(function () { show(box, [{ line: setup.words.network }], null); });
  }

  document.querySelectorAll("form.office-form[data-create-url]").forEach(function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); submit(form); });
    form.querySelector("[data-reset]").addEventListener("click", function () { reset(form); });
  });
  document.querySelectorAll("[data-edit]").forEach(function (b) {
    b.addEventListener("click", function () { edit(b); });
  });
  document.querySelectorAll("[data-delete]").forEach(function (b) {
    b.addEventListener("click", function () {
      if (window.confirm(setup.words.confirm_delete.replace("{name}", b.dataset.name))) {
        act("DELETE", b.dataset.delete);
      }
    });
  });
  document.querySelectorAll("[data-post]").forEach(function (b) {
    b.addEventListener("click", function () { act("POST", b.dataset.post, b.dataset.done); });
  });
})();

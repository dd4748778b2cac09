// The approvals inbox: approve or reject a request with its reason in one tap, through the API.
(function () {
  "use strict";
  var node = document.getElementById("inbox-setup");
  if (!node) { return; }
  var setup = JSON.parse(node.textContent);

  function refusal(data, status) {
    if (data.message && typeof data.message === "object") {
      return data.message[setup.lang] || data.message.zh;
    }
    return typeof data.detail === "string" ? data.detail : String(status);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.decide"), function (form) {
    var message = form.querySelector(".message");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = event.submitter ? event.submitter.value : "approve";
      var headers = { "Content-Type": "application/json", "Accept": "application/json" };
      if (setup.csrf) { headers["X-CSRF-Token"] = setup.csrf; }
      var body = { reason: form.elements.reason.value };
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
      fetch(form.dataset.api + "/" + action, { method: "POST", headers: headers, body: JSON.stringify(body) })
        .then(function (r) {
          return r.json().catch(function () { return {}; }).then(function (data) {
            if (r.ok) {
              message.textContent = setup.words.done;
              message.hidden = false;
              window.location.reload();
              return;
            }
            message.textContent = setup.words.refused + refusal(data, r.status);
            message.hidden = false;
          });
        })
        .catch(function () {
          message.textContent = setup.words.network;
          message.hidden = false;
        })
        .then(function () {
          Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = false; });
        });
    });
  });
})();

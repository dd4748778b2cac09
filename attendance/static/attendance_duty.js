// The duty record page: signs the day through the API and shows a refusal in the page's language.
(function () {
  "use strict";
  var form = document.getElementById("duty-sign");
  if (!form) { return; }
  var setup = JSON.parse(document.getElementById("duty-setup").textContent);
  var message = document.getElementById("duty-message");

  function show(text) {
    message.textContent = text;
    message.hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    var token = document.getElementById("duty-token").value.trim();
    if (token) { headers.Authorization = "Bearer " + token; }
    var body = {
      signed_by: document.getElementById("duty-signer").value,
      note: document.getElementById("duty-note").value
    };
    fetch(setup.sign_url, { method: "POST", headers: headers, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (r.ok) {
            show(setup.words.done);
            window.location.reload();
            return;
          }
          // A coded refusal carries its message in both languages: show the page's own.
          var text = data.message ? (data.message[setup.lang] || data.message.zh) : data.detail;
          show(setup.words.refused + (typeof text === "string" ? text : r.statusText));
        });
      })
      .catch(function () { show(setup.words.network); });
  });
})();

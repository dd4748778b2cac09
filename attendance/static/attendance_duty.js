// The duty record page: signs the day as the logged-in person through the API and shows a refusal in the page's language.
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
    if (setup.csrf) { headers["X-CSRF-Token"] = setup.csrf; }
    var body = { note: document.getElementById("duty-note").value };
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

/* Exhibit upload from the request page. The upload endpoint hashes the body as it streams in,
   so it cannot read a CSRF token from the form body: it takes the X-CSRFToken header instead. */
(function () {
  "use strict";
  var form = document.getElementById("exhibit-upload");
  if (!form) { return; }
  var status = document.getElementById("exhibit-upload-status");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var token = data.get("csrfmiddlewaretoken");
    data.delete("csrfmiddlewaretoken");
    if (!data.get("is_master_copy")) { data.set("is_master_copy", "false"); }
    status.textContent = "Uploading and hashing…";
    status.className = "muted";
    fetch(form.getAttribute("data-url"), {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      if (result.ok) {
        status.textContent = "Stored " + result.body.reference + ", SHA-256 " + result.body.sha256;
        window.location.reload();
      } else {
        status.textContent = result.body.detail || "The upload was refused.";
        status.className = "error";
      }
    }).catch(function (error) {
      status.textContent = "The upload failed: " + error.message;
      status.className = "error";
    });
  });
})();

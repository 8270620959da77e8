// The scrutineers' opening screen: read a share card's QR code with the phone's camera (live, where the page may use
// the camera) or from a photo of the card, and put its text into a card field. Typing the card stays the main way;
// the server checks every entry the same however it got there. Decoding uses the browser's BarcodeDetector where it
// reads QR codes, otherwise the vendored jsQR (static/vendor/jsqr). Messages come translated from the page.
(function () {
  "use strict";
  var panel = document.getElementById("share-scan");
  if (!panel) return;
  var form = document.getElementById("unseal-form");
  var status = document.getElementById("scan-status");
  var video = document.getElementById("scan-video");
  var startButton = document.getElementById("scan-camera");
  var stopButton = document.getElementById("scan-stop");
  var photo = document.getElementById("scan-photo");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var prefix = "RENDA-SHARE:";
  var lastFocused = null;
  var stream = null;
  var detector = null;

  function fields() { return Array.prototype.slice.call(form.querySelectorAll("input.share-input")); }
  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("text-danger", !!isError);
  }
  function message(name, value) { return (panel.dataset[name] || "").replace("{field}", value || ""); }

  fields().forEach(function (input) {
    input.addEventListener("focus", function () { lastFocused = input; });
  });

  function target() {
    if (lastFocused && !lastFocused.value.trim()) return lastFocused;
    var empty = fields().filter(function (input) { return !input.value.trim(); });
    return empty[0] || lastFocused || fields()[0];
  }

  // A QR code read: a share card of this box goes into a field; anything else is said and left out.
  function accept(text) {
    text = (text || "").trim();
    if (text.toUpperCase().indexOf(prefix) !== 0) { say(message("notCard"), true); return false; }
    var poll = text.slice(prefix.length).split(":")[0];
    if (poll !== panel.dataset.poll) { say(message("foreign"), true); return false; }
    if (fields().some(function (input) { return input.value.trim().toUpperCase() === text.toUpperCase(); })) {
      say(message("already"), true);
      return false;
    }
    var input = target();
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    var label = form.querySelector('label[for="' + input.id + '"]');
    say(message("read", label ? label.textContent.trim() : input.name), false);
    lastFocused = null;
    return true;
  }

  if ("BarcodeDetector" in window && window.BarcodeDetector.getSupportedFormats) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    }).catch(function () { detector = null; });
  }

  function withJsQR(width, height) {
    if (typeof window.jsQR !== "function") return null;
    var image = context.getImageData(0, 0, width, height);
    var found = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
    return found ? found.data : null;
  }

  // Decode what is drawn on the canvas (or, with a detector, the source itself): resolves to the text or null.
  function decode(source, width, height) {
    canvas.width = width;
    canvas.height = height;
    context.drawImage(source, 0, 0, width, height);
    if (!detector) return Promise.resolve(withJsQR(width, height));
    return detector.detect(canvas).then(function (codes) {
      return codes.length ? codes[0].rawValue : withJsQR(width, height);
    }, function () { return withJsQR(width, height); });
  }

  // --- a photo of the card (any browser; on a phone it opens the camera) ---
  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) return;
    say(message("reading"), false);
    createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      var w = Math.round(bitmap.width * scale), h = Math.round(bitmap.height * scale);
      return decode(bitmap, w, h).then(function (text) {
        return text || decode(bitmap, Math.round(w / 2), Math.round(h / 2));
      });
    }).then(function (text) {
      if (text) accept(text); else say(message("notFound"), true);
    }).catch(function () { say(message("notFound"), true); }).then(function () { photo.value = ""; });
  });

  // --- the live camera (where the page is allowed to use it: HTTPS and the camera permission) ---
  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function scanFrame() {
    if (!stream) return;
    if (video.readyState < 2 || !video.videoWidth) { window.setTimeout(scanFrame, 150); return; }
    var scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
    decode(video, Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale)).then(function (text) {
      if (text && accept(text)) { stop(); return; }
      window.setTimeout(scanFrame, 200);
    });
  }

  var liveCamera = window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  if (liveCamera) {
    startButton.hidden = false;
    startButton.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        stopButton.hidden = false;
        startButton.hidden = true;
        say(message("aim"), false);
        return video.play();
      }).then(scanFrame).catch(function () { stop(); say(message("noCamera"), true); });
    });
    stopButton.addEventListener("click", stop);
  }
})();

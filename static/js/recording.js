// The recording's player loads from YouTube or Vimeo only when the reader presses "Play the recording":
// until then the page asks nothing of either. Without this script the button stays hidden and the link
// beside it opens the recording on its own site.
(function () {
  "use strict";
  for (const holder of document.querySelectorAll("[data-recording-src]")) {
    const button = holder.querySelector(".recording__play");
    if (!button) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const frame = document.createElement("iframe");
      frame.src = holder.dataset.recordingSrc;
      frame.title = holder.dataset.recordingTitle;
      frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      frame.className = "recording__frame";
      button.replaceWith(frame);
      frame.focus();
    });
  }
})();

// The browser board's voice: each live call's WAV from the server (chime, then the words, as the Kivy
// board says them), played one at a time in the order the calls came, never over each other.
// A TV browser may refuse sound until someone touches the screen once: then a button
// "Chạm để bật âm thanh" shows, and the calls queued meanwhile play after the tap.
"use strict";

(function () {
  const QUEUE_LIMIT = 6;  // calls waiting to be said; older ones are dropped (the screen still shows them)
  const queue = [];
  const player = new Audio();
  player.preload = "auto";
  let playing = false;
  let allowed = false;

  function gate() { return document.getElementById("sound-gate"); }

  // A call from board.js; only calls from the live feed have an event id the server can speak.
  function say(call) {
    if (!call || typeof call.eventId !== "number") return;
    queue.push("/display/audio/" + call.eventId + ".wav");
    while (queue.length > QUEUE_LIMIT) queue.shift();
    next();
  }

  function next() {
    if (playing || !allowed || !queue.length) return;
    playing = true;
    const url = queue.shift();
    player.src = url;
    player.play().catch((error) => {
      playing = false;
      if (error && error.name === "NotAllowedError") {  // sound not allowed yet: keep the call, ask for the tap
        queue.unshift(url);
        askForTap();
      } else {
        next();
      }
    });
  }

  function done() { playing = false; next(); }
  player.addEventListener("ended", done);
  player.addEventListener("error", done);  // e.g. the server could not render this call: go on with the next

  function askForTap() {
    allowed = false;
    const button = gate();
    if (button) button.hidden = false;
  }

  function unlock() {
    allowed = true;
    const button = gate();
    if (button) button.hidden = true;
    next();
  }

  // Whether this browser lets the page play sound without a tap: try a tenth of a second of silence.
  function silentWav() {
    const samples = 2205;
    const bytes = new DataView(new ArrayBuffer(44 + samples * 2));
    const ascii = (at, s) => { for (let i = 0; i < s.length; i++) bytes.setUint8(at + i, s.charCodeAt(i)); };
    ascii(0, "RIFF"); bytes.setUint32(4, 36 + samples * 2, true); ascii(8, "WAVE"); ascii(12, "fmt ");
    bytes.setUint32(16, 16, true); bytes.setUint16(20, 1, true); bytes.setUint16(22, 1, true);
    bytes.setUint32(24, 22050, true); bytes.setUint32(28, 44100, true); bytes.setUint16(32, 2, true);
    bytes.setUint16(34, 16, true); ascii(36, "data"); bytes.setUint32(40, samples * 2, true);
    return URL.createObjectURL(new Blob([bytes.buffer], { type: "audio/wav" }));
  }

  function probe() {
    const test = new Audio(silentWav());
    test.play().then(() => { if (!playing) unlock(); }).catch(askForTap);
  }

  function start() {
    const settings = JSON.parse(document.getElementById("settings").textContent);
    if (!settings.voice) return;
    const button = gate();
    if (button) button.addEventListener("click", unlock);
    document.addEventListener("pointerdown", () => { if (!allowed) unlock(); });
    probe();
  }

  window.motcuaAudio = { say: say, allowed: () => allowed, pending: () => queue.length + (playing ? 1 : 0), player: player };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

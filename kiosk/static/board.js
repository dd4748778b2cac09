/* Hall board (大厅屏): now calling per window, waiting per service, and the voice calls. */
"use strict";

(() => {
  const { t, pick, api, el, live, debounce } = HK;
  const BLINK_MS = 12000; // a new call blinks this long
  const STUCK_MS = 30000; // a voice that never reports its end is given up after this long

  /**
   * The voice: calls are spoken one at a time, in order, and never cut off. The next utterance
   * starts only when the current one reports "end" (or "error"); nothing ever calls cancel().
   */
  const speech = {
    queue: [],
    current: null,
    blocked: false,
    say(text) {
      if (!text) return;
      this.queue.push(text);
      this.next();
    },
    next() {
      if (this.current || !this.queue.length || !window.speechSynthesis) return;
      const text = this.queue.shift();
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "zh-CN";
      utterance.rate = 0.9;
      const voice = speechSynthesis.getVoices().find((v) => v.lang && v.lang.startsWith("zh"));
      if (voice) utterance.voice = voice;
      let finished = false;
      const done = (event) => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        if (event && event.type === "error" && event.error === "not-allowed") {
          // the browser wants a touch before it speaks: keep the text and ask for one
          this.queue.unshift(text);
          this.blocked = true;
          document.getElementById("speech-on").hidden = false;
          this.current = null;
          return;
        }
        this.current = null;
        this.next();
      };
      utterance.addEventListener("end", done);
      utterance.addEventListener("error", done);
      const watchdog = setTimeout(done, STUCK_MS + text.length * 400);
      this.current = utterance;
      speechSynthesis.speak(utterance);
    },
  };
  window.hallSpeech = speech; // for diagnosis from the browser's console

  const windows = new Map(); // number -> row of /board-live
  const blinking = new Map(); // number -> timeout id

  function card(row) {
    const state = row.state === "serving" || row.state === "idle" ? "" : t("window." + row.state);
    const node = el("div", { class: "window-card state-" + row.state, dataset: { window: row.window } }, [
      el("div", { class: "window-number", text: t("window_n", { n: row.window }) }),
      el("div", { class: "window-ticket", text: row.ticket || "—" }),
      el("div", { class: "window-state", text: state }),
    ]);
    if (blinking.has(row.window)) node.classList.add("blink");
    return node;
  }

  function renderWindows() {
    const grid = document.getElementById("windows");
    grid.replaceChildren(...[...windows.values()].map(card));
  }

  function renderServices(rows) {
    document.getElementById("services").replaceChildren(...rows.map((s) => el("tr", {}, [
      el("td", { text: pick(s.name) }),
      el("td", { class: "num", text: String(s.waiting) }),
      el("td", { class: "num", text: s.waiting ? s.estimated_wait_minutes + t("minutes") : "—" }),
    ])));
  }

  let calls = 0; // calls heard so far: a snapshot asked for before the latest one is stale
  let refreshes = 0;

  async function refresh() {
    const heard = calls;
    try {
      const [live_, queue] = await Promise.all([api("GET", "/board-live"), api("GET", "/queue")]);
      // A call that arrived while the snapshot was on its way is newer than the snapshot: keep
      // it (the call also asked for a fresh snapshot, which follows).
      if (heard === calls) {
        windows.clear();
        for (const row of live_.data) windows.set(row.window, row);
        renderWindows();
      }
      renderServices(queue.data);
    } catch (_err) {
      document.getElementById("live-notice").hidden = false;
    }
    document.getElementById("windows").dataset.refreshes = String(++refreshes);
  }

  function called(data) {
    calls += 1;
    const row = windows.get(data.window) || { window: data.window, state: "serving" };
    row.ticket = data.code;
    row.state = "serving";
    windows.set(data.window, row);
    clearTimeout(blinking.get(data.window));
    blinking.set(data.window, setTimeout(() => {
      blinking.delete(data.window);
      renderWindows();
    }, BLINK_MS));
    renderWindows();
    const latest = document.getElementById("latest");
    latest.textContent = pick(data.text);
    latest.classList.remove("blink");
    void latest.offsetWidth; // restart the animation
    latest.classList.add("blink");
    speech.say(data.text && data.text.zh);
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("speech-on").addEventListener("click", (event) => {
      event.currentTarget.hidden = true;
      speech.blocked = false;
      speech.next();
    });
    const later = debounce(refresh, 800);
    live((kind, data) => {
      if (kind === "ticket.called" || kind === "ticket.recalled") called(data);
      if (kind.startsWith("ticket.") || kind === "window.state") later();
    }, refresh);
    refresh();
  });
})();

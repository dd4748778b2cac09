/* Hall board (大厅屏): now calling per window, waiting per service, and the calls' audio. */
"use strict";

(() => {
  const { t, pick, api, el, live, debounce } = HK;
  const BLINK_MS = 12000; // a new call blinks this long
  const STUCK_MS = 15000; // audio that never reports its end is given up this long after its length

  /**
   * The voice: the service makes each call's audio and names it in a voice.ready event; the
   * board plays them one at a time, in order, through one <audio> element, and never cuts one
   * off: the next starts only when the current one ends (or fails, or outlasts its length by
   * far). A browser that wants a touch before it plays keeps the queue and shows a button.
   */
  const STALE_MS = 120000; // an announcement this much older than the newest one is skipped
  const speech = {
    queue: [],
    current: null,
    blocked: false,
    played: [], // the URLs played, newest last (for diagnosis and the page's tests)
    say(item) {
      if (!item || !item.url) return;
      this.queue.push(item);
      this.next();
    },
    next() {
      if (this.current || this.blocked || !this.queue.length) return;
      const newest = Date.parse(this.queue[this.queue.length - 1].at);
      while (this.queue.length > 1 && newest - Date.parse(this.queue[0].at) > STALE_MS) {
        this.queue.shift(); // heard long ago (a stream resumed after a break): not news
      }
      const item = this.queue.shift();
      const audio = document.getElementById("voice");
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(watchdog);
        audio.onended = audio.onerror = null;
        this.current = null;
        this.next();
      };
      const watchdog = setTimeout(done, (item.duration_ms || 0) + STUCK_MS);
      this.current = item;
      audio.onended = () => {
        this.played.push(item.url);
        if (this.played.length > 50) this.played.shift();
        audio.dataset.played = String(Number(audio.dataset.played || 0) + 1);
        done();
      };
      audio.onerror = done;
      audio.src = item.url;
      const playing = audio.play();
      if (playing) {
        playing.catch((err) => {
          if (finished) return;
          if (err && err.name === "NotAllowedError") {
            // the browser wants a touch before it plays: keep the call and ask for one
            finished = true;
            clearTimeout(watchdog);
            this.queue.unshift(item);
            this.current = null;
            this.blocked = true;
            document.getElementById("speech-on").hidden = false;
            return;
          }
          done();
        });
      }
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
      if (kind === "voice.ready") speech.say(data);
      if (kind.startsWith("ticket.") || kind === "window.state") later();
    }, refresh);
    refresh();
  });
})();

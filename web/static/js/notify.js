// Live status in the page: the header bell's unread count (polled every 30 s while the tab is visible), and the
// progress of long background jobs shown with [data-job-progress] (polled every 3 s until they stop running).
(() => {
  const BELL_EVERY = 30000;
  const JOB_EVERY = 3000;
  const WAITING = new Set(["queued", "running", "retry"]);

  async function getJSON(url) {
    const response = await fetch(url, {credentials: "same-origin", headers: {accept: "application/json"},
                                       cache: "no-store", redirect: "error"});
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  // --- the bell ------------------------------------------------------------------------------------------
  function showUnread(bell, n) {
    const badge = bell.querySelector("[data-bell-count]");
    if (!badge || typeof n !== "number") return;
    badge.dataset.unread = String(n);
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
  }

  function watchBell(bell) {
    let timer = null;
    const refresh = async () => {
      try {
        const data = await getJSON(bell.dataset.countUrl);
        showUnread(bell, data.unread);
      } catch (error) {
        stop();  // signed out or offline: stop asking until the page is shown again
      }
    };
    const start = () => { if (timer === null) timer = window.setInterval(refresh, BELL_EVERY); };
    const stop = () => { if (timer !== null) { window.clearInterval(timer); timer = null; } };
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) { stop(); } else { refresh(); start(); }
    });
    start();
  }

  // --- long jobs -----------------------------------------------------------------------------------------
  function showJob(box, data) {
    const bar = box.querySelector("progress");
    const label = box.querySelector("[data-job-text]");
    const status = box.querySelector("[data-job-status]");
    if (bar && typeof data.progress === "number") bar.value = data.progress;
    if (label) label.textContent = data.progress_text || "";
    if (status) status.textContent = box.dataset["status" + data.status[0].toUpperCase() + data.status.slice(1)]
      || data.status;
    box.dataset.jobState = data.status;
  }

  function watchJob(box) {
    const poll = async () => {
      try {
        const data = await getJSON(box.dataset.jobProgress);
        showJob(box, data);
        if (WAITING.has(data.status)) window.setTimeout(poll, JOB_EVERY);
      } catch (error) {
        box.dataset.jobState = "unknown";
      }
    };
    window.setTimeout(poll, JOB_EVERY);
  }

  function start() {
    document.querySelectorAll("[data-bell][data-count-url]").forEach(watchBell);
    document.querySelectorAll("[data-job-progress]").forEach(watchJob);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

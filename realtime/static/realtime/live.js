"use strict";
// The spectator page's client of /ws/leaderboard (protocol: docs/realtime.md).
// Renders leaderboard.snapshot / leaderboard.update, ticks running timers locally from
// running_since (the server sends nothing per second), and reconnects by itself.
(() => {
  const params = new URLSearchParams(location.search);
  const board = {
    metric: params.get("metric") || "time",
    period: params.get("period") || "week",
    project: params.get("project"),
    limit: params.get("limit"),
  };
  const rowsEl = document.getElementById("rows");
  const statusEl = document.getElementById("status");
  const emptyEl = document.getElementById("empty");
  const PERMANENT = new Set([4400, 4403, 4404]); // bad parameters or a board we may not see
  let rows = [];
  let ranks = new Map();
  let attempt = 0;

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function socketUrl() {
    const query = new URLSearchParams({ metric: board.metric, period: board.period });
    if (board.project) query.set("project", board.project);
    if (board.limit) query.set("limit", board.limit);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    return `${scheme}://${location.host}/ws/leaderboard?${query}`;
  }

  // Start of the current period in UTC (SPEC §5): a timer only counts from there.
  function periodStart(now) {
    const d = new Date(now);
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    if (board.period === "day") return day;
    if (board.period === "week") return day - ((d.getUTCDay() + 6) % 7) * 86400000;
    if (board.period === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    return 0;
  }

  function liveScore(row, now) {
    if (board.metric !== "time" || !row.running_since) return row.score;
    const since = Math.max(Date.parse(row.running_since), periodStart(now));
    return row.score + Math.max(0, Math.floor((now - since) / 1000));
  }

  function formatScore(value) {
    if (board.metric !== "time") return String(value);
    const h = Math.floor(value / 3600);
    const m = Math.floor((value % 3600) / 60);
    const s = value % 60;
    return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  }

  function render() {
    const now = Date.now();
    const previous = ranks;
    ranks = new Map();
    rowsEl.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.user = row.user.username;
      tr.dataset.rank = String(row.rank);
      if (row.running_since) tr.classList.add("running");
      if (previous.has(row.user.id) && previous.get(row.user.id) !== row.rank) tr.classList.add("moved");
      ranks.set(row.user.id, row.rank);
      const rank = document.createElement("td");
      rank.className = "rank";
      rank.textContent = String(row.rank);
      const who = document.createElement("td");
      who.className = "user";
      if (row.user.avatar_url) {
        const img = document.createElement("img");
        img.className = "avatar";
        img.alt = "";
        img.src = row.user.avatar_url;
        who.append(img);
      }
      who.append(document.createTextNode(row.user.username));
      const score = document.createElement("td");
      score.className = "score";
      score.textContent = formatScore(liveScore(row, now));
      tr.append(rank, who, score);
      return tr;
    }));
    emptyEl.hidden = rows.length > 0;
  }

  function tick() {
    const now = Date.now();
    rowsEl.querySelectorAll("tr").forEach((tr, index) => {
      const row = rows[index];
      if (row && row.running_since) tr.querySelector("td.score").textContent = formatScore(liveScore(row, now));
    });
  }

  function connect() {
    setStatus(attempt ? "reconnecting" : "connecting", attempt ? "reconnecting…" : "connecting…");
    const socket = new WebSocket(socketUrl());
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "leaderboard.snapshot" || message.type === "leaderboard.update") {
        attempt = 0;
        rows = message.rows;
        render();
        setStatus("live", `live · ${board.metric} · ${board.period}`);
      } else if (message.type === "error") {
        setStatus("failed", message.detail);
      }
    };
    socket.onclose = (event) => {
      if (PERMANENT.has(event.code)) {
        setStatus("failed", statusEl.textContent || "this board cannot be shown");
        return;
      }
      // Exponential backoff with jitter, so a restarted server is not hit by every page at once.
      const delay = Math.min(10000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      setStatus("reconnecting", "reconnecting…");
      setTimeout(connect, delay);
    };
  }

  for (const link of document.querySelectorAll("nav a")) {
    const next = new URLSearchParams(location.search);
    for (const key of ["metric", "period"]) {
      if (link.dataset[key]) {
        next.set(key, link.dataset[key]);
        link.setAttribute("aria-current", String(board[key] === link.dataset[key]));
      }
    }
    link.href = `?${next}`;
  }
  document.getElementById("score-head").textContent = board.metric === "time" ? "time" : "badges";
  setInterval(tick, 1000);
  connect();
})();

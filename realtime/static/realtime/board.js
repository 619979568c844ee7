// A live leaderboard drawn into a page, shared by /live and /live/embed: the client
// (realtime/static/focushub/client.js) keeps the board's socket alive; this draws it:
// who moved and by how much (said to screen readers too), running timers ticking from
// running_since and overtaking as they tick, and a connection indicator that says what
// the client says. The pages give the elements these ids: rows, empty, main, status,
// status-text, announcer, score-head (realtime/templates/realtime/).
import { liveScore, openLeaderboard } from "../focushub/client.js";

const MOVE_SHOWN_MS = 20000; // how long "up 2" stays beside a name
const ANNOUNCED_PER_UPDATE = 3; // screen readers hear the first few moves, not a flood

const rowsEl = document.getElementById("rows");
const mainEl = document.getElementById("main");
const statusEl = document.getElementById("status");
const statusText = document.getElementById("status-text");
const emptyEl = document.getElementById("empty");
const announcer = document.getElementById("announcer");

const STATES = {
  connecting: () => "Connecting…",
  live: () => "Live",
  reconnecting: ({ retryIn }) => (retryIn ? `Reconnecting in ${Math.ceil(retryIn / 1000)} s…` : "Reconnecting…"),
  offline: () => "Offline: waiting for the network",
  failed: ({ detail }) => `This board cannot be shown${detail ? `: ${detail}` : "."}`,
  closed: () => "Closed",
};

let stream = null;
let board = null; // the last snapshot or update: {metric, period, rows, ...}
let shown = new Map(); // username -> the rank on screen
let moves = new Map(); // username -> {by, at}: a rank change still on show
let hooks = {};

/** The board a page's URL asks for: ?metric=&period=&project=&limit= (the socket checks them). */
export function choiceFromUrl() {
  const params = new URLSearchParams(location.search);
  const metric = params.get("metric") || "time";
  return {
    metric,
    period: params.get("period") || "week",
    project: metric === "time" ? params.get("project") || "" : "", // badge boards are global
    limit: params.get("limit") || "",
  };
}

/**
 * Follow one board (replacing the one followed before).
 * @param {{metric: string, period: string, project?: string, limit?: string}} choice
 * @param {{drawn?: (board: object, now: number) => void, ticked?: (rows: Map<string, object>, now: number) => void}} [pageHooks]
 *   what the page adds: called when the rows are drawn, and every second with the rows by username
 */
export function followBoard(choice, pageHooks = {}) {
  stream?.close();
  board = null;
  shown = new Map();
  moves = new Map();
  hooks = pageHooks;
  rowsEl.replaceChildren();
  document.getElementById("score-head").textContent = choice.metric === "badges" ? "Badges" : "Time";
  stream = openLeaderboard({ board: choice });
  stream.on("state", showState);
  stream.on("leaderboard.snapshot", draw);
  stream.on("leaderboard.update", draw);
}

function showState(change) {
  statusEl.dataset.state = change.state;
  statusText.textContent = STATES[change.state](change);
  mainEl.toggleAttribute("data-stale", change.state !== "live");
}

function formatScore(value, metric) {
  if (metric !== "time") return String(value);
  const h = Math.floor(value / 3600);
  const m = Math.floor((value % 3600) / 60);
  const s = value % 60;
  return `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

function initials(username) {
  const parts = username.split(/[-_.\s]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : username.slice(0, 2);
  return letters.toUpperCase();
}

export function avatar(user) {
  if (user.avatar_url) {
    const img = document.createElement("img");
    img.className = "avatar";
    img.alt = "";
    img.src = user.avatar_url;
    return img;
  }
  const badge = document.createElement("span");
  badge.className = "avatar initials";
  badge.setAttribute("aria-hidden", "true");
  badge.textContent = initials(user.username);
  let hash = 0;
  for (const char of user.username) hash = (hash * 31 + char.codePointAt(0)) % 360;
  badge.style.background = `hsl(${hash} 55% 42%)`;
  return badge;
}

function icon(name, className) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#${name}`);
  svg.append(use);
  return svg;
}

function moveBadge(move) {
  const span = document.createElement("span");
  if (move.by === null) {
    span.className = "move new";
    span.textContent = "new";
    return span;
  }
  span.className = `move ${move.by > 0 ? "up" : "down"}`;
  span.append(icon(move.by > 0 ? "icon-up" : "icon-down", ""), String(Math.abs(move.by)));
  span.title = `${move.by > 0 ? "up" : "down"} ${Math.abs(move.by)}`;
  return span;
}

/** The rows as they stand now. The server ranks by the time committed so far; a running
 * timer that overtakes someone moves above them here at once, and the numbers agree
 * again when it stops. */
function standing(now) {
  const first = board.rows[0]?.rank ?? 1;
  return board.rows
    .map((row) => ({ row, score: liveScore(row, board, now) }))
    .sort((a, b) => b.score - a.score || a.row.rank - b.row.rank)
    .map(({ row }, index) => ({ ...row, rank: first + index }));
}

/** Who moved since the rows on screen, and how far (null: new on the board). */
function noteMoves(rows, now) {
  if (!shown.size) return []; // a board just chosen: nothing moved yet
  const moved = [];
  for (const row of rows) {
    const was = shown.get(row.user.username);
    if (was === row.rank) continue;
    const move = { by: was === undefined ? null : was - row.rank, at: now };
    moves.set(row.user.username, move);
    moved.push({ row, move });
  }
  return moved;
}

function announce(moved) {
  const told = moved.slice(0, ANNOUNCED_PER_UPDATE).map(({ row, move }) => {
    if (move.by === null) return `${row.user.username} is new on the board at rank ${row.rank}.`;
    const way = move.by > 0 ? "up" : "down";
    return `${row.user.username} moved ${way} ${Math.abs(move.by)} to rank ${row.rank}.`;
  });
  if (told.length) announcer.textContent = told.join(" ");
}

function rowElement(row, now) {
  const tr = document.createElement("tr");
  tr.dataset.user = row.user.username;
  tr.dataset.rank = String(row.rank);
  const rank = document.createElement("td");
  rank.className = "rank";
  const place = document.createElement("span");
  place.className = "place";
  place.textContent = String(row.rank);
  rank.append(place);
  const move = moves.get(row.user.username);
  if (move && now - move.at < MOVE_SHOWN_MS) {
    rank.append(moveBadge(move));
    if (move.at === now) tr.classList.add("moved");
  }
  const who = document.createElement("td");
  who.className = "who";
  who.append(avatar(row.user), row.user.username);
  const score = document.createElement("td");
  score.className = "score";
  if (row.running_since) {
    // Beside the number, where a long name cannot push it out of sight.
    tr.classList.add("running");
    const running = icon("icon-timer", "running-icon");
    running.setAttribute("aria-hidden", "false");
    running.setAttribute("role", "img");
    running.setAttribute("aria-label", "timer running");
    score.append(running);
  }
  const value = document.createElement("span");
  value.className = "value";
  value.textContent = formatScore(liveScore(row, board, now), board.metric);
  score.append(value);
  tr.append(rank, who, score);
  return tr;
}

/** Slide rows from where they were to where they are (FLIP), so a move is seen. */
function slide(before) {
  for (const tr of rowsEl.children) {
    const top = before.get(tr.dataset.user);
    if (top === undefined) continue;
    const delta = top - tr.getBoundingClientRect().top;
    if (!delta) continue;
    tr.style.transition = "none";
    tr.style.transform = `translateY(${delta}px)`;
    requestAnimationFrame(() => {
      tr.style.transition = "";
      tr.style.transform = "";
    });
  }
}

function render(rows, now) {
  const moved = noteMoves(rows, now);
  const before = new Map([...rowsEl.children].map((tr) => [tr.dataset.user, tr.getBoundingClientRect().top]));
  rowsEl.replaceChildren(...rows.map((row) => rowElement(row, now)));
  slide(before);
  shown = new Map(rows.map((row) => [row.user.username, row.rank]));
  emptyEl.hidden = rows.length > 0;
  hooks.drawn?.(board, now);
  announce(moved);
}

function draw(message) {
  board = message;
  const now = Date.now();
  render(standing(now), now);
}

/** The server sends nothing per second: running timers tick here. */
function tick() {
  if (!board) return;
  const now = Date.now();
  const standings = standing(now);
  if (standings.some((row) => shown.get(row.user.username) !== row.rank)) {
    render(standings, now); // a running timer just overtook someone
    return;
  }
  const rows = new Map(board.rows.map((row) => [row.user.username, row]));
  for (const tr of rowsEl.querySelectorAll("tr.running")) {
    tr.querySelector("td.score .value").textContent = formatScore(liveScore(rows.get(tr.dataset.user), board, now), board.metric);
  }
  hooks.ticked?.(rows, now);
  for (const [user, move] of moves) {
    if (now - move.at >= MOVE_SHOWN_MS) moves.delete(user);
  }
  for (const badge of rowsEl.querySelectorAll(".move")) {
    if (!moves.has(badge.closest("tr").dataset.user)) badge.remove();
  }
}

setInterval(tick, 1000);
